/*
 * u-areas: an LWP's kernel stack with its PCB at the bottom.  With
 * uarea=alloc every LWP gets freshly allocated, zeroed and mapped pages
 * that are unmapped and freed when it exits; with uarea=cache a per-CPU
 * cache keeps ready u-areas, as NetBSD's uvm_uarea_alloc takes them from
 * a pool_cache with per-CPU storage.
 */
#include <sys/types.h>
#include <sys/systm.h>
#include <sys/tunable.h>
#include <machine/cpu.h>
#include <uvm/uvm.h>

uint64_t uvm_uareas_inuse;
static struct pool uarea_pool;
static bool uarea_pool_ready;

static struct uarea *
uarea_fresh(int npages)
{
	struct uarea *ua;

	if (!uarea_pool_ready) {
		pool_init(&uarea_pool, sizeof(struct uarea), "uarea");
		uarea_pool_ready = true;
	}
	if ((ua = pool_get(&uarea_pool)) == NULL)
		return NULL;
	ua->ua_va = (vaddr_t)uvm_km_alloc(npages, true);
	if (ua->ua_va == 0) {
		pool_put(&uarea_pool, ua);
		return NULL;
	}
	ua->ua_pages = npages;
	return ua;
}

static void
uarea_destroy(struct uarea *ua)
{
	uvm_km_free((void *)ua->ua_va, ua->ua_pages);
	pool_put(&uarea_pool, ua);
}

/* Returns a u-area of tun.uarea_pages pages, or NULL when memory is short. */
struct uarea *
uvm_uarea_alloc(void)
{
	struct cpu_info *ci = curcpu();
	struct uarea *ua = NULL;

	if (failpoint_hit(FP_UAREA))
		return NULL;
	if (tun.uarea == ALLOC_CACHE && ci->ci_uarea_ncached > 0 &&
	    ci->ci_uarea_pages == tun.uarea_pages)
		ua = ci->ci_uarea_cache[--ci->ci_uarea_ncached];
	if (ua == NULL)
		ua = uarea_fresh(tun.uarea_pages);
	if (ua != NULL)
		uvm_uareas_inuse++;
	return ua;
}

void
uvm_uarea_free(struct uarea *ua)
{
	struct cpu_info *ci = curcpu();

	KASSERT(uvm_uareas_inuse > 0);
	uvm_uareas_inuse--;
	if (tun.uarea == ALLOC_CACHE && ua->ua_pages == tun.uarea_pages) {
		/* A cache of another size is stale: drop it before keeping this one. */
		if (ci->ci_uarea_pages != ua->ua_pages)
			uvm_uarea_drain();
		if (ci->ci_uarea_ncached < UAREA_CACHE_MAX) {
			ci->ci_uarea_pages = ua->ua_pages;
			ci->ci_uarea_cache[ci->ci_uarea_ncached++] = ua;
			return;
		}
	}
	uarea_destroy(ua);
}

/* Frees every cached u-area of this CPU (memory pressure, or an exact count). */
void
uvm_uarea_drain(void)
{
	struct cpu_info *ci = curcpu();

	while (ci->ci_uarea_ncached > 0)
		uarea_destroy(ci->ci_uarea_cache[--ci->ci_uarea_ncached]);
}
