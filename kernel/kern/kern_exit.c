/*
 * Process exit and wait: ending the other LWPs, releasing a vfork parent,
 * freeing resources, reparenting children to init, becoming a zombie,
 * notifying the parent, and reaping by wait4.
 */
#include <sys/types.h>
#include <sys/systm.h>
#include <sys/proc.h>
#include <sys/file.h>
#include <sys/tunable.h>
#include <machine/cpu.h>
#include <uvm/uvm.h>

#define WNOHANG		0x00000001
#define WUNTRACED	0x00000002
#define WCONTINUED	0x00000008
#define __WNOTHREAD	0x20000000
#define __WALL		0x40000000
#define __WCLONE	0x80000000

void	syscall_report_enosys(void);
int	futex_wake_addr(struct lwp *, uint64_t uaddr, int count);

/* Processes reaped automatically (no zombie): freed after their last switch. */
static LIST_HEAD(, proc) deadproc = { NULL };
static kmutex_t deadproc_lock = KMUTEX_INITIALIZER("deadproc");

/*
 * Asks every other LWP of l's process to exit and waits until they have.
 * Called by the LWP that exits the process or execs.
 */
void
exit_lwps(struct lwp *l)
{
	struct proc *p = l->l_proc;
	struct lwp *l2;

	mutex_enter(p->p_lock);
	while (p->p_nrlwps > 1) {
		LIST_FOREACH(l2, &p->p_lwps, l_sibling) {
			if (l2 != l && !(l2->l_flag & LW_WEXIT)) {
				l2->l_flag |= LW_WEXIT;
				mutex_exit(p->p_lock);
				sched_lwp_wake(l2);
				mutex_enter(p->p_lock);
			}
		}
		mutex_exit(p->p_lock);
		(void)tsleep(&p->p_nrlwps, false, "exitlwps", 10000000);
		mutex_enter(p->p_lock);
	}
	mutex_exit(p->p_lock);
}

/* Wakes the parent LWP waiting in vfork for this child.  proc_lock held. */
static void
vfork_release(struct proc *p)
{
	struct lwp *pl = p->p_vforklwp;

	KASSERT(mutex_owned(&proc_lock));
	if (!(p->p_lflag & PL_PPWAIT))
		return;
	p->p_lflag &= ~PL_PPWAIT;
	p->p_vforklwp = NULL;
	pl->l_vforkwaiting = false;
	wakeup(&pl->l_vforkwaiting);
}

void
proc_vfork_done(struct proc *p)
{
	mutex_enter(&proc_lock);
	vfork_release(p);
	mutex_exit(&proc_lock);
}

/* Frees a zombie's remaining state.  proc_lock held; the process's last LWP is gone. */
static void
proc_reap(struct proc *p)
{
	KASSERT(mutex_owned(&proc_lock));
	LIST_REMOVE(p, p_sibling);
	LIST_REMOVE(p, p_list);
	proc_leavepgrp(p);
	proc_free_pid(p);
	(void)chgproccnt(p->p_uid, -1);
	nprocs--;
	proc_free_mem(p);
}

/* Frees auto-reaped processes whose last LWP has switched away for good. */
void
proc_reap_dead(void)
{
	struct proc *p;

	for (;;) {
		mutex_enter(&deadproc_lock);
		if ((p = LIST_FIRST(&deadproc)) == NULL || p->p_nlwps != 0) {
			mutex_exit(&deadproc_lock);
			return;
		}
		LIST_REMOVE(p, p_sibling);
		mutex_exit(&deadproc_lock);
		mutex_enter(&proc_lock);
		LIST_REMOVE(p, p_list);
		proc_leavepgrp(p);
		proc_free_pid(p);
		(void)chgproccnt(p->p_uid, -1);
		nprocs--;
		mutex_exit(&proc_lock);
		proc_free_mem(p);
	}
}

static void
halt_for_init(struct proc *p)
{
	syscall_report_enosys();
	if (p->p_xsig) {
		printf("forklab: halt: init killed by signal %d\n", p->p_xsig);
		cpu_halt_machine(HALT_INIT_SIGNALED);
	}
	printf("forklab: halt: init exited with status %d\n", p->p_xexit);
	cpu_halt_machine(MIN(p->p_xexit, HALT_INIT_MAX));
}

/*
 * Ends the process of `l` with exit code `exitcode`, or killed by signal
 * `signo` when that is not 0.  Does not return.
 */
