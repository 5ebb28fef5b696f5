/*
 * Page tables and the three ways of duplicating them at fork.
 *
 * Leaf tables (level 1, 512 entries covering 2 MiB) are reference counted
 * in their vm_page: on-demand fork (Zhao, Gong and Fonseca, "On-demand
 * fork", EuroSys 2021) lets parent and child point at the same leaf table
 * and clears the writable bit in both page directory entries, so a fork
 * copies only the upper levels.  The first fault that needs to change a
 * shared leaf table gives the faulting address space its own copy (or,
 * for the last user, just makes the directory entry writable again).
 *
 * A data page's reference count counts leaf tables mapping it (plus the
 * uvm_object of a shared mapping); a shared leaf table counts once.
 *
 * Each leaf table's vm_page keeps a summary word: bit b is set when any of
 * entries 8b..8b+7 may be valid.  Fork, exit and unsharing visit only the
 * marked blocks, so their cost follows the pages mapped, not the 512
 * entries of every table.  Bits are set when an entry is stored and
 * cleared when a scan finds their block empty.
 *
 * Locking: the caller holds the address space's vm_lock.  With one CPU
 * the TLB of a non-current address space needs no shootdown.
 * XXX With several CPUs running one address space, changes here need TLB
 * shootdowns, which are not written yet.
 */
#include <sys/types.h>
#include <sys/systm.h>
#include <sys/tunable.h>
#include <machine/cpufunc.h>
#include <machine/pmap.h>
#include <uvm/uvm.h>

paddr_t kernel_pml4;

paddr_t	uvm_bootstrap_alloc(void);

#define PTE_USER_TABLE	(PG_V | PG_RW | PG_U)

static inline pt_entry_t *
table_va(pt_entry_t e)
{
	return PHYS_TO_DMAP(e & PG_FRAME);
}

static inline uint64_t
clock_if_traced(void)
{
	return tun.trace ? nanouptime() : 0;
}

/* Allocates a zeroed page-table page holding one reference. */
static struct vm_page *
ptp_alloc(int flags)
{
	struct vm_page *pg = uvm_pagealloc(UVM_PGA_ZERO | flags);

	if (pg == NULL)
		return NULL;
	pg->pg_flags |= PGF_PTP;
	pg->pg_summary = 0;
	uvmexp.ptpages++;
	return pg;
}

static void
ptp_free(struct vm_page *pg)
{
	KASSERT(pg->pg_flags & PGF_PTP);
	KASSERT(pg->pg_refs == 1);
	pg->pg_flags &= ~PGF_PTP;
	uvmexp.ptpages--;
	uvm_pageunref(pg);
}

/* Frees a table page whose entries have all been cleared: it goes back zeroed. */
static void
ptp_free_clean(struct vm_page *pg)
{
	KASSERT(pg->pg_flags & PGF_PTP);
	pg->pg_flags &= ~(PGF_PTP | PGF_PD);
	uvmexp.ptpages--;
	uvm_pagefree_zeroed(pg);
}

/*
 * Returns the first index in [i, n) whose entry is not zero, or n.  Empty
 * stretches are skipped eight entries at a time: exit and fork scan many
 * sparse tables, and this is where their time goes.
 */
static inline unsigned
next_nonzero(const pt_entry_t *t, unsigned i, unsigned n)
{
	while (i < n && (i & 7) != 0 && t[i] == 0)
		i++;
	while (i + 8 <= n && (t[i] | t[i + 1] | t[i + 2] | t[i + 3] |
	    t[i + 4] | t[i + 5] | t[i + 6] | t[i + 7]) == 0)
		i += 8;
	while (i < n && t[i] == 0)
		i++;
	return i;
}

/* Records a new PDPT or page directory of pm, so pmap_destroy finds it without a scan. */
static void
pmap_add_upper(struct pmap *pm, struct vm_page *pg, bool is_pd)
{
	if (is_pd)
		pg->pg_flags |= PGF_PD;
	pg->pg_next = pm->pm_uppertables;
	pm->pm_uppertables = pg;
	pm->pm_upper++;
}

static inline struct vm_page *
ptp_of(const pt_entry_t *pte)
{
	return &vm_pages[DMAP_TO_PHYS((vaddr_t)pte) >> PAGE_SHIFT];
}

