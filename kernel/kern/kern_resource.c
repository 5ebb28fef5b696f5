/*
 * Resource limits, shared copy-on-write between processes as NetBSD does
 * (fork takes a reference, a later setrlimit on a shared set copies it),
 * and the working directory with its umask.
 */
#include <sys/types.h>
#include <sys/systm.h>
#include <sys/proc.h>
#include <sys/tunable.h>
#include <sys/file.h>
#include <uvm/uvm.h>

static struct pool plimit_pool;
static struct pool cwdi_pool;
static bool pools_ready;

static void
resource_pools_init(void)
{
	if (pools_ready)
		return;
	pool_init(&plimit_pool, sizeof(struct plimit), "plimit");
	pool_init(&cwdi_pool, sizeof(struct cwdinfo), "cwdi");
	pools_ready = true;
}

struct plimit *
lim_alloc_default(void)
{
	struct plimit *pl;

	resource_pools_init();
	if ((pl = pool_get(&plimit_pool)) == NULL)
		return NULL;
	pl->pl_refcnt = 1;
	for (int i = 0; i < RLIM_NLIMITS; i++)
		pl->pl_rlimit[i].rlim_cur = pl->pl_rlimit[i].rlim_max = RLIM_INFINITY;
	pl->pl_rlimit[RLIMIT_STACK].rlim_cur = 8UL << 20;
	pl->pl_rlimit[RLIMIT_NOFILE].rlim_cur = NDFILE_MAX_LIMIT;
	pl->pl_rlimit[RLIMIT_NOFILE].rlim_max = NDFILE_MAX_LIMIT;
	pl->pl_rlimit[RLIMIT_CORE].rlim_cur = 0;
	pl->pl_rlimit[RLIMIT_NPROC].rlim_cur = maxproc;
	pl->pl_rlimit[RLIMIT_NPROC].rlim_max = maxproc;
	return pl;
}

/* Returns a private copy of `src` with one reference, or NULL. */
struct plimit *
lim_copy(struct plimit *src)
{
	struct plimit *pl;

	if (failpoint_hit(FP_LIMITS))
		return NULL;
	if ((pl = pool_get(&plimit_pool)) == NULL)
		return NULL;
	memcpy(pl->pl_rlimit, src->pl_rlimit, sizeof(pl->pl_rlimit));
	pl->pl_refcnt = 1;
	return pl;
}

void
lim_addref(struct plimit *pl)
{
	__atomic_add_fetch(&pl->pl_refcnt, 1, __ATOMIC_RELAXED);
}

void
lim_free(struct plimit *pl)
{
	if (__atomic_sub_fetch(&pl->pl_refcnt, 1, __ATOMIC_ACQ_REL) == 0)
		pool_put(&plimit_pool, pl);
}

/* Returns a new cwdinfo copied from `parent` (or "/" when NULL), or NULL. */
struct cwdinfo *
cwdinit(struct cwdinfo *parent)
{
	struct cwdinfo *cw;

	resource_pools_init();
	if (failpoint_hit(FP_CWD))
		return NULL;
	if ((cw = pool_get(&cwdi_pool)) == NULL)
		return NULL;
	cw->cwdi_refcnt = 1;
	if (parent != NULL) {
		cw->cwdi_cmask = parent->cwdi_cmask;
		strlcpy(cw->cwdi_path, parent->cwdi_path, sizeof(cw->cwdi_path));
	} else {
		cw->cwdi_cmask = 022;
		strlcpy(cw->cwdi_path, "/", sizeof(cw->cwdi_path));
	}
	return cw;
}

void
cwdshare(struct cwdinfo *cw)
{
	__atomic_add_fetch(&cw->cwdi_refcnt, 1, __ATOMIC_RELAXED);
}

void
cwdfree(struct cwdinfo *cw)
{
	if (__atomic_sub_fetch(&cw->cwdi_refcnt, 1, __ATOMIC_ACQ_REL) == 0)
		pool_put(&cwdi_pool, cw);
}
