/*
 * LWPs: creation (lwp_create, used by fork1 for a child's first LWP and by
 * clone for threads), exit, and freeing after the final switch.
 *
 * An LWP is born LSIDL, invisible to the scheduler until its creator makes
 * it runnable; it dies LSZOMB, and the next LWP to run on its CPU frees
 * its u-area, because an LWP cannot free the stack it is running on.
 *
 * With lwp=cache, struct lwp objects are recycled through a per-CPU list
 * instead of returning to the object cache.
 */
#include <sys/types.h>
#include <sys/systm.h>
#include <sys/proc.h>
#include <sys/tunable.h>
#include <machine/cpu.h>
#include <machine/cpufunc.h>
#include <uvm/uvm.h>

#define LWP_CACHE_MAX	64

static struct pool lwp_pool;
static struct pool fpu_snapshot_pool;

/* The parent's FPU state at fork, shared by lazily forked children until their first FPU use. */
struct fpu_snapshot {
	uint8_t		fs_area[512] __aligned(16);
	uint32_t	fs_refs;
};

void	cpu_lwp_fork(struct lwp *l2, const struct trapframe *tf, void *stack,
	    void (*func)(void *), void *arg);
void	fpu_save(struct lwp *);

void
lwp_init(void)
{
	pool_init(&lwp_pool, sizeof(struct lwp), "lwp");
	pool_init(&fpu_snapshot_pool, sizeof(struct fpu_snapshot), "fpusnap");
}

/* Returns a zeroed struct lwp, from the per-CPU cache when lwp=cache, or NULL. */
struct lwp *
lwp_alloc(void)
{
	struct cpu_info *ci = curcpu();
	struct lwp *l;

	if (failpoint_hit(FP_LWP))
		return NULL;
	if (tun.lwp == ALLOC_CACHE && (l = ci->ci_lwp_cache) != NULL) {
		ci->ci_lwp_cache = l->l_cache_next;
		ci->ci_lwp_ncached--;
		memset(l, 0, sizeof(*l));
		return l;
	}
	return pool_get(&lwp_pool);
}

void
lwp_free_mem(struct lwp *l)
{
	struct cpu_info *ci = curcpu();

	if (tun.lwp == ALLOC_CACHE && ci->ci_lwp_ncached < LWP_CACHE_MAX) {
		l->l_cache_next = ci->ci_lwp_cache;
		ci->ci_lwp_cache = l;
		ci->ci_lwp_ncached++;
		return;
	}
	pool_put(&lwp_pool, l);
}

/* Returns every cached struct lwp of this CPU to the object cache. */
void
lwp_cache_drain(void)
{
	struct cpu_info *ci = curcpu();
	struct lwp *l;

	while ((l = ci->ci_lwp_cache) != NULL) {
		ci->ci_lwp_cache = l->l_cache_next;
		ci->ci_lwp_ncached--;
		pool_put(&lwp_pool, l);
	}
}

void
fpu_snapshot_release(void *p)
{
	struct fpu_snapshot *fs = p;

	if (--fs->fs_refs == 0)
		pool_put(&fpu_snapshot_pool, fs);
}

/*
 * Gives l2 the FPU state of l1.  Eager: copied into l2's PCB now.  Lazy:
 * l2 refers to a snapshot and copies it at its first FPU instruction, so a
 * child that execs at once never copies.  Falls back to eager when no
 * snapshot can be allocated.
 */
static void
lwp_fork_fpu(struct lwp *l1, struct lwp *l2)
{
	fpu_save(l1);
	if (l1->l_fpu_state == LFPU_LAZY) {
		/* l1 never used its FPU: share its own pending snapshot. */
		struct fpu_snapshot *fs = l1->l_fpu_src;

		fs->fs_refs++;
		l2->l_fpu_src = fs;
		l2->l_fpu_state = LFPU_LAZY;
		return;
	}
	if (l1->l_fpu_state == LFPU_NONE) {
		l2->l_fpu_state = LFPU_NONE;
		return;
	}
	if (tun.fpu == FPU_LAZY) {
		struct fpu_snapshot *fs = pool_get(&fpu_snapshot_pool);

		if (fs != NULL) {
			memcpy(fs->fs_area, l1->l_pcb->pcb_fpu, sizeof(fs->fs_area));
			fs->fs_refs = 1;
			l2->l_fpu_src = fs;
			l2->l_fpu_state = LFPU_LAZY;
			return;
		}
	}
	memcpy(l2->l_pcb->pcb_fpu, l1->l_pcb->pcb_fpu, sizeof(l2->l_pcb->pcb_fpu));
	l2->l_fpu_state = LFPU_SAVED;
}