void
pmap_pte_enter(pt_entry_t *pte, pt_entry_t v)
{
	*pte = v;
	ptp_of(pte)->pg_summary |= 1ULL << ((((vaddr_t)pte & PAGE_MASK) >> 3) >> 3);
}

static void
tlb_flush(struct pmap *pm)
{
	if (rcr3() == pm->pm_pml4)
		lcr3(pm->pm_pml4);
}

void
pmap_update_page(struct pmap *pm, vaddr_t va)
{
	if (rcr3() == pm->pm_pml4)
		invlpg(va);
}

/*
 * Builds the kernel's page tables: the direct map of all RAM with 2 MiB
 * pages, the kernel image at -2 GiB, and an empty KVA region whose top
 * entry exists from the start, so every process tree can copy the kernel
 * half once and still see later KVA mappings.
 */
void
pmap_bootstrap(paddr_t maxphys)
{
	pt_entry_t *pml4, *pdpt, *pd;
	paddr_t pa;

	kernel_pml4 = uvm_bootstrap_alloc();
	pml4 = PHYS_TO_DMAP(kernel_pml4);

	for (pa = 0; pa < maxphys; pa += NBPD) {
		vaddr_t va = DMAP_BASE + pa;

		if (!(pml4[pl4_i(va)] & PG_V))
			pml4[pl4_i(va)] = uvm_bootstrap_alloc() | PG_V | PG_RW;
		pdpt = table_va(pml4[pl4_i(va)]);
		if (!(pdpt[pl3_i(va)] & PG_V))
			pdpt[pl3_i(va)] = uvm_bootstrap_alloc() | PG_V | PG_RW;
		pd = table_va(pdpt[pl3_i(va)]);
		pd[pl2_i(va)] = pa | PG_V | PG_RW | PG_PS | PG_G;
	}

	/* Kernel image: physical 0..1 GiB at KERNBASE. */
	pdpt = PHYS_TO_DMAP(uvm_bootstrap_alloc());
	pml4[pl4_i(KERNBASE)] = DMAP_TO_PHYS(pdpt) | PG_V | PG_RW;
	pd = PHYS_TO_DMAP(uvm_bootstrap_alloc());
	pdpt[pl3_i(KERNBASE)] = DMAP_TO_PHYS(pd) | PG_V | PG_RW;
	for (int i = 0; i < 512; i++)
		pd[i] = ((paddr_t)i << 21) | PG_V | PG_RW | PG_PS | PG_G;

	/* KVA: every table down to the leaves, so KVA mappings never allocate tables later. */
	pml4[pl4_i(KVA_BASE)] = uvm_bootstrap_alloc() | PG_V | PG_RW;
	pdpt = table_va(pml4[pl4_i(KVA_BASE)]);
	for (vaddr_t va = KVA_BASE; va < KVA_BASE + KVA_SIZE; va += NBPD) {
		if (!(pdpt[pl3_i(va)] & PG_V))
			pdpt[pl3_i(va)] = uvm_bootstrap_alloc() | PG_V | PG_RW;
		pd = table_va(pdpt[pl3_i(va)]);
		pd[pl2_i(va)] = uvm_bootstrap_alloc() | PG_V | PG_RW;
	}
	lcr3(kernel_pml4);
}

/* Returns the kernel leaf entry for a KVA address, creating tables as needed. */
static pt_entry_t *
pmap_kpte(vaddr_t va)
{
	pt_entry_t *t = PHYS_TO_DMAP(kernel_pml4);
	static const int shifts[3] = { 39, 30, 21 };

	KASSERT(va >= KVA_BASE && va < KVA_BASE + KVA_SIZE);
	for (int level = 0; level < 3; level++) {
		pt_entry_t *e = &t[(va >> shifts[level]) & 511];

		if (!(*e & PG_V)) {
			struct vm_page *pg = ptp_alloc(0);

			if (pg == NULL)
				panic("pmap_kpte: no memory for a kernel page table");
			/* Not reached for the KVA region, whose tables exist from boot. */
			*e = VM_PAGE_TO_PHYS(pg) | PG_V | PG_RW;
		}
		t = table_va(*e);
	}
	return &t[pl1_i(va)];
}

