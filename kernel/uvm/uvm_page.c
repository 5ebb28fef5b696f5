/*
 * Physical pages: the boot memory map, one struct vm_page per page with a
 * reference count, the free list, and reservations for operations that
 * must not fail once started (fork after its point of no return).
 */
#include <sys/types.h>
#include <sys/systm.h>
#include <sys/multiboot.h>
#include <sys/tunable.h>
#include <machine/pmap.h>
#include <uvm/uvm.h>

struct vm_page *vm_pages;
paddr_t vm_physmax;
struct uvmexp uvmexp;
kmutex_t uvm_page_lock = KMUTEX_INITIALIZER("uvm_page");

static struct vm_page *page_freelist;	/* (p) singly linked through pg_next */
/*
 * Free pages known to hold only zeros: page-table pages whose entries were
 * all cleared as they were released.  A zeroed allocation takes one of
 * these first and skips the 4 KiB memset.  (p)
 */
static struct vm_page *page_zerolist;
static paddr_t bootstrap_next;		/* bump allocator before the free list exists */
static paddr_t bootstrap_limit;

extern char _bss_end[];

/* Hands out a zeroed page before uvm_page_init has built the free list. */
paddr_t
uvm_bootstrap_alloc(void)
{
	paddr_t pa = bootstrap_next;

	if (pa + PAGE_SIZE > bootstrap_limit)
		panic("uvm_bootstrap_alloc: out of boot memory");
	bootstrap_next += PAGE_SIZE;
	memset(PHYS_TO_DMAP(pa), 0, PAGE_SIZE);
	return pa;
}

static paddr_t
boot_data_end(struct multiboot_info *mbi)
{
	paddr_t end = (paddr_t)_bss_end - KERNBASE;

	if (mbi->flags & MBI_MODS) {
		struct multiboot_module *mods = PHYS_TO_DMAP(mbi->mods_addr);

		for (uint32_t i = 0; i < mbi->mods_count; i++) {
			end = MAX(end, (paddr_t)mods[i].mod_end);
			end = MAX(end, (paddr_t)mods[i].string + 256);
		}
		end = MAX(end, (paddr_t)mbi->mods_addr + mbi->mods_count * sizeof(*mods));
	}
	if (mbi->flags & MBI_CMDLINE)
		end = MAX(end, (paddr_t)mbi->cmdline + 4096);
	return roundup(end, PAGE_SIZE);
}

#define MMAP_FOREACH(mbi, m)						\
	for (struct multiboot_mmap *m = PHYS_TO_DMAP((mbi)->mmap_addr);	\
	    (uint64_t)m < (uint64_t)PHYS_TO_DMAP((mbi)->mmap_addr) + (mbi)->mmap_length; \
	    m = (struct multiboot_mmap *)((char *)m + m->size + 4))

/*
 * Reads the memory map, builds the kernel page tables and the page array,
 * and puts every usable page above the kernel and the boot modules on the
 * free list.  The modules stay where QEMU put them: the in-memory file
 * system reads them in place.
 */
void
uvm_page_init(void *arg)
{
	struct multiboot_info *mbi = arg;
	paddr_t maxphys = 0;
	uint64_t npages;

	if (!(mbi->flags & MBI_MMAP))
		panic("uvm_page_init: the boot loader gave no memory map");
	MMAP_FOREACH(mbi, m)
		if (m->type == 1)
			maxphys = MAX(maxphys, m->addr + m->len);
	maxphys = rounddown(maxphys, PAGE_SIZE);
	vm_physmax = maxphys;

	/* The boot page tables map the first GiB: the early allocations must fit there. */
	bootstrap_next = boot_data_end(mbi);
	bootstrap_limit = 1UL << 30;
	pmap_bootstrap(maxphys);

	npages = maxphys >> PAGE_SHIFT;
	size_t array_bytes = roundup(npages * sizeof(struct vm_page), PAGE_SIZE);
	if (bootstrap_next + array_bytes > bootstrap_limit)
		panic("uvm_page_init: page array does not fit below 1 GiB");
	vm_pages = PHYS_TO_DMAP(bootstrap_next);
	memset(vm_pages, 0, array_bytes);
	bootstrap_next += array_bytes;
	for (uint64_t i = 0; i < npages; i++)
		vm_pages[i].pg_flags = PGF_RESERVED;

	page_freelist = NULL;
	MMAP_FOREACH(mbi, m) {
		if (m->type != 1)
			continue;
		paddr_t s = roundup(m->addr, PAGE_SIZE);
		paddr_t e = rounddown(m->addr + m->len, PAGE_SIZE);

		s = MAX(s, bootstrap_next);
		/* Free in descending order so the list hands out low pages first. */
		for (paddr_t pa = e; pa > s; pa -= PAGE_SIZE) {
			struct vm_page *pg = PHYS_TO_VM_PAGE(pa - PAGE_SIZE);

			pg->pg_flags = PGF_FREE;
			pg->pg_next = page_freelist;
			page_freelist = pg;
			uvmexp.free++;
			uvmexp.npages++;
		}
	}
	bootstrap_limit = 0;
	printf("forklab: memory: %lu MiB usable, %lu MiB physical address space\n",
	    uvmexp.npages >> 8, maxphys >> 20);
}