void
exit1(struct lwp *l, int exitcode, int signo)
{
	struct proc *p = l->l_proc, *q, *next, *parent;
	struct vmspace *vm;
	bool autoreap;

	/* Only one LWP exits the process; any other that tries just ends itself. */
	mutex_enter(p->p_lock);
	if (p->p_flag & PK_WEXIT) {
		mutex_exit(p->p_lock);
		lwp_exit(l);
	}
	p->p_flag |= PK_WEXIT;
	p->p_xexit = exitcode & 0xff;
	p->p_xsig = signo;
	mutex_exit(p->p_lock);
	exit_lwps(l);

	if (l->l_clear_tid != 0) {
		(void)suword32((void *)l->l_clear_tid, 0);
		(void)futex_wake_addr(l, l->l_clear_tid, 1);
	}
	mutex_enter(&proc_lock);
	vfork_release(p);
	mutex_exit(&proc_lock);

	/* Release the resources the zombie does not need. */
	fd_free(p->p_fd);
	p->p_fd = NULL;
	cwdfree(p->p_cwdi);
	p->p_cwdi = NULL;
	lim_free(p->p_limit);
	p->p_limit = NULL;
	vm = p->p_vmspace;
	p->p_vmspace = NULL;
	uvmspace_free(vm);

	if (p == initproc)
		halt_for_init(p);

	/*
	 * Give our children to init, wake init for any zombie among them, and
	 * become a zombie, unless the parent ignores SIGCHLD (SIG_IGN or
	 * SA_NOCLDWAIT), in which case Linux and NetBSD reap at once.
	 */
	mutex_enter(&proc_lock);
	struct proc *reaper = p->p_pptr;

	/* Orphans go to the nearest living subreaper among the ancestors, else to init. */
	while (reaper != initproc && reaper->p_pptr != NULL &&
	    (!(reaper->p_flag & PK_SUBREAPER) || (reaper->p_flag & PK_WEXIT)))
		reaper = reaper->p_pptr;
	if (!(reaper->p_flag & PK_SUBREAPER) || (reaper->p_flag & PK_WEXIT))
		reaper = initproc;
	LIST_FOREACH_SAFE(q, &p->p_children, p_sibling, next) {
		LIST_REMOVE(q, p_sibling);
		q->p_pptr = reaper;
		q->p_ppid = reaper->p_pid;
		LIST_INSERT_HEAD(&reaper->p_children, q, p_sibling);
		if (q->p_stat == SZOMB)
			wakeup(reaper->p_waitchan);
	}
	parent = p->p_pptr;
	autoreap = (parent->p_flag & PK_NOCLDWAIT) && p->p_exitsig == SIGCHLD;
	mutex_enter(p->p_lock);
	p->p_stat = autoreap ? SDEAD : SZOMB;
	mutex_exit(p->p_lock);
	if (autoreap) {
		LIST_REMOVE(p, p_sibling);
		mutex_enter(&deadproc_lock);
		LIST_INSERT_HEAD(&deadproc, p, p_sibling);
		mutex_exit(&deadproc_lock);
	}
	sigactsfree(p->p_sigacts);
	p->p_sigacts = NULL;
	if (p->p_exitsig != 0) {
		struct ksiginfo ksi = { p->p_xsig ? CLD_KILLED : CLD_EXITED, p->p_pid, p->p_uid,
		    p->p_xsig ? p->p_xsig : p->p_xexit, 0 };

		psignal_info(parent, p->p_exitsig, &ksi);
	}
	wakeup(parent->p_waitchan);
	mutex_exit(&proc_lock);

	/* The last LWP: freed by whoever runs next on this CPU. */
	mutex_enter(p->p_lock);
	LIST_REMOVE(l, l_sibling);
	p->p_nrlwps--;
	mutex_enter(&sched_lock);
	p->p_nlwps--;
	l->l_stat = LSZOMB;
	curcpu()->ci_deadlwp = l;
	mutex_exit(p->p_lock);
	mi_switch();
	panic("exit1: a dead LWP was switched back in");
}

/* Linux's encoding of a child's end for wait4. */
static int
wait_status(struct proc *p)
{
	if (p->p_xsig)
		return p->p_xsig & 0x7f;
	return (p->p_xexit & 0xff) << 8;
}

static bool
wait_matches(struct proc *parent, struct proc *c, pid_t pid, int options)
{
	bool clone_child = c->p_exitsig != SIGCHLD;

	if (pid > 0 && c->p_pid != pid)
		return false;
	if (pid == 0 && proc_getpgid(c) != proc_getpgid(parent))
		return false;
	if (pid < -1 && proc_getpgid(c) != -pid)
		return false;
	/* Linux: __WCLONE waits for clone children only, __WALL for all, neither for others. */
	if (!(options & __WALL) && clone_child != ((options & __WCLONE) != 0))
		return false;
	return true;
}

/*
 * Waits for a child matching `pid` (Linux wait4 rules) to become a zombie
 * and reaps it.  Returns 0 with *found the child's pid and *status its
 * wait status (or *found 0 with WNOHANG when none is ready yet), ECHILD,
 * EINVAL, or ERESTART when a signal interrupts the wait.
 */
int
do_wait4(struct lwp *l, pid_t pid, int *status, int options, pid_t *found)
{
	struct proc *p = l->l_proc, *c;

	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WALL | __WCLONE))
		return EINVAL;
	for (;;) {
		int nfound = 0;

		proc_reap_dead();
		mutex_enter(&proc_lock);
		LIST_FOREACH(c, &p->p_children, p_sibling) {
			if (c->p_stat == SIDL || !wait_matches(p, c, pid, options))
				continue;
			nfound++;
			if (c->p_stat == SZOMB && c->p_nlwps == 0) {
				*status = wait_status(c);
				*found = c->p_pid;
				proc_reap(c);
				mutex_exit(&proc_lock);
				return 0;
			}
		}
		mutex_exit(&proc_lock);
		if (nfound == 0)
			return ECHILD;
		if (options & WNOHANG) {
			*found = 0;
			return 0;
		}
		if (tsleep(p->p_waitchan, true, "wait", 0) == EINTR)
			return ERESTART;
	}
}