pt_entry_t *
pmap_pte_kernel(vaddr_t va)
{
	return pmap_kpte(va);
}

void
pmap_kenter(vaddr_t va, paddr_t pa)
{
	*pmap_kpte(va) = pa | PG_V | PG_RW | PG_G;
	invlpg(va);
}

void
pmap_kremove(vaddr_t va)
{
	*pmap_kpte(va) = 0;
	invlpg(va);
}

int
pmap_create(struct pmap *pm)
{
	struct vm_page *pg = ptp_alloc(0);
	pt_entry_t *pml4, *kpml4 = PHYS_TO_DMAP(kernel_pml4);

	if (pg == NULL)
		return ENOMEM;
	pm->pm_pml4 = VM_PAGE_TO_PHYS(pg);
	pm->pm_upper = 1;
	pm->pm_leaves = 0;
	pm->pm_uppertables = NULL;
	pml4 = PHYS_TO_DMAP(pm->pm_pml4);
	memcpy(&pml4[256], &kpml4[256], 256 * sizeof(pt_entry_t));
	return 0;
}

void
pmap_activate(struct pmap *pm)
{
	if (rcr3() != pm->pm_pml4)
		lcr3(pm->pm_pml4);
}

/*
 * Gives `pde`'s address space a private copy of a shared leaf table.  Every
 * private page in it becomes copy-on-write in the old table too: the old
 * table's other users are protected by their read-only directory entries
 * until they copy it or become its last user.
 */
static int
pt_unshare(pt_entry_t *pde, int flags)
{
	uint64_t t0 = clock_if_traced();
	struct vm_page *old = PHYS_TO_VM_PAGE(*pde & PG_FRAME);
	struct vm_page *new;
	pt_entry_t *src = table_va(*pde), *dst;

	new = ptp_alloc(flags);
	if (new == NULL)
		return ENOMEM;
	dst = PHYS_TO_DMAP(VM_PAGE_TO_PHYS(new));
	for (uint64_t sum = old->pg_summary; sum != 0; sum &= sum - 1) {
		unsigned blk = __builtin_ctzll(sum) * 8;

		for (unsigned i = blk; i < blk + 8; i++) {
			pt_entry_t e = src[i];

			if (!(e & PG_V))
				continue;
			if (!(e & PG_SHMAP)) {
				e = (e & ~PG_RW) | PG_COW;
				src[i] = e;
			}
			uvm_pageref(PHYS_TO_VM_PAGE(e & PG_FRAME));
			dst[i] = e;
		}
	}
	new->pg_summary = old->pg_summary;
	KASSERT(old->pg_refs > 1);
	old->pg_refs--;
	*pde = VM_PAGE_TO_PHYS(new) | PTE_USER_TABLE;
	uvmexp.pt_copies++;
	if (t0)
		uvmexp.pt_copy_ns += nanouptime() - t0;
	return 0;
}

/* Makes the leaf table under `pde` private and writable at the directory level. */
static int
pt_make_private(struct pmap *pm, pt_entry_t *pde, int flags)
{
	struct vm_page *pt = PHYS_TO_VM_PAGE(*pde & PG_FRAME);
	int error;

	if (pt->pg_refs > 1) {
		if ((error = pt_unshare(pde, flags)) != 0)
			return error;
		tlb_flush(pm);
	} else if (!(*pde & PG_RW)) {
		*pde |= PG_RW;
		tlb_flush(pm);
	}
	return 0;
}

static pt_entry_t *
pmap_walk(struct pmap *pm, vaddr_t va, bool create, bool unshare, int flags)
{
	pt_entry_t *t = PHYS_TO_DMAP(pm->pm_pml4);
	static const int shifts[3] = { 39, 30, 21 };

	KASSERT(va < VM_MAX_USER);
	for (int level = 0; level < 3; level++) {
		pt_entry_t *e = &t[(va >> shifts[level]) & 511];

		if (!(*e & PG_V)) {
			struct vm_page *pg;

			if (!create)
				return NULL;
			if ((pg = ptp_alloc(flags)) == NULL)
				return NULL;
			if (level == 2)
				pm->pm_leaves++;
			else
				pmap_add_upper(pm, pg, level == 1);
			*e = VM_PAGE_TO_PHYS(pg) | PTE_USER_TABLE;
		} else if (level == 2 && unshare) {
			if (pt_make_private(pm, e, flags) != 0)
				return NULL;
		}
		t = table_va(*e);
	}
	return &t[pl1_i(va)];
}