/*
 * Allocates one page with a reference count of one.  Returns NULL when no
 * page is free; a reservation's pages are not free to other callers.
 * Never sleeps.
 */
struct vm_page *
uvm_pagealloc(int flags)
{
	struct vm_page *pg;

	mutex_enter(&uvm_page_lock);
	if (flags & UVM_PGA_RESERVED) {
		KASSERTMSG(uvmexp.reserved > 0, "allocation beyond the fork reservation");
		uvmexp.reserved--;
	} else if (uvmexp.free <= uvmexp.reserved) {
		mutex_exit(&uvm_page_lock);
		return NULL;
	}
	bool zeroed = false;

	if ((flags & UVM_PGA_ZERO) && page_zerolist != NULL) {
		pg = page_zerolist;
		page_zerolist = pg->pg_next;
		uvmexp.zeroed--;
		zeroed = true;
	} else if (page_freelist != NULL) {
		pg = page_freelist;
		page_freelist = pg->pg_next;
	} else {
		pg = page_zerolist;
		KASSERT(pg != NULL);
		page_zerolist = pg->pg_next;
		uvmexp.zeroed--;
	}
	uvmexp.free--;
	mutex_exit(&uvm_page_lock);

	KASSERT(pg->pg_flags == PGF_FREE);
	pg->pg_flags = 0;
	pg->pg_refs = 1;
	if ((flags & UVM_PGA_ZERO) && !zeroed)
		memset(PHYS_TO_DMAP(VM_PAGE_TO_PHYS(pg)), 0, PAGE_SIZE);
	return pg;
}

void
uvm_pageref(struct vm_page *pg)
{
	KASSERT(pg->pg_refs > 0 && !(pg->pg_flags & PGF_FREE));
	pg->pg_refs++;
}

void
uvm_pageunref(struct vm_page *pg)
{
	KASSERTMSG(pg->pg_refs > 0 && !(pg->pg_flags & (PGF_FREE | PGF_RESERVED)),
	    "page %#lx refs %u flags %#x", VM_PAGE_TO_PHYS(pg), pg->pg_refs, pg->pg_flags);
	if (--pg->pg_refs > 0)
		return;
	mutex_enter(&uvm_page_lock);
	pg->pg_flags = PGF_FREE;
	pg->pg_next = page_freelist;
	page_freelist = pg;
	uvmexp.free++;
	mutex_exit(&uvm_page_lock);
}

/* Frees a page whose contents the caller knows are all zero. */
void
uvm_pagefree_zeroed(struct vm_page *pg)
{
	KASSERT(pg->pg_refs == 1 && !(pg->pg_flags & (PGF_FREE | PGF_RESERVED)));
	pg->pg_refs = 0;
	mutex_enter(&uvm_page_lock);
	pg->pg_flags = PGF_FREE;
	pg->pg_next = page_zerolist;
	page_zerolist = pg;
	uvmexp.free++;
	uvmexp.zeroed++;
	mutex_exit(&uvm_page_lock);
}

int
uvm_reserve(uint64_t n)
{
	int error = 0;

	mutex_enter(&uvm_page_lock);
	if (uvmexp.free - uvmexp.reserved < n)
		error = ENOMEM;
	else
		uvmexp.reserved += n;
	mutex_exit(&uvm_page_lock);
	return error;
}

void
uvm_unreserve(uint64_t n)
{
	mutex_enter(&uvm_page_lock);
	KASSERT(uvmexp.reserved >= n);
	uvmexp.reserved -= n;
	mutex_exit(&uvm_page_lock);
}
