/*
 * The scheduler: a run queue, sleep and wakeup on channels, timed sleeps,
 * the per-CPU idle LWP and preemption at return to user mode.
 *
 * The kernel is not preemptive: an LWP in the kernel runs until it
 * sleeps, exits or returns to user mode, where a pending preemption
 * request (set by the clock) is honoured.  Locking: (s) sched_lock covers
 * the run queue, sleep queues and every l_stat.
 *
 * XXX The run queue is global rather than per CPU; with one CPU booted
 * that costs nothing, and per-CPU queues with migration come with SMP.
 */
#include <sys/types.h>
#include <sys/systm.h>
#include <sys/proc.h>
#include <sys/queue.h>
#include <sys/tunable.h>
#include <machine/cpu.h>
#include <machine/cpufunc.h>

kmutex_t sched_lock = KMUTEX_INITIALIZER("sched");

static TAILQ_HEAD(, lwp) runqueue = { NULL, &runqueue.tqh_first };
#define SLEEPQ_HASH	64
static TAILQ_HEAD(sleepq, lwp) sleepq[SLEEPQ_HASH];
static TAILQ_HEAD(, lwp) timedq;	/* (s) LWPs in a sleep with a deadline */

#define QUANTUM_TICKS	2	/* 20 ms at 100 Hz before a CPU-bound LWP yields */

void	cpu_switch_md(struct lwp *old, struct lwp *new);
struct lwp *cpu_switchto(struct lwp *old, struct lwp *new, uint64_t *old_rsp, uint64_t new_rsp);

static struct sleepq *
sleepq_of(const void *chan)
{
	return &sleepq[((uint64_t)chan >> 4) % SLEEPQ_HASH];
}

void
sched_init(void)
{
	for (int i = 0; i < SLEEPQ_HASH; i++)
		TAILQ_INIT(&sleepq[i]);
	TAILQ_INIT(&timedq);
}

/* Puts `l` on the run queue.  sched_lock held. */
static void
runq_insert(struct lwp *l, bool head)
{
	KASSERT(mutex_owned(&sched_lock));
	l->l_stat = LSRUN;
	if (head)
		TAILQ_INSERT_HEAD(&runqueue, l, l_runq);
	else
		TAILQ_INSERT_TAIL(&runqueue, l, l_runq);
}

/* Makes a new or sleeping LWP runnable.  sched_lock held. */
void
setrunnable(struct lwp *l)
{
	KASSERT(mutex_owned(&sched_lock));
	if (l->l_stat == LSSLEEP) {
		TAILQ_REMOVE(sleepq_of(l->l_wchan), l, l_runq);
		if (l->l_sleep_deadline)
			TAILQ_REMOVE(&timedq, l, l_timeq);
		l->l_wchan = NULL;
	}
	KASSERT(l->l_stat == LSIDL || l->l_stat == LSSLEEP || l->l_stat == LSSTOP);
	runq_insert(l, false);
}

/*
 * Makes a newly created LWP runnable, at the head of the queue when the
 * childfirst tunable asks the child to run before its creator.  Takes
 * sched_lock.
 */
void
setrunnable_new(struct lwp *l)
{
	mutex_enter(&sched_lock);
	if (tun.childfirst)
		setrunnable_first(l);
	else
		setrunnable(l);
	mutex_exit(&sched_lock);
}

/* Like setrunnable, but the LWP runs before everything queued (child-runs-first). */
void
setrunnable_first(struct lwp *l)
{
	KASSERT(mutex_owned(&sched_lock) && l->l_stat == LSIDL);
	runq_insert(l, true);
	curcpu()->ci_want_resched = true;
}

/*
 * Switches to the next runnable LWP.  Called with sched_lock held and the
 * current LWP's l_stat already changed (runnable, sleeping or zombie);
 * returns, with sched_lock released, when the caller runs again.
 */
void
mi_switch(void)
{
	struct cpu_info *ci = curcpu();
	struct lwp *cur = ci->ci_curlwp, *next, *prev;

	KASSERT(mutex_owned(&sched_lock));
	next = TAILQ_FIRST(&runqueue);
	if (next != NULL)
		TAILQ_REMOVE(&runqueue, next, l_runq);
	else
		next = ci->ci_idlelwp;
	ci->ci_want_resched = false;
	if (next == cur) {
		cur->l_stat = LSONPROC;
		mutex_exit(&sched_lock);
		return;
	}
	next->l_stat = LSONPROC;
	next->l_cpu = ci;
	ci->ci_slice_start = ci->ci_ticks;
	cpu_switch_md(cur, next);
	ci->ci_curlwp = next;
	prev = cpu_switchto(cur, next, &cur->l_pcb->pcb_rsp, next->l_pcb->pcb_rsp);
	(void)prev;
	/* Back in `cur`, switched to by some other LWP. */
	ci = curcpu();
	if (ci->ci_deadlwp != NULL && ci->ci_deadlwp != cur) {
		struct lwp *dead = ci->ci_deadlwp;

		ci->ci_deadlwp = NULL;
		mutex_exit(&sched_lock);
		lwp_free_dead(dead);
		return;
	}
	mutex_exit(&sched_lock);
}