pt_entry_t *
pmap_pte(struct pmap *pm, vaddr_t va, bool create)
{
	return pmap_walk(pm, va, create, create, 0);
}

pt_entry_t *
pmap_pte_lookup(struct pmap *pm, vaddr_t va)
{
	return pmap_walk(pm, va, false, false, 0);
}

/*
 * Calls fn on each leaf table (by its directory entry) overlapping
 * [sva, eva), walking only the tables that exist.
 */
static void
pmap_foreach_pde(struct pmap *pm, vaddr_t sva, vaddr_t eva,
    void (*fn)(struct pmap *, pt_entry_t *pde, vaddr_t base, vaddr_t s, vaddr_t e, void *),
    void *arg)
{
	pt_entry_t *pml4 = PHYS_TO_DMAP(pm->pm_pml4);

	if (sva >= eva)
		return;
	for (unsigned i4 = next_nonzero(pml4, pl4_i(sva), pl4_i(eva - 1) + 1); i4 <= pl4_i(eva - 1);
	    i4 = next_nonzero(pml4, i4 + 1, pl4_i(eva - 1) + 1)) {
		if (!(pml4[i4] & PG_V))
			continue;
		pt_entry_t *pdpt = table_va(pml4[i4]);
		vaddr_t base4 = (vaddr_t)i4 << 39;
		unsigned s3 = base4 < sva ? pl3_i(sva) : 0;
		unsigned e3 = base4 + (1UL << 39) > eva ? pl3_i(eva - 1) : 511;

		for (unsigned i3 = next_nonzero(pdpt, s3, e3 + 1); i3 <= e3;
		    i3 = next_nonzero(pdpt, i3 + 1, e3 + 1)) {
			if (!(pdpt[i3] & PG_V))
				continue;
			pt_entry_t *pd = table_va(pdpt[i3]);
			vaddr_t base3 = base4 | ((vaddr_t)i3 << 30);
			unsigned s2 = base3 < sva ? pl2_i(sva) : 0;
			unsigned e2 = base3 + (1UL << 30) > eva ? pl2_i(eva - 1) : 511;

			for (unsigned i2 = next_nonzero(pd, s2, e2 + 1); i2 <= e2;
			    i2 = next_nonzero(pd, i2 + 1, e2 + 1)) {
				vaddr_t va = base3 | ((vaddr_t)i2 << 21);

				if (pd[i2] & PG_V)
					fn(pm, &pd[i2], va, MAX(va, sva), MIN(va + NBPD, eva), arg);
			}
		}
	}
}

/* Releases a leaf table: drops the page references when this was its last user. */
static void
pt_release(struct pmap *pm, pt_entry_t *pde)
{
	struct vm_page *pt = PHYS_TO_VM_PAGE(*pde & PG_FRAME);

	if (pt->pg_refs > 1) {
		pt->pg_refs--;
	} else {
		pt_entry_t *ptes = table_va(*pde);

		struct vm_page *pages = vm_pages;

		/* Only the blocks the summary marks can hold valid entries. */
		for (uint64_t sum = pt->pg_summary; sum != 0; sum &= sum - 1) {
			pt_entry_t *t = &ptes[__builtin_ctzll(sum) * 8];

#pragma GCC unroll 8
			for (unsigned i = 0; i < 8; i++) {
				pt_entry_t v = t[i];
				struct vm_page *pg;

				if (!(v & PG_V))
					continue;
				/* Dropping a shared page's reference is the common case: keep it short. */
				pg = &pages[(v & PG_FRAME) >> PAGE_SHIFT];
				t[i] = 0;
				if (pg->pg_refs > 1)
					pg->pg_refs--;
				else
					uvm_pageunref(pg);
			}
		}
		ptp_free_clean(pt);
	}
	pm->pm_leaves--;
	*pde = 0;
}

