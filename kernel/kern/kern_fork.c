/*
 * Process creation, after NetBSD's fork1() (sys/kern/kern_fork.c, rev
 * 1.218), step by step and in its order:
 *
 *	limits		the global process limit and RLIMIT_NPROC: EAGAIN
 *	u-area		allocated before the point of no return: ENOMEM
 *	---		point of no return
 *	proc		zeroed and copied sections of struct proc
 *	files		descriptor table copied, shared or started clean
 *	cwd, limits, signals	cwd shared or copied, limits copy-on-write,
 *			vfork's PL_PPWAIT mark, signal actions, statistics
 *	vmspace		uvm_proc_fork: address space copied or shared
 *	lwp_create	the child's first LWP
 *	hooks, lists	fork hooks, then the child joins the process lists
 *	runnable	PS_STOPFORK, or the child is made runnable
 *	vfork wait	the parent waits for a vfork child to exec or exit
 *
 * NetBSD may sleep for memory after the point of no return.  forklab must
 * instead report exhaustion (and inject allocation failures) without a
 * half-made child, so every allocation the later phases need is made
 * between the u-area and the point of no return, and undone in reverse
 * order on failure.  The address space's pages are reserved, not yet
 * copied: the copy itself stays in its phase.
 */
#include <sys/types.h>
#include <sys/systm.h>
#include <sys/proc.h>
#include <sys/file.h>
#include <sys/tunable.h>
#include <machine/cpu.h>
#include <uvm/uvm.h>


/* Fork hooks, run for every new process (NetBSD's forkhook_establish). */
typedef void (*forkhook_t)(struct proc *p2, struct proc *p1, struct lwp *l2, struct lwp *l1);
#define FORKHOOK_MAX	4
static forkhook_t forkhooks[FORKHOOK_MAX];
static int nforkhooks;

void
forkhook_establish(forkhook_t fn)
{
	KASSERT(nforkhooks < FORKHOOK_MAX);
	forkhooks[nforkhooks++] = fn;
}

/* Everything allocated before the point of no return. */
struct fork_prealloc {
	struct uarea	*fp_uarea;
	struct proc	*fp_proc;
	struct lwp	*fp_lwp;
	struct filedesc	*fp_fd;		/* NULL with FORK_SHAREFILES */
	struct cwdinfo	*fp_cwdi;	/* NULL with FORK_SHARECWD */
	struct plimit	*fp_limit;	/* NULL when the parent's set can be shared */
	struct sigacts	*fp_sigacts;	/* NULL with FORK_SHARESIGS */
	struct uvm_fork_prep fp_vm;	/* unused with FORK_SHAREVM */
};

static enum pmap_fork_mode
fork_vm_mode(int flags)
{
	/* 4.4BSD vfork (vfork=copy) copies the address space like fork does. */
	(void)flags;
	switch (tun.cow) {
	case COW_COPY:
		return PMAP_FORK_COPY;
	case COW_ODF:
		return PMAP_FORK_ODF;
	default:
		return PMAP_FORK_COW;
	}
}

/* Adds the time since *stamp to the phase `ph` of the trace (trace=1 only). */
static inline void
trace_add(uint64_t *stamp, uint64_t *acc, enum fork_phase ph, bool tracing)
{
	if (tracing) {
		uint64_t now = nanouptime();

		acc[ph] += now - *stamp;
		*stamp = now;
	}
}

/*
 * Allocates what fork1's later phases need; returns 0 or ENOMEM with
 * nothing left allocated.  When tracing, the time of each allocation is
 * added to the phase that uses it, so the breakdown stays per concept.
 */
