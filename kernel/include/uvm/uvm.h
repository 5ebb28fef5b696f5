/*
 * Virtual memory: physical pages with reference counts, object caches,
 * address spaces made of map entries over per-process page tables, faults,
 * copy-on-write and the fork duplication modes.
 *
 * Private anonymous memory keeps no per-page object: a page table entry is
 * the only record of a private page, and the page's reference count says
 * how many leaf tables map it (a leaf table shared by on-demand fork counts
 * once).  Shared mappings (MAP_SHARED anonymous memory) keep their pages in
 * a uvm_object so that every process mapping it finds the same page.
 */
#ifndef _UVM_UVM_H_
#define _UVM_UVM_H_

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/lock.h>
#include <machine/pmap.h>

/*
 * One per physical page.  16 bytes, a power of two, because fork and exit
 * index the array once per mapped page.
 */
struct vm_page {
	uint32_t	pg_refs;	/* (p) references: leaf tables, objects, PDEs for table pages */
	uint16_t	pg_flags;	/* (p) PGF_* */
	uint16_t	pg_pad;
	union {
		struct vm_page *pg_next;	/* (p) free list, or the owning pmap's upper tables */
		uint64_t pg_summary;	/* leaf tables: bit b set if entries 8b..8b+7 may be valid */
	};
};
#define PGF_FREE	0x1
#define PGF_PTP		0x2	/* page-table page */
#define PGF_RESERVED	0x4	/* firmware, kernel image or boot data: never freed */
#define PGF_PD		0x8	/* page directory (its entries point at leaf tables) */

extern struct vm_page *vm_pages;
extern paddr_t vm_physmax;

#define VM_PAGE_TO_PHYS(pg)	((paddr_t)((pg) - vm_pages) << PAGE_SHIFT)
#define PHYS_TO_VM_PAGE(pa)	(&vm_pages[(pa) >> PAGE_SHIFT])

/* Flags of uvm_pagealloc. */
#define UVM_PGA_ZERO		0x1	/* zero the page */
#define UVM_PGA_RESERVED	0x2	/* take from the caller's fork reservation */

struct vm_page *uvm_pagealloc(int flags);
void	uvm_pageref(struct vm_page *);
void	uvm_pagefree_zeroed(struct vm_page *);
/* Drops one reference; frees the page when it was the last. */
void	uvm_pageunref(struct vm_page *);
/* Reserves `n` free pages for an operation that must not fail later; 0 or ENOMEM. */
int	uvm_reserve(uint64_t n);
void	uvm_unreserve(uint64_t n);
void	uvm_page_init(void *mbinfo);

struct uvmexp {
	uint64_t	npages;		/* managed pages */
	uint64_t	free;		/* pages on the free list */
	uint64_t	reserved;	/* free pages promised to reservations */
	uint64_t	ptpages;	/* page-table pages in use */
	uint64_t	cow_faults;	/* write faults resolved by copy or reuse */
	uint64_t	cow_fault_ns;
	uint64_t	pt_copies;	/* leaf tables copied (on-demand fork) */
	uint64_t	pt_copy_ns;
	uint64_t	zero_fills;	/* demand-zero faults */
	uint64_t	zeroed;		/* free pages known to be zero */
};
extern struct uvmexp uvmexp;
extern kmutex_t uvm_page_lock;

/*
 * Object caches (after NetBSD's pool_cache): fixed-size kernel objects
 * carved from pages.  pool_drain returns pages whose objects are all free.
 */
struct pool_page;
struct pool {
	kmutex_t	pr_lock;
	const char	*pr_name;
	size_t		pr_size;	/* object size, bytes, a multiple of 16 */
	unsigned	pr_perpage;	/* objects per page */
	LIST_HEAD(, pool_page) pr_partial;	/* pages with free and used objects */
	LIST_HEAD(, pool_page) pr_full;		/* pages with no free object */
	LIST_HEAD(, pool_page) pr_empty;	/* pages with no used object */
	uint64_t	pr_nout;	/* objects handed out */
	uint64_t	pr_npages;
	LIST_ENTRY(pool) pr_list;
};
void	pool_init(struct pool *, size_t size, const char *name);
/* Returns a zeroed object, or NULL when memory is exhausted. */
void	*pool_get(struct pool *);
void	pool_put(struct pool *, void *);
void	pool_drain_all(void);

