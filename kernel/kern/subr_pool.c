/*
 * Object caches and general kernel memory.
 *
 * A pool (after NetBSD's pool(9)) carves fixed-size objects from single
 * pages reached through the direct map; a page header at the start of each
 * page keeps the page's free objects.  Pages whose objects are all free
 * stay with the pool until pool_drain_all returns them, so "cached" and
 * "fresh" allocation paths can be compared honestly.
 *
 * Larger allocations (u-areas, big tables) take pages mapped contiguously
 * in the KVA region.
 */
#include <sys/types.h>
#include <sys/systm.h>
#include <sys/queue.h>
#include <machine/pmap.h>
#include <uvm/uvm.h>

struct pool_page {
	LIST_ENTRY(pool_page) pp_list;
	struct pool	*pp_pool;
	void		*pp_freelist;	/* singly linked through the first word */
	unsigned	pp_nfree;
};
#define POOL_HDR	roundup(sizeof(struct pool_page), 64)

static LIST_HEAD(, pool) all_pools;
static kmutex_t pools_lock = KMUTEX_INITIALIZER("pools");

void
pool_init(struct pool *pp, size_t size, const char *name)
{
	size = roundup(MAX(size, 16), 16);
	KASSERTMSG(size <= PAGE_SIZE - POOL_HDR, "pool %s: object of %zu bytes", name, size);
	memset(pp, 0, sizeof(*pp));
	mutex_init(&pp->pr_lock, name);
	pp->pr_name = name;
	pp->pr_size = size;
	pp->pr_perpage = (PAGE_SIZE - POOL_HDR) / size;
	LIST_INIT(&pp->pr_partial);
	LIST_INIT(&pp->pr_full);
	LIST_INIT(&pp->pr_empty);
	mutex_enter(&pools_lock);
	LIST_INSERT_HEAD(&all_pools, pp, pr_list);
	mutex_exit(&pools_lock);
}

static struct pool_page *
pool_page_alloc(struct pool *pp)
{
	struct vm_page *pg = uvm_pagealloc(0);
	struct pool_page *ph;
	char *obj;

	if (pg == NULL)
		return NULL;
	ph = PHYS_TO_DMAP(VM_PAGE_TO_PHYS(pg));
	ph->pp_pool = pp;
	ph->pp_freelist = NULL;
	ph->pp_nfree = pp->pr_perpage;
	obj = (char *)ph + POOL_HDR;
	for (unsigned i = 0; i < pp->pr_perpage; i++, obj += pp->pr_size) {
		*(void **)obj = ph->pp_freelist;
		ph->pp_freelist = obj;
	}
	pp->pr_npages++;
	return ph;
}

void *
pool_get(struct pool *pp)
{
	struct pool_page *ph;
	void *obj;

	mutex_enter(&pp->pr_lock);
	if ((ph = LIST_FIRST(&pp->pr_partial)) == NULL) {
		if ((ph = LIST_FIRST(&pp->pr_empty)) != NULL) {
			LIST_REMOVE(ph, pp_list);
		} else if ((ph = pool_page_alloc(pp)) == NULL) {
			mutex_exit(&pp->pr_lock);
			return NULL;
		}
		LIST_INSERT_HEAD(&pp->pr_partial, ph, pp_list);
	}
	obj = ph->pp_freelist;
	ph->pp_freelist = *(void **)obj;
	if (--ph->pp_nfree == 0) {
		LIST_REMOVE(ph, pp_list);
		LIST_INSERT_HEAD(&pp->pr_full, ph, pp_list);
	}
	pp->pr_nout++;
	mutex_exit(&pp->pr_lock);
	memset(obj, 0, pp->pr_size);
	return obj;
}

void
pool_put(struct pool *pp, void *obj)
{
	struct pool_page *ph = (struct pool_page *)((uint64_t)obj & ~PAGE_MASK);

	KASSERTMSG(ph->pp_pool == pp, "pool_put: %p does not belong to pool %s", obj, pp->pr_name);
	mutex_enter(&pp->pr_lock);
	*(void **)obj = ph->pp_freelist;
	ph->pp_freelist = obj;
	if (ph->pp_nfree++ == 0) {
		LIST_REMOVE(ph, pp_list);
		LIST_INSERT_HEAD(&pp->pr_partial, ph, pp_list);
	}
	if (ph->pp_nfree == pp->pr_perpage) {
		LIST_REMOVE(ph, pp_list);
		LIST_INSERT_HEAD(&pp->pr_empty, ph, pp_list);
	}
	KASSERT(pp->pr_nout > 0);
	pp->pr_nout--;
	mutex_exit(&pp->pr_lock);
}

/* Returns every page whose objects are all free to the page allocator. */
void
pool_drain_all(void)
{
	struct pool *pp;
	struct pool_page *ph;

	mutex_enter(&pools_lock);
	LIST_FOREACH(pp, &all_pools, pr_list) {
		mutex_enter(&pp->pr_lock);
		while ((ph = LIST_FIRST(&pp->pr_empty)) != NULL) {
			LIST_REMOVE(ph, pp_list);
			pp->pr_npages--;
			uvm_pageunref(PHYS_TO_VM_PAGE(DMAP_TO_PHYS(ph)));
		}
		mutex_exit(&pp->pr_lock);
	}
	mutex_exit(&pools_lock);
}

