/*
 * Spin mutexes (see <sys/lock.h> for the lock order).  Holding one keeps
 * interrupts off on this CPU; the atomic exchange makes the same code
 * correct with more CPUs.  As NetBSD's spin mutexes do with the IPL, the
 * CPU counts the mutexes it holds and restores the interrupt flag only
 * when the last is released, so mutexes may be released in any order.
 */
#include <sys/types.h>
#include <sys/systm.h>
#include <sys/lock.h>
#include <machine/cpu.h>
#include <machine/cpufunc.h>

void
mutex_init(kmutex_t *mtx, const char *name)
{
	mtx->mtx_locked = 0;
	mtx->mtx_owner = NULL;
	mtx->mtx_name = name;
}

void
mutex_enter(kmutex_t *mtx)
{
	uint64_t flags = read_rflags();
	struct cpu_info *ci;

	cli();
	ci = curcpu();
	KASSERTMSG(mtx->mtx_owner != ci || mtx->mtx_locked == 0,
	    "mutex_enter: %s already held by this CPU", mtx->mtx_name);
	while (__atomic_exchange_n(&mtx->mtx_locked, 1, __ATOMIC_ACQUIRE) != 0)
		__builtin_ia32_pause();
	mtx->mtx_owner = ci;
	if (ci->ci_mtx_count++ == 0)
		ci->ci_mtx_oldif = (flags & PSL_I) != 0;
}

void
mutex_exit(kmutex_t *mtx)
{
	struct cpu_info *ci = curcpu();

	KASSERTMSG(mtx->mtx_owner == ci, "mutex_exit: %s not held", mtx->mtx_name);
	KASSERT(ci->ci_mtx_count > 0);
	mtx->mtx_owner = NULL;
	__atomic_store_n(&mtx->mtx_locked, 0, __ATOMIC_RELEASE);
	if (--ci->ci_mtx_count == 0 && ci->ci_mtx_oldif)
		sti();
}

bool
mutex_owned(const kmutex_t *mtx)
{
	return mtx->mtx_locked && mtx->mtx_owner == curcpu();
}