/* First code of a new LWP after its first switch-in (from lwp_trampoline). */
void
lwp_startup(struct lwp *prev __unused)
{
	struct cpu_info *ci = curcpu();

	if (ci->ci_deadlwp != NULL && ci->ci_deadlwp != ci->ci_curlwp) {
		struct lwp *dead = ci->ci_deadlwp;

		ci->ci_deadlwp = NULL;
		mutex_exit(&sched_lock);
		lwp_free_dead(dead);
		return;
	}
	mutex_exit(&sched_lock);
}

/* Gives up the CPU to another runnable LWP, staying runnable. */
void
preempt(void)
{
	struct lwp *l = curlwp;

	mutex_enter(&sched_lock);
	runq_insert(l, false);
	mi_switch();
}

/*
 * Sleeps on `chan` until wakeup(chan), the timeout (ns, 0 for none) or,
 * when `intr` is set, a signal or an exit request.  Returns 0, EINTR or
 * ETIMEDOUT.  Must not be called with any lock but sched_lock's callers'
 * own state settled.
 *
 * XXX No interlock: correct while one CPU runs a non-preemptive kernel,
 * where no wakeup can slip between the caller's check and the sleep.
 */
int
tsleep(const void *chan, bool intr, const char *wmesg, uint64_t timeout_ns)
{
	struct lwp *l = curlwp;

	if (intr && ((l->l_flag & LW_WEXIT) || sig_pending_unmasked(l)))
		return EINTR;
	mutex_enter(&sched_lock);
	l->l_wchan = chan;
	l->l_wmesg = wmesg;
	l->l_sleep_intr = intr;
	l->l_timedout = false;
	l->l_stat = LSSLEEP;
	TAILQ_INSERT_TAIL(sleepq_of(chan), l, l_runq);
	l->l_sleep_deadline = timeout_ns ? nanouptime() + timeout_ns : 0;
	if (l->l_sleep_deadline)
		TAILQ_INSERT_TAIL(&timedq, l, l_timeq);
	mi_switch();
	if (l->l_timedout)
		return ETIMEDOUT;
	if (intr && ((l->l_flag & LW_WEXIT) || sig_pending_unmasked(l)))
		return EINTR;
	return 0;
}

static void
wakeup_n(const void *chan, bool one)
{
	struct sleepq *sq = sleepq_of(chan);
	struct lwp *l, *next;

	mutex_enter(&sched_lock);
	TAILQ_FOREACH_SAFE(l, sq, l_runq, next) {
		if (l->l_wchan == chan) {
			setrunnable(l);
			if (one)
				break;
		}
	}
	mutex_exit(&sched_lock);
}

void
wakeup(const void *chan)
{
	wakeup_n(chan, false);
}

void
wakeup_one(const void *chan)
{
	wakeup_n(chan, true);
}

/* Ends an interruptible sleep of `l` because a signal or exit request arrived. */
void
sched_lwp_wake(struct lwp *l)
{
	mutex_enter(&sched_lock);
	if (l->l_stat == LSSLEEP && l->l_sleep_intr)
		setrunnable(l);
	mutex_exit(&sched_lock);
}

/* Clock interrupt: timed-out sleepers and the end of the running LWP's quantum. */
void
sched_tick(void)
{
	struct cpu_info *ci = curcpu();
	struct lwp *l, *next;
	uint64_t now = nanouptime();

	ci->ci_ticks++;
	mutex_enter(&sched_lock);
	TAILQ_FOREACH_SAFE(l, &timedq, l_timeq, next) {
		if (l->l_sleep_deadline <= now) {
			l->l_timedout = true;
			setrunnable(l);
		}
	}
	if (ci->ci_curlwp != ci->ci_idlelwp && !TAILQ_EMPTY(&runqueue) &&
	    ci->ci_ticks - ci->ci_slice_start >= QUANTUM_TICKS)
		ci->ci_want_resched = true;
	mutex_exit(&sched_lock);
}

/* The idle LWP: runs whatever becomes runnable, halting the CPU in between. */
void
idle_loop(void *arg __unused)
{
	for (;;) {
		cli();
		if (!TAILQ_EMPTY(&runqueue)) {
			sti();
			mutex_enter(&sched_lock);
			curlwp->l_stat = LSRUN;	/* not queued: mi_switch returns here when idle again */
			mi_switch();
			continue;
		}
		/* sti takes effect after hlt starts, so no interrupt is lost in between. */
		__asm volatile("sti; hlt" ::: "memory");
	}
}