/* General kernel memory: power-of-two caches up to 2 KiB, mapped pages above. */
void	*kmem_zalloc(size_t size);
void	kmem_free(void *p, size_t size);
/* Allocates `npages` zeroed pages mapped contiguously in the KVA region, or NULL. */
void	*uvm_km_alloc(size_t npages, bool zero);
void	uvm_km_free(void *va, size_t npages);

/* Protection bits, Linux's PROT_* values. */
#define VM_PROT_NONE	0
#define VM_PROT_READ	1
#define VM_PROT_WRITE	2
#define VM_PROT_EXEC	4

/* Pages of a shared mapping; reference counted by the map entries. */
struct uvm_object {
	uint32_t	uo_refs;	/* (m) map entries pointing here */
	size_t		uo_npages;
	struct vm_page	**uo_pages;	/* NULL slot: not yet touched */
};

struct vm_map_entry {
	TAILQ_ENTRY(vm_map_entry) e_list;
	vaddr_t		e_start;
	vaddr_t		e_end;
	int		e_prot;		/* VM_PROT_* */
	int		e_flags;	/* UVM_ET_* */
	struct uvm_object *e_obj;	/* shared mappings only */
	size_t		e_objpage;	/* first object page of e_start */
};
#define UVM_ET_SHARED	0x1
#define UVM_ET_STACK	0x2
#define UVM_ET_HEAP	0x4

/*
 * An address space.  Locking: (m) vm_lock.  A vmspace is shared by the
 * LWPs of a process and by processes created with FORK_SHAREVM.
 */
struct vmspace {
	kmutex_t	vm_lock;
	uint32_t	vm_refcnt;	/* (m) processes using it */
	struct pmap	vm_pmap;	/* (m) */
	TAILQ_HEAD(, vm_map_entry) vm_entries;	/* (m) sorted by address */
	vaddr_t		vm_brk_start;	/* (m) start of the brk heap */
	vaddr_t		vm_brk;		/* (m) current break */
	vaddr_t		vm_mmap_top;	/* (m) mmap allocations grow down from here */
};

struct vmspace *uvmspace_alloc(void);
void	uvmspace_addref(struct vmspace *);
void	uvmspace_free(struct vmspace *);
/* Duplicates vm1 for a child, drawing on pages reserved by uvm_fork_reserve. */
struct vmspace *uvmspace_fork(struct vmspace *vm1, enum pmap_fork_mode);
/* Reserves the pages uvmspace_fork may need for `vm1` in `mode`; returns the count or -ENOMEM. */
int64_t	uvm_fork_reserve(struct vmspace *vm1, enum pmap_fork_mode);

int	uvm_map_anon(struct vmspace *, vaddr_t *addr, vsize_t len, int prot, int flags, bool fixed);
int	uvm_unmap(struct vmspace *, vaddr_t start, vaddr_t end);
int	uvm_mprotect(struct vmspace *, vaddr_t start, vaddr_t end, int prot);
struct vm_map_entry *uvm_map_lookup(struct vmspace *, vaddr_t va);
/* Resolves a fault; returns 0, EFAULT (no mapping or access not allowed) or ENOMEM. */
int	uvm_fault(struct vmspace *, vaddr_t va, int access);

/* u-areas: the kernel stack and PCB of an LWP, in the KVA region with a guard page below. */
struct uarea {
	vaddr_t		ua_va;		/* lowest mapped byte */
	int		ua_pages;
	struct uarea	*ua_next;
};
struct uarea *uvm_uarea_alloc(void);
void	uvm_uarea_free(struct uarea *);
void	uvm_uarea_drain(void);
extern uint64_t uvm_uareas_inuse;

#endif

/*
 * Everything uvmspace_fork needs, allocated before fork1's point of no
 * return: the child's vmspace and top-level table, its map entries, and a
 * page reservation for the tables and copies the chosen mode makes.
 */
struct uvm_fork_prep {
	struct vmspace	*ufp_vm;
	struct vm_map_entry *ufp_entries;	/* linked through e_list.tqe_next */
	uint64_t	ufp_pages;		/* pages reserved */
};
int	uvm_fork_prepare(struct vmspace *vm1, enum pmap_fork_mode, struct uvm_fork_prep *);
void	uvm_fork_abort(struct uvm_fork_prep *);
struct vmspace *uvmspace_fork_prepared(struct vmspace *vm1, enum pmap_fork_mode,
	    struct uvm_fork_prep *);
void	uvm_init(void);
int	uvm_brk(struct vmspace *, vaddr_t newbrk, vaddr_t *result);