/*
 * Creates the LWP `l2` (allocated by the caller, as is its u-area `ua`)
 * in process p2, as a copy of the running LWP l1: it will run func(arg)
 * and then return to user mode with l1's registers, on `stack` if given.
 * The signal mask and signal stack are inherited from the arguments, the
 * TLS pointer from l1.  The new LWP is LSIDL: the caller makes it
 * runnable.  Takes p2->p_lock.  Cannot fail.
 */
void
lwp_create(struct lwp *l1, struct proc *p2, struct uarea *ua, struct lwp *l2,
    int flags __unused, void *stack, void (*func)(void *), void *arg,
    const sigset_t *sigmask, const struct sigaltstack_k *sigstk)
{
	l2->l_proc = p2;
	l2->l_uarea = ua;
	l2->l_pcb = (struct pcb *)ua->ua_va;
	memset(l2->l_pcb, 0, offsetof(struct pcb, pcb_fpu));
	l2->l_stat = LSIDL;
	l2->l_cpu = curcpu();
	l2->l_sigmask = *sigmask;
	l2->l_sigstk = *sigstk;
	l2->l_syscall_restart = -1;
	l2->l_private = l1->l_private;
	l2->l_pcb->pcb_fsbase = rdmsr(MSR_FSBASE);
	lwp_fork_fpu(l1, l2);
	cpu_lwp_fork(l2, l1->l_md_regs, stack, func, arg);
	l2->l_md_regs->tf_rax = 0;	/* the child's return value */

	mutex_enter(p2->p_lock);
	LIST_INSERT_HEAD(&p2->p_lwps, l2, l_sibling);
	p2->p_nlwps++;
	mutex_exit(p2->p_lock);
	__atomic_add_fetch(&nlwps, 1, __ATOMIC_RELAXED);
}

/*
 * Frees what is left of an exited LWP; runs on another LWP after the final
 * switch away from it.
 */
void
lwp_free_dead(struct lwp *l)
{
	KASSERT(l->l_stat == LSZOMB);
	if (curcpu()->ci_fpulwp == l)
		curcpu()->ci_fpulwp = NULL;
	if (l->l_fpu_state == LFPU_LAZY)
		fpu_snapshot_release(l->l_fpu_src);
	uvm_uarea_free(l->l_uarea);
	lwp_free_mem(l);
	__atomic_sub_fetch(&nlwps, 1, __ATOMIC_RELAXED);
}

int	futex_wake_addr(struct lwp *, uint64_t uaddr, int count);

/*
 * Ends the calling LWP: clears and wakes its CLONE_CHILD_CLEARTID word,
 * leaves its process and switches away for good.  The process itself must
 * have other LWPs left (exit1 handles the last one).
 */
void
lwp_exit(struct lwp *l)
{
	struct proc *p = l->l_proc;

	if (l->l_clear_tid != 0) {
		(void)suword32((void *)l->l_clear_tid, 0);
		(void)futex_wake_addr(l, l->l_clear_tid, 1);
	}
	mutex_enter(p->p_lock);
	LIST_REMOVE(l, l_sibling);
	p->p_nlwps--;
	p->p_nrlwps--;
	mutex_exit(p->p_lock);
	/* exit_lwps() in another LWP may be waiting for this one to go. */
	wakeup(&p->p_nrlwps);

	mutex_enter(&sched_lock);
	l->l_stat = LSZOMB;
	curcpu()->ci_deadlwp = l;
	mi_switch();
	panic("lwp_exit: a dead LWP was switched back in");
}