static int
fork_prealloc(struct proc *p1, int flags, struct fork_prealloc *fp, bool tracing,
    uint64_t *acc)
{
	uint64_t stamp = tracing ? nanouptime() : 0;

	if ((fp->fp_proc = proc_alloc()) == NULL)
		goto bad;
	if ((fp->fp_lwp = lwp_alloc()) == NULL)
		goto bad_proc;
	trace_add(&stamp, acc, PH_PROC, tracing);
	if (!(flags & FORK_SHAREFILES) && (fp->fp_fd = fd_alloc()) == NULL)
		goto bad_lwp;
	trace_add(&stamp, acc, PH_FILES, tracing);
	if (!(flags & FORK_SHARECWD) && (fp->fp_cwdi = cwdinit(p1->p_cwdi)) == NULL)
		goto bad_fd;
	if (p1->p_limit->pl_writeable && (fp->fp_limit = lim_copy(p1->p_limit)) == NULL)
		goto bad_cwdi;
	if (!(flags & FORK_SHARESIGS) && (fp->fp_sigacts = sigacts_alloc()) == NULL)
		goto bad_limit;
	trace_add(&stamp, acc, PH_CWD_LIMITS_SIGS, tracing);
	if (!(flags & FORK_SHAREVM) &&
	    uvm_fork_prepare(p1->p_vmspace, fork_vm_mode(flags), &fp->fp_vm) != 0)
		goto bad_sigacts;
	trace_add(&stamp, acc, PH_VMSPACE, tracing);
	return 0;

bad_sigacts:
	if (fp->fp_sigacts != NULL)
		sigactsfree(fp->fp_sigacts);
bad_limit:
	if (fp->fp_limit != NULL)
		lim_free(fp->fp_limit);
bad_cwdi:
	if (fp->fp_cwdi != NULL)
		cwdfree(fp->fp_cwdi);
bad_fd:
	if (fp->fp_fd != NULL)
		fd_free(fp->fp_fd);
bad_lwp:
	lwp_free_mem(fp->fp_lwp);
bad_proc:
	proc_free_mem(fp->fp_proc);
bad:
	return ENOMEM;
}

/* Ends phase `ph`: its time is what passed since *stamp plus what was set aside for it. */
static inline void
trace_mark(uint64_t *stamp, const uint64_t *acc, enum fork_phase ph, bool tracing)
{
	if (tracing) {
		uint64_t now = nanouptime();

		fork_trace.ft_ns[ph] = now - *stamp + acc[ph];
		*stamp = now;
	}
}

/*
 * Creates a new process as a copy of l1's process.  `flags` are FORK_*;
 * `exitsig` is sent to the parent when the child exits (0 for none);
 * `stack` (if not NULL) becomes the child's user stack pointer; the
 * child's first LWP runs func(arg), child_return by default, before it
 * returns to user mode.  On success stores the child's pid in retval[0]
 * and returns 0; returns EAGAIN at a process limit and ENOMEM when memory
 * is short, with nothing changed.  May sleep (vfork).
 */