static void
remove_in_table(struct pmap *pm, pt_entry_t *pde, vaddr_t base, vaddr_t s, vaddr_t e,
    void *arg __unused)
{
	pt_entry_t *ptes;

	/* A whole shared table goes with one reference; a part of it needs a private copy. */
	if (s == base && e == base + NBPD) {
		pt_release(pm, pde);
		return;
	}
	if (pt_make_private(pm, pde, 0) != 0) {
		/* XXX No memory to split a shared table: the range stays mapped until exit. */
		printf("forklab: pmap_remove: no memory to unshare a page table\n");
		return;
	}
	ptes = table_va(*pde);
	for (vaddr_t va = s; va < e; va += PAGE_SIZE) {
		pt_entry_t *pte = &ptes[pl1_i(va)];

		if (*pte & PG_V) {
			uvm_pageunref(PHYS_TO_VM_PAGE(*pte & PG_FRAME));
			*pte = 0;
		}
	}
}

void
pmap_remove(struct pmap *pm, vaddr_t sva, vaddr_t eva)
{
	pmap_foreach_pde(pm, sva, eva, remove_in_table, NULL);
	tlb_flush(pm);
}

static void
protect_in_table(struct pmap *pm, pt_entry_t *pde, vaddr_t base __unused, vaddr_t s,
    vaddr_t e, void *arg)
{
	int prot = *(int *)arg;
	pt_entry_t *ptes;

	if (pt_make_private(pm, pde, 0) != 0) {
		printf("forklab: pmap_protect: no memory to unshare a page table\n");
		return;
	}
	ptes = table_va(*pde);
	for (vaddr_t va = s; va < e; va += PAGE_SIZE) {
		pt_entry_t *pte = &ptes[pl1_i(va)];
		pt_entry_t v = *pte;

		if (!(v & PG_V))
			continue;
		v = (prot == VM_PROT_NONE) ? (v & ~PG_U) : (v | PG_U);
		if (!(prot & VM_PROT_WRITE))
			v &= ~PG_RW;
		else if ((v & PG_SHMAP) || !(v & PG_COW))
			v |= PG_RW;
		/* A copy-on-write page stays read-only: the next write copies or reuses it. */
		*pte = v;
	}
}

void
pmap_protect(struct pmap *pm, vaddr_t sva, vaddr_t eva, int prot)
{
	pmap_foreach_pde(pm, sva, eva, protect_in_table, &prot);
	tlb_flush(pm);
}

void
pmap_destroy(struct pmap *pm)
{
	struct vm_page *pg, *next;

	if (rcr3() == pm->pm_pml4)
		lcr3(kernel_pml4);
	/* Leaf tables hang off the page directories; the upper tables are on a list. */
	for (pg = pm->pm_uppertables; pg != NULL; pg = pg->pg_next) {
		pt_entry_t *pd;

		if (!(pg->pg_flags & PGF_PD))
			continue;
		pd = PHYS_TO_DMAP(VM_PAGE_TO_PHYS(pg));
		for (unsigned i = next_nonzero(pd, 0, 512); i < 512; i = next_nonzero(pd, i + 1, 512))
			if (pd[i] & PG_V)
				pt_release(pm, &pd[i]);
	}
	/* Page directories are empty now (pt_release cleared their entries); PDPTs are not. */
	for (pg = pm->pm_uppertables; pg != NULL; pg = next) {
		next = pg->pg_next;
		pg->pg_next = NULL;
		if (pg->pg_flags & PGF_PD) {
			ptp_free_clean(pg);
		} else {
			ptp_free(pg);
		}
	}
	pm->pm_uppertables = NULL;
	ptp_free(PHYS_TO_VM_PAGE(pm->pm_pml4));
	pm->pm_pml4 = 0;
}

static void
count_in_table(struct pmap *pm __unused, pt_entry_t *pde, vaddr_t base __unused,
    vaddr_t s __unused, vaddr_t e __unused, void *arg)
{
	uint64_t *ptes = arg;
	pt_entry_t *t = table_va(*pde);

	for (int i = 0; i < NPTEPG; i++)
		if (t[i] & PG_V)
			(*ptes)++;
}

void
pmap_count(struct pmap *pm, uint64_t *upper, uint64_t *leaves, uint64_t *ptes)
{
	*upper = pm->pm_upper;
	*leaves = pm->pm_leaves;
	if (ptes != NULL) {
		*ptes = 0;
		pmap_foreach_pde(pm, 0, VM_MAX_USER, count_in_table, ptes);
	}
}

