/*
 * x86-64 page tables.  Each process has its own 4-level tree; the upper
 * half (PML4 slots 256..511) is the kernel's and is shared by every tree.
 * All physical memory is mapped at DMAP_BASE, so the kernel reaches any
 * page, page-table pages included, without temporary mappings.
 */
#ifndef _MACHINE_PMAP_H_
#define _MACHINE_PMAP_H_

#include <sys/types.h>

#define PAGE_SHIFT	12
#define PAGE_SIZE	4096UL
#define PAGE_MASK	(PAGE_SIZE - 1)
#define NBPD		(1UL << 21)	/* bytes mapped by one page directory entry */
#define NPTEPG		512

#define KERNBASE	0xffffffff80000000UL	/* kernel image, -2 GiB */
#define DMAP_BASE	0xffff800000000000UL	/* direct map of all RAM */
#define KVA_BASE	0xffffff0000000000UL	/* u-areas and large kernel allocations */
#define KVA_SIZE	(4UL << 30)	/* tables preallocated at boot: 8 MiB */
#define VM_MIN_USER	0x10000UL
#define VM_MAX_USER	0x00007ffffffff000UL

#define PHYS_TO_DMAP(pa)	((void *)((paddr_t)(pa) + DMAP_BASE))
#define DMAP_TO_PHYS(va)	((paddr_t)(va) - DMAP_BASE)

#define PG_V		0x001UL
#define PG_RW		0x002UL
#define PG_U		0x004UL
#define PG_A		0x020UL
#define PG_M		0x040UL
#define PG_PS		0x080UL
#define PG_G		0x100UL
#define PG_COW		0x200UL	/* software: private page shared copy-on-write */
#define PG_SHMAP	0x400UL	/* software: page of a shared mapping, never COW */
#define PG_FRAME	0x000ffffffffff000UL

#define pl4_i(va)	(((va) >> 39) & 511)
#define pl3_i(va)	(((va) >> 30) & 511)
#define pl2_i(va)	(((va) >> 21) & 511)
#define pl1_i(va)	(((va) >> 12) & 511)

typedef uint64_t pt_entry_t;

struct pmap {
	paddr_t		pm_pml4;	/* physical address of the top table */
	uint64_t	pm_upper;	/* upper-level tables (PML4, PDPTs, page directories) */
	uint64_t	pm_leaves;	/* leaf tables mapped, shared ones included */
	struct vm_page	*pm_uppertables; /* PDPTs and page directories, through pg_next */
};

extern paddr_t kernel_pml4;

void	pmap_bootstrap(paddr_t maxphys);
int	pmap_create(struct pmap *);
void	pmap_destroy(struct pmap *);
void	pmap_activate(struct pmap *);
/* Maps or unmaps a kernel virtual page (KVA region); the kernel half is shared by all trees. */
void	pmap_kenter(vaddr_t va, paddr_t pa);
void	pmap_kremove(vaddr_t va);
pt_entry_t *pmap_pte_kernel(vaddr_t va);

/*
 * Returns a pointer to the leaf entry for `va`, creating upper tables and
 * unsharing an on-demand-fork leaf table when `create` is set; NULL when a
 * table is missing (create == false) or memory ran out (create == true).
 */
pt_entry_t *pmap_pte(struct pmap *, vaddr_t va, bool create);
/* Like pmap_pte but never changes anything: for lookups only. */
pt_entry_t *pmap_pte_lookup(struct pmap *, vaddr_t va);
/* Stores a valid entry into a leaf table returned by pmap_pte. */
void	pmap_pte_enter(pt_entry_t *pte, pt_entry_t v);
void	pmap_remove(struct pmap *, vaddr_t sva, vaddr_t eva);
void	pmap_protect(struct pmap *, vaddr_t sva, vaddr_t eva, int prot);
void	pmap_update_page(struct pmap *, vaddr_t va);
/*
 * Returns the counts of upper-level and leaf tables, and when `ptes` is not
 * NULL counts the present leaf entries (a walk of every leaf table).
 */
void	pmap_count(struct pmap *, uint64_t *upper, uint64_t *leaves, uint64_t *ptes);

/* The three ways uvm_proc_fork duplicates a private address space. */
enum pmap_fork_mode { PMAP_FORK_COPY, PMAP_FORK_COW, PMAP_FORK_ODF };
int	pmap_fork_range(struct pmap *src, struct pmap *dst, vaddr_t sva, vaddr_t eva,
	    enum pmap_fork_mode, bool writable, bool shared);

#endif