/* Appends one "pool NAME PAGES OBJECTS" line per object cache to buf. */
size_t
pool_format_stats(char *buf, size_t size)
{
	struct pool *pp;
	size_t n = 0;

	mutex_enter(&pools_lock);
	LIST_FOREACH(pp, &all_pools, pr_list)
		n += snprintf(buf + n, n < size ? size - n : 0, "pool %s %lu %lu\n",
		    pp->pr_name, pp->pr_npages, pp->pr_nout);
	mutex_exit(&pools_lock);
	return n;
}

/* Power-of-two caches behind kmem_zalloc: 16 bytes to 2 KiB. */
#define KMEM_NCACHES	8
static struct pool kmem_pools[KMEM_NCACHES];
static const char *const kmem_names[KMEM_NCACHES] = {
	"kmem-16", "kmem-32", "kmem-64", "kmem-128", "kmem-256", "kmem-512",
	"kmem-1024", "kmem-2048",
};

void
kmem_init(void)
{
	for (int i = 0; i < KMEM_NCACHES; i++)
		pool_init(&kmem_pools[i], 16UL << i, kmem_names[i]);
}

static int
kmem_index(size_t size)
{
	int i = 0;

	while ((16UL << i) < size)
		i++;
	return i;
}

void *
kmem_zalloc(size_t size)
{
	if (size > 2048)
		return uvm_km_alloc(howmany(size, PAGE_SIZE), true);
	return pool_get(&kmem_pools[kmem_index(size)]);
}

void
kmem_free(void *p, size_t size)
{
	if (p == NULL)
		return;
	if (size > 2048)
		uvm_km_free(p, howmany(size, PAGE_SIZE));
	else
		pool_put(&kmem_pools[kmem_index(size)], p);
}

/*
 * KVA: a bitmap of the pages of the KVA region, searched next-fit.  Each
 * allocation is followed by an unmapped guard page.  The region's page
 * tables exist from boot (pmap_bootstrap), so a KVA allocation never
 * allocates a table page and the free-page count stays exact across
 * allocate-free cycles.
 */
#define KVA_NPAGES	(KVA_SIZE / PAGE_SIZE)
static uint64_t kva_bitmap[KVA_NPAGES / 64];	/* set bit: page allocated or guard */
static size_t kva_hint;
static kmutex_t kva_lock = KMUTEX_INITIALIZER("kva");

static bool
kva_test(size_t i)
{
	return kva_bitmap[i / 64] & (1ULL << (i % 64));
}

static void
kva_set(size_t first, size_t n, bool on)
{
	for (size_t i = first; i < first + n; i++) {
		if (on)
			kva_bitmap[i / 64] |= 1ULL << (i % 64);
		else
			kva_bitmap[i / 64] &= ~(1ULL << (i % 64));
	}
}

static vaddr_t
kva_alloc(size_t npages)
{
	size_t need = npages + 1, run = 0, i, scanned;

	mutex_enter(&kva_lock);
	for (i = kva_hint, scanned = 0; scanned < KVA_NPAGES + need; i++, scanned++) {
		if (i >= KVA_NPAGES) {
			i = 0;
			run = 0;
		}
		if (kva_test(i)) {
			run = 0;
			continue;
		}
		if (++run == need) {
			size_t first = i + 1 - need;

			kva_set(first, need, true);
			kva_hint = i + 1;
			mutex_exit(&kva_lock);
			return KVA_BASE + first * PAGE_SIZE;
		}
	}
	mutex_exit(&kva_lock);
	return 0;
}

static void
kva_release(vaddr_t va, size_t npages)
{
	mutex_enter(&kva_lock);
	kva_set((va - KVA_BASE) / PAGE_SIZE, npages + 1, false);
	mutex_exit(&kva_lock);
}

void *
uvm_km_alloc(size_t npages, bool zero)
{
	vaddr_t va = kva_alloc(npages);

	if (va == 0)
		return NULL;
	for (size_t i = 0; i < npages; i++) {
		struct vm_page *pg = uvm_pagealloc(zero ? UVM_PGA_ZERO : 0);

		if (pg == NULL) {
			for (size_t j = 0; j < i; j++) {
				pt_entry_t *pte = pmap_pte_kernel(va + j * PAGE_SIZE);

				uvm_pageunref(PHYS_TO_VM_PAGE(*pte & PG_FRAME));
				pmap_kremove(va + j * PAGE_SIZE);
			}
			kva_release(va, npages);
			return NULL;
		}
		pmap_kenter(va + i * PAGE_SIZE, VM_PAGE_TO_PHYS(pg));
	}
	return (void *)va;
}

void
uvm_km_free(void *p, size_t npages)
{
	vaddr_t va = (vaddr_t)p;

	for (size_t i = 0; i < npages; i++) {
		pt_entry_t *pte = pmap_pte_kernel(va + i * PAGE_SIZE);

		uvm_pageunref(PHYS_TO_VM_PAGE(*pte & PG_FRAME));
		pmap_kremove(va + i * PAGE_SIZE);
	}
	kva_release(va, npages);
}