/*
 * Returns the child's directory entry for `va`, creating levels 4 and 3
 * only: on-demand fork must not give the child a leaf table of its own.
 */
static pt_entry_t *
pmap_pde_create(struct pmap *pm, vaddr_t va, int flags)
{
	pt_entry_t *t = PHYS_TO_DMAP(pm->pm_pml4);
	static const int shifts[2] = { 39, 30 };

	for (int level = 0; level < 2; level++) {
		pt_entry_t *e = &t[(va >> shifts[level]) & 511];

		if (!(*e & PG_V)) {
			struct vm_page *pg = ptp_alloc(flags);

			if (pg == NULL)
				return NULL;
			pmap_add_upper(pm, pg, level == 1);
			*e = VM_PAGE_TO_PHYS(pg) | PTE_USER_TABLE;
		}
		t = table_va(*e);
	}
	return &t[pl2_i(va)];
}

/*
 * On-demand fork of one leaf table: the child's directory entry points at
 * the parent's table, and both lose their writable bit so the first write
 * on either side faults.
 */
static void
fork_odf_table(struct pmap *src, pt_entry_t *pde, vaddr_t base, vaddr_t s __unused,
    vaddr_t e __unused, void *arg)
{
	struct pmap *dst = arg;
	pt_entry_t *dpde = pmap_pde_create(dst, base, UVM_PGA_RESERVED);

	KASSERT(dpde != NULL && *dpde == 0);
	*pde &= ~PG_RW;
	PHYS_TO_VM_PAGE(*pde & PG_FRAME)->pg_refs++;
	*dpde = *pde;
	dst->pm_leaves++;
	(void)src;
}

struct fork_range_arg {
	struct pmap	*dst;
	enum pmap_fork_mode mode;
	bool		writable;	/* the map entry allows writes */
	bool		shared;		/* the map entry is a shared mapping */
	int		error;
};

/* Copies or shares one valid leaf entry `v` of the parent into the child (all modes). */
static int
fork_one_pte(struct fork_range_arg *fa, pt_entry_t *spte, pt_entry_t *dpte, pt_entry_t v)
{
	struct vm_page *pg = &vm_pages[(v & PG_FRAME) >> PAGE_SHIFT];

	if (fa->shared || (v & PG_SHMAP)) {
		pg->pg_refs++;
		*dpte = v;
	} else if (fa->mode == PMAP_FORK_COPY && fa->writable) {
		struct vm_page *npg = uvm_pagealloc(UVM_PGA_RESERVED);

		if (npg == NULL)
			return ENOMEM;
		memcpy(PHYS_TO_DMAP(VM_PAGE_TO_PHYS(npg)), PHYS_TO_DMAP(VM_PAGE_TO_PHYS(pg)),
		    PAGE_SIZE);
		*dpte = VM_PAGE_TO_PHYS(npg) | (v & (PG_U | PG_V)) | PG_RW;
	} else {
		/* Copy-on-write: both sides read-only; a mapped page already holds a reference. */
		v = (v & ~PG_RW) | PG_COW;
		*spte = v;
		pg->pg_refs++;
		*dpte = v;
	}
	return 0;
}