int
fork1(struct lwp *l1, int flags, int exitsig, void *stack, size_t stacksize,
    void (*func)(void *), void *arg, int64_t *retval)
{
	struct proc *p1 = l1->l_proc, *p2, *parent;
	struct fork_prealloc fp = { 0 };
	struct lwp *l2;
	uid_t uid = p1->p_uid;
	bool tracing = tun.trace;
	uint64_t stamp = tracing ? nanouptime() : 0;
	uint64_t acc[PH_NPHASES] = { 0 };	/* preallocation time, by phase */
	int count;

	KASSERTMSG((flags & ~FORK_ALLFLAGS) == 0, "fork1: unknown flags %#x", flags);
	KASSERT(exitsig >= 0 && exitsig <= NSIG);
	(void)stacksize;

	/*
	 * Process entries are allocated dynamically, but a global limit on
	 * their number still applies.  Then comes the per-user limit, which
	 * root may exceed (NetBSD's kauth RLIMIT bypass).
	 */
	mutex_enter(&proc_lock);
	if (__predict_false(nprocs + 1 >= maxproc)) {
		static struct ratelimit rl;

		mutex_exit(&proc_lock);
		if (ratecheck(&rl, 10000))
			printf("forklab: fork1: proc table is full; increase maxproc\n");
		return EAGAIN;
	}
	nprocs++;
	count = chgproccnt(uid, 1);
	if (__predict_false((uint64_t)count > p1->p_limit->pl_rlimit[RLIMIT_NPROC].rlim_cur) &&
	    p1->p_euid != 0) {
		(void)chgproccnt(uid, -1);
		nprocs--;
		mutex_exit(&proc_lock);
		return EAGAIN;
	}
	mutex_exit(&proc_lock);
	trace_mark(&stamp, acc, PH_LIMITS, tracing);

	/*
	 * Allocate the u-area now, while it is still easy to back out.  Then
	 * everything else the later phases need (see the comment at the top).
	 */
	fp.fp_uarea = uvm_uarea_alloc();
	if (__predict_false(fp.fp_uarea == NULL))
		goto bad_limits;
	trace_mark(&stamp, acc, PH_UAREA, tracing);
	if (__predict_false(fork_prealloc(p1, flags, &fp, tracing, acc) != 0))
		goto bad_uarea;
	if (tracing)
		stamp = nanouptime();

	/*
	 * We are now committed to the fork: nothing below may fail.
	 *
	 * Zero the section of the new proc that starts zeroed, and copy the
	 * section that is inherited as is.  The child stays SIDL, invisible
	 * to kill and wait, until it joins the process lists.
	 */
	p2 = fp.fp_proc;
	memset(&p2->p_startzero, 0,
	    (char *)&p2->p_endzero - (char *)&p2->p_startzero);
	memcpy(&p2->p_startcopy, &p1->p_startcopy,
	    (char *)&p2->p_endcopy - (char *)&p2->p_startcopy);
	p2->p_stat = SIDL;
	LIST_INIT(&p2->p_lwps);
	LIST_INIT(&p2->p_children);
	p2->p_flag = p1->p_flag & (PK_NOCLDWAIT | PK_CLDSIGIGN);
	if (flags & FORK_SYSTEM) {
		/* Children of a system process are reparented to init when they exit. */
		p2->p_flag |= PK_SYSTEM | PK_NOCLDWAIT;
	}
	/* Processes that share signal state share the lock that covers it. */
	if (flags & FORK_SHARESIGS)
		p2->p_lock = p1->p_lock;
	mutex_enter(&proc_lock);
	proc_alloc_pid(p2);
	mutex_exit(&proc_lock);
	trace_mark(&stamp, acc, PH_PROC, tracing);

	/* Descriptor table: shared, started clean, or copied. */
	if (flags & FORK_SHAREFILES) {
		fd_share(p1->p_fd);
		p2->p_fd = p1->p_fd;
	} else if (flags & FORK_CLEANFILES) {
		p2->p_fd = fp.fp_fd;
	} else {
		p2->p_fd = fd_copy(p1->p_fd, fp.fp_fd);
	}
	trace_mark(&stamp, acc, PH_FILES, tracing);

	/* Working directory: shared or copied (already copied in fork_prealloc). */
	if (flags & FORK_SHARECWD) {
		cwdshare(p1->p_cwdi);
		p2->p_cwdi = p1->p_cwdi;
	} else {
		p2->p_cwdi = fp.fp_cwdi;
	}

	/* Resource limits are copy-on-write unless the parent's set was written in place. */
	if (fp.fp_limit == NULL) {
		lim_addref(p1->p_limit);
		p2->p_limit = p1->p_limit;
	} else {
		p2->p_limit = fp.fp_limit;
	}

	/* vfork: the parent will wait for this child (PL_PPWAIT). */
	mutex_enter(&proc_lock);
	if (flags & FORK_PPWAIT) {
		p2->p_lflag = PL_PPWAIT;
		l1->l_vforkwaiting = true;
		p2->p_vforklwp = l1;
	} else {
		p2->p_lflag = 0;
		l1->l_vforkwaiting = false;
	}
	parent = (flags & FORK_NOWAIT) ? initproc : p1;
	p2->p_pptr = parent;
	p2->p_ppid = parent->p_pid;
	mutex_exit(&proc_lock);

	/* Signal actions, inherited stop-on-fork flags, statistics. */
	p2->p_sigacts = sigactsinit(p1, flags & FORK_SHARESIGS, fp.fp_sigacts);
	mutex_enter(p1->p_lock);
	p2->p_sflag |= p1->p_sflag & (PS_STOPFORK | PS_STOPEXEC | PS_NOCLDSTOP);
	mutex_exit(p1->p_lock);
	p2->p_stats.ps_start_ns = nanouptime();
	p2->p_stats.ps_forks = 0;
	p1->p_stats.ps_forks++;
	trace_mark(&stamp, acc, PH_CWD_LIMITS_SIGS, tracing);

	/* Set up the child's address space: shared, or duplicated in the chosen mode. */
	if (flags & FORK_SHAREVM) {
		uvmspace_addref(p1->p_vmspace);
		p2->p_vmspace = p1->p_vmspace;
	} else {
		p2->p_vmspace = uvmspace_fork_prepared(p1->p_vmspace, fork_vm_mode(flags), &fp.fp_vm);
	}
	trace_mark(&stamp, acc, PH_VMSPACE, tracing);

	/* The child's first LWP; it returns to user mode through func (child_return). */
	l2 = fp.fp_lwp;
	l2->l_lid = p2->p_pid;
	lwp_create(l1, p2, fp.fp_uarea, l2, (flags & FORK_PPWAIT) ? LWP_VFORK : 0,
	    stack, func != NULL ? func : child_return, func != NULL ? arg : l2,
	    &l1->l_sigmask, &l1->l_sigstk);
	trace_mark(&stamp, acc, PH_LWP_CREATE, tracing);

	/* Fork hooks (the Linux emulation sets thread ids and TLS here). */
	for (int i = 0; i < nforkhooks; i++)
		(*forkhooks[i])(p2, p1, l2, l1);

	/* It is now safe for the scheduler and other processes to see the child. */
	mutex_enter(&proc_lock);
	LIST_INSERT_HEAD(&parent->p_children, p2, p_sibling);
	p2->p_exitsig = exitsig;
	proc_enterpgrp(p2, p1);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	LIST_INSERT_HEAD(&allproc, p2, p_list);
	mutex_exit(&proc_lock);
	trace_mark(&stamp, acc, PH_HOOKS_LISTS, tracing);

	/* Make the child runnable, unless it is to stop at birth (PS_STOPFORK). */
	mutex_enter(p2->p_lock);
	KASSERT(p2->p_nlwps == 1);
	KASSERT(l2->l_stat == LSIDL);
	if (p2->p_sflag & PS_STOPFORK) {
		p2->p_nrlwps = 0;
		p2->p_stat = SSTOP;
		mutex_exit(p2->p_lock);
		mutex_enter(&sched_lock);
		l2->l_stat = LSSTOP;
		mutex_exit(&sched_lock);
	} else {
		p2->p_nrlwps = 1;
		p2->p_stat = SACTIVE;
		mutex_exit(p2->p_lock);
		setrunnable_new(l2);
	}
	if (retval != NULL)
		retval[0] = p2->p_pid;
	trace_mark(&stamp, acc, PH_RUNNABLE, tracing);

	/* Preserve vfork's synchronisation: wait until the child execs or exits. */
	while (l1->l_vforkwaiting)
		(void)tsleep(&l1->l_vforkwaiting, false, "vfork", 0);
	trace_mark(&stamp, acc, PH_VFORK_WAIT, tracing);
	if (tracing)
		fork_trace.ft_seq++;
	return 0;

bad_uarea:
	uvm_uarea_free(fp.fp_uarea);
bad_limits:
	mutex_enter(&proc_lock);
	(void)chgproccnt(uid, -1);
	nprocs--;
	mutex_exit(&proc_lock);
	return ENOMEM;
}

/* The child's first code in the kernel: it returns to user mode with 0 from fork. */
void
child_return(void *arg)
{
	struct lwp *l = arg;

	KASSERT(l == curlwp);
	l->l_md_regs->tf_rax = 0;
}