static void
fork_range_in_table(struct pmap *src, pt_entry_t *pde, vaddr_t base __unused, vaddr_t s,
    vaddr_t e, void *arg)
{
	struct fork_range_arg *fa = arg;
	struct vm_page *spg, *dpg = NULL;
	pt_entry_t *sptes, *dptes = NULL;
	unsigned first = pl1_i(s), last = first + ((e - s) >> PAGE_SHIFT);
	unsigned b0 = first / 8, b1 = (last - 1) / 8;
	uint64_t mask, sum;

	if (fa->error)
		return;
	if ((fa->error = pt_make_private(src, pde, UVM_PGA_RESERVED)) != 0)
		return;
	sptes = table_va(*pde);
	spg = ptp_of(sptes);

	/* Visit only the marked blocks that overlap [first, last). */
	mask = (b1 == 63 ? ~0ULL : (1ULL << (b1 + 1)) - 1) & ~((1ULL << b0) - 1);
	sum = spg->pg_summary & mask;
	if (sum == 0)
		return;

	/*
	 * The common case, a private range under copy-on-write, gets a loop of
	 * its own: it runs once per mapped page of the parent, so it has no
	 * per-entry mode tests and raises page references directly.
	 */
	if (!fa->shared && fa->mode == PMAP_FORK_COW) {
		struct vm_page *pages = vm_pages;
		unsigned blk = __builtin_ctzll(sum);
		pt_entry_t *dpte = pmap_walk(fa->dst, (s & ~(NBPD - 1)) | ((vaddr_t)blk << 15),
		    true, false, UVM_PGA_RESERVED);

		if (dpte == NULL) {
			fa->error = ENOMEM;
			return;
		}
		dptes = dpte - blk * 8;
		dpg = ptp_of(dptes);
		dpg->pg_summary |= sum;
		if (sum == mask) {
			/* Every block is marked: a dense range, one straight loop. */
#pragma GCC unroll 4
			for (unsigned i = first; i < last; i++) {
				pt_entry_t v = sptes[i];

				if (!(v & PG_V))
					continue;
				if (!(v & PG_SHMAP)) {
					v = (v & ~PG_RW) | PG_COW;
					sptes[i] = v;
				}
				pages[(v & PG_FRAME) >> PAGE_SHIFT].pg_refs++;
				dptes[i] = v;
			}
			return;
		}
		for (; sum != 0; sum &= sum - 1) {
			unsigned lo, hi;

			blk = __builtin_ctzll(sum);
			lo = MAX(blk * 8, first);
			hi = MIN(blk * 8 + 8, last);
#pragma GCC unroll 8
			for (unsigned i = lo; i < hi; i++) {
				pt_entry_t v = sptes[i];

				if (!(v & PG_V))
					continue;
				if (!(v & PG_SHMAP)) {
					v = (v & ~PG_RW) | PG_COW;
					sptes[i] = v;
				}
				pages[(v & PG_FRAME) >> PAGE_SHIFT].pg_refs++;
				dptes[i] = v;
			}
		}
		return;
	}

	for (; sum != 0; sum &= sum - 1) {
		unsigned blk = __builtin_ctzll(sum);
		unsigned lo = MAX(blk * 8, first), hi = MIN(blk * 8 + 8, last);
		bool any = false;

		for (unsigned i = lo; i < hi; i++) {
			pt_entry_t v = sptes[i];

			if (!(v & PG_V))
				continue;
			any = true;
			/* The child's leaf table for this 2 MiB, found or made once. */
			if (dptes == NULL) {
				pt_entry_t *dpte = pmap_walk(fa->dst,
				    (s & ~(NBPD - 1)) | ((vaddr_t)i << PAGE_SHIFT),
				    true, false, UVM_PGA_RESERVED);

				if (dpte == NULL) {
					fa->error = ENOMEM;
					return;
				}
				dptes = dpte - i;
				dpg = ptp_of(dptes);
			}
			if ((fa->error = fork_one_pte(fa, &sptes[i], &dptes[i], v)) != 0)
				return;
		}
		if (any)
			dpg->pg_summary |= 1ULL << blk;
		else if (lo == blk * 8 && hi == blk * 8 + 8)
			spg->pg_summary &= ~(1ULL << blk);	/* the whole block is empty now */
	}
}

/*
 * Duplicates the private part of `src` into `dst` for one map entry's
 * range (copy and copy-on-write modes) or, for on-demand fork, the whole
 * user half at once (range ignored).  Page-table pages and copied pages
 * come from the caller's reservation, so this does not fail for lack of
 * memory unless the reservation was too small.
 */
int
pmap_fork_range(struct pmap *src, struct pmap *dst, vaddr_t sva, vaddr_t eva,
    enum pmap_fork_mode mode, bool writable, bool shared)
{
	struct fork_range_arg fa = { dst, mode, writable, shared, 0 };

	if (mode == PMAP_FORK_ODF) {
		pmap_foreach_pde(src, 0, VM_MAX_USER, fork_odf_table, dst);
	} else {
		pmap_foreach_pde(src, sva, eva, fork_range_in_table, &fa);
	}
	tlb_flush(src);
	return fa.error;
}
