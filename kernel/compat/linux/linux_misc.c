/*
 * The rest of the Linux ABI forklab's programs use: signals, identities,
 * resource limits, time, and a few machine controls.
 */
#include <sys/types.h>
#include <sys/systm.h>
#include <sys/proc.h>
#include <sys/tunable.h>
#include <machine/cpu.h>
#include <machine/cpufunc.h>
#include "linux_syscall.h"

#define ARCH_SET_GS	0x1001
#define ARCH_SET_FS	0x1002
#define ARCH_GET_FS	0x1003
#define ARCH_GET_GS	0x1004
#define CLOCK_REALTIME		0
#define CLOCK_MONOTONIC		1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID	3
#define CLOCK_MONOTONIC_RAW	4
#define CLOCK_REALTIME_COARSE	5
#define CLOCK_MONOTONIC_COARSE	6
#define CLOCK_BOOTTIME		7
#define TIMER_ABSTIME		1
#define LINUX_REBOOT_MAGIC1	0xfee1dead
#define LINUX_REBOOT_CMD_POWER_OFF 0x4321fedc
#define LINUX_REBOOT_CMD_HALT	0xcdef0123
#define PR_SET_NAME		15
#define PR_GET_NAME		16
#define PR_SET_CHILD_SUBREAPER	36
#define PR_GET_CHILD_SUBREAPER	37
#define SS_DISABLE		2
#define MINSIGSTKSZ		2048

int64_t	sys_futex(struct lwp *, uint64_t, int, uint32_t, uint64_t, uint64_t, uint32_t);
void	proc_update_nocldwait(struct proc *);
void	syscall_report_enosys(void);

int
timespec_to_ns(const struct timespec_k *ts, uint64_t *ns)
{
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000)
		return EINVAL;
	if ((uint64_t)ts->tv_sec > UINT64_MAX / 1000000000 - 1)
		*ns = UINT64_MAX / 2;
	else
		*ns = (uint64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
	return 0;
}

uint64_t
clock_realtime_ns(void)
{
	return boottime_ns + nanouptime();
}

static int64_t
linux_rt_sigaction(struct lwp *l, const uint64_t *a)
{
	struct proc *p = l->l_proc;
	int sig = (int)a[0];
	struct k_sigaction nsa, osa;

	if (a[3] != sizeof(sigset_t) || sig < 1 || sig > NSIG)
		return -EINVAL;
	if (a[1] != 0 && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	if (a[1] != 0 && copyin((void *)a[1], &nsa, sizeof(nsa)) != 0)
		return -EFAULT;
	mutex_enter(p->p_lock);
	osa = p->p_sigacts->sa_act[sig];
	if (a[1] != 0) {
		nsa.sa_mask &= ~(sigmask(SIGKILL) | sigmask(SIGSTOP));
		p->p_sigacts->sa_act[sig] = nsa;
		/* Setting SIG_IGN discards a pending signal, as POSIX requires. */
		if (nsa.sa_handler == SIG_IGN) {
			struct lwp *l2;

			p->p_sigpend &= ~sigmask(sig);
			LIST_FOREACH(l2, &p->p_lwps, l_sibling)
				l2->l_sigpend &= ~sigmask(sig);
		}
		if (sig == SIGCHLD)
			proc_update_nocldwait(p);
	}
	mutex_exit(p->p_lock);
	if (a[2] != 0 && copyout(&osa, (void *)a[2], sizeof(osa)) != 0)
		return -EFAULT;
	return 0;
}

static int64_t
linux_rt_sigprocmask(struct lwp *l, const uint64_t *a)
{
	sigset_t set, old = l->l_sigmask;
	const sigset_t cantmask = sigmask(SIGKILL) | sigmask(SIGSTOP);

	if (a[3] != sizeof(sigset_t))
		return -EINVAL;
	if (a[1] != 0) {
		if (copyin((void *)a[1], &set, sizeof(set)) != 0)
			return -EFAULT;
		mutex_enter(l->l_proc->p_lock);
		switch ((int)a[0]) {
		case SIG_BLOCK:
			l->l_sigmask |= set & ~cantmask;
			break;
		case SIG_UNBLOCK:
			l->l_sigmask &= ~set;
			break;
		case SIG_SETMASK:
			l->l_sigmask = set & ~cantmask;
			break;
		default:
			mutex_exit(l->l_proc->p_lock);
			return -EINVAL;
		}
		mutex_exit(l->l_proc->p_lock);
	}
	if (a[2] != 0 && copyout(&old, (void *)a[2], sizeof(old)) != 0)
		return -EFAULT;
	return 0;
}

static int64_t
linux_rt_sigpending(struct lwp *l, const uint64_t *a)
{
	sigset_t pend;

	if (a[1] != sizeof(sigset_t))
		return -EINVAL;
	mutex_enter(l->l_proc->p_lock);
	pend = l->l_sigpend | l->l_proc->p_sigpend;
	mutex_exit(l->l_proc->p_lock);
	return copyout(&pend, (void *)a[0], sizeof(pend)) ? -EFAULT : 0;
}

/* rt_sigsuspend: waits for a signal with a temporary mask; always fails with EINTR. */
static int64_t
linux_rt_sigsuspend(struct lwp *l, const uint64_t *a)
{
	sigset_t mask;

	if (a[1] != sizeof(sigset_t))
		return -EINVAL;
	if (copyin((void *)a[0], &mask, sizeof(mask)) != 0)
		return -EFAULT;
	mutex_enter(l->l_proc->p_lock);
	l->l_sigoldmask = l->l_sigmask;
	l->l_sigrestore = true;
	l->l_sigmask = mask & ~(sigmask(SIGKILL) | sigmask(SIGSTOP));
	mutex_exit(l->l_proc->p_lock);
	while (tsleep(&l->l_sleep_deadline, true, "sigsusp", 0) != EINTR)
		;
	return -EINTR;
}

static int64_t
linux_sigaltstack(struct lwp *l, const uint64_t *a)
{
	struct sigaltstack_k ss, old = l->l_sigstk;

	if (old.ss_size == 0)
		old.ss_flags = SS_DISABLE;
	if (a[0] != 0) {
		if (copyin((void *)a[0], &ss, sizeof(ss)) != 0)
			return -EFAULT;
		if (ss.ss_flags & ~SS_DISABLE)
			return -EINVAL;
		if (ss.ss_flags & SS_DISABLE) {
			memset(&l->l_sigstk, 0, sizeof(l->l_sigstk));
		} else {
			if (ss.ss_size < MINSIGSTKSZ)
				return -ENOMEM;
			l->l_sigstk = ss;
		}
	}
	if (a[1] != 0 && copyout(&old, (void *)a[1], sizeof(old)) != 0)
		return -EFAULT;
	return 0;
}

static bool
may_signal(struct proc *sender, struct proc *target)
{
	return sender->p_euid == 0 || sender->p_uid == target->p_uid ||
	    sender->p_euid == target->p_uid;
}

static int64_t
linux_kill(struct lwp *l, const uint64_t *a)
{
	struct proc *p = l->l_proc, *q;
	pid_t pid = (pid_t)a[0];
	int sig = (int)a[1];
	int found = 0, permitted = 0;

	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	mutex_enter(&proc_lock);
	if (pid > 0) {
		q = proc_find(pid);
		if (q != NULL && q->p_stat != SIDL) {
			found = 1;
			if (may_signal(p, q)) {
				struct ksiginfo ksi = { SI_USER, p->p_pid, p->p_uid, 0, 0 };

				permitted = 1;
				if (sig)
					psignal_info(q, sig, &ksi);
			}
		}
	} else {
		pid_t pgid = pid == 0 ? proc_getpgid(p) : -pid;

		LIST_FOREACH(q, &allproc, p_list) {
			if (q->p_stat == SIDL || q->p_stat == SZOMB || q->p_stat == SDEAD)
				continue;
			if (pid == -1 ? (q == initproc || q == p) : proc_getpgid(q) != pgid)
				continue;
			found++;
			if (may_signal(p, q)) {
				struct ksiginfo ksi = { SI_USER, p->p_pid, p->p_uid, 0, 0 };

				permitted++;
				if (sig)
					psignal_info(q, sig, &ksi);
			}
		}
	}
	mutex_exit(&proc_lock);
	if (!found)
		return -ESRCH;
	return permitted ? 0 : -EPERM;
}

static int64_t
do_tkill(struct lwp *l, pid_t tgid, pid_t tid, int sig)
{
	struct lwp *t;

	if (sig < 0 || sig > NSIG || tid <= 0)
		return -EINVAL;
	mutex_enter(&proc_lock);
	t = lwp_find_tid(tid);
	if (t == NULL || (tgid > 0 && t->l_proc->p_pid != tgid) || t->l_proc->p_stat != SACTIVE) {
		mutex_exit(&proc_lock);
		return -ESRCH;
	}
	if (!may_signal(l->l_proc, t->l_proc)) {
		mutex_exit(&proc_lock);
		return -EPERM;
	}
	if (sig)
		lwp_signal(t, sig);
	mutex_exit(&proc_lock);
	return 0;
}

static int64_t linux_tkill(struct lwp *l, const uint64_t *a) { return do_tkill(l, -1, (pid_t)a[0], (int)a[1]); }
static int64_t
linux_tgkill(struct lwp *l, const uint64_t *a)
{
	if ((pid_t)a[0] <= 0)
		return -EINVAL;
	return do_tkill(l, (pid_t)a[0], (pid_t)a[1], (int)a[2]);
}

static int64_t linux_getpid(struct lwp *l, const uint64_t *a __unused) { return l->l_proc->p_pid; }
static int64_t linux_gettid(struct lwp *l, const uint64_t *a __unused) { return l->l_lid; }
static int64_t linux_getuid(struct lwp *l, const uint64_t *a __unused) { return l->l_proc->p_uid; }
static int64_t linux_geteuid(struct lwp *l, const uint64_t *a __unused) { return l->l_proc->p_euid; }
static int64_t linux_getgid(struct lwp *l, const uint64_t *a __unused) { return l->l_proc->p_gid; }
static int64_t linux_getegid(struct lwp *l, const uint64_t *a __unused) { return l->l_proc->p_egid; }
static int64_t linux_getpgrp(struct lwp *l, const uint64_t *a __unused) { return proc_getpgid(l->l_proc); }

static int64_t
linux_getppid(struct lwp *l, const uint64_t *a __unused)
{
	int64_t ppid;

	mutex_enter(&proc_lock);
	ppid = l->l_proc->p_pptr->p_pid;
	mutex_exit(&proc_lock);
	return ppid;
}

static int64_t
linux_getpgid(struct lwp *l, const uint64_t *a)
{
	struct proc *q;
	int64_t ret;

	if (a[0] == 0)
		return proc_getpgid(l->l_proc);
	mutex_enter(&proc_lock);
	q = proc_find((pid_t)a[0]);
	ret = q != NULL ? proc_getpgid(q) : -ESRCH;
	mutex_exit(&proc_lock);
	return ret;
}

int	proc_setpgid(struct proc *, pid_t, pid_t);
int	proc_setsid(struct proc *);

static int64_t linux_setpgid(struct lwp *l, const uint64_t *a) { return -proc_setpgid(l->l_proc, (pid_t)a[0], (pid_t)a[1]); }
static int64_t linux_setsid(struct lwp *l, const uint64_t *a __unused) { return proc_setsid(l->l_proc); }

static int64_t
linux_getsid(struct lwp *l, const uint64_t *a __unused)
{
	struct pgrp *pg = l->l_proc->p_pgrp;

	return pg != NULL ? pg->pg_session->s_sid : 0;
}

/* setuid: root sets all ids; others may only set the real uid they have. */
static int64_t
linux_setuid(struct lwp *l, const uint64_t *a)
{
	struct proc *p = l->l_proc;
	uid_t uid = (uid_t)a[0];

	if (p->p_euid != 0 && uid != p->p_uid)
		return -EPERM;
	mutex_enter(&proc_lock);
	if (uid != p->p_uid) {
		/* The per-user process count follows the real uid. */
		(void)chgproccnt(p->p_uid, -1);
		(void)chgproccnt(uid, 1);
	}
	mutex_enter(p->p_lock);
	p->p_uid = p->p_euid = uid;
	mutex_exit(p->p_lock);
	mutex_exit(&proc_lock);
	return 0;
}

static int64_t
linux_setgid(struct lwp *l, const uint64_t *a)
{
	struct proc *p = l->l_proc;

	if (p->p_euid != 0 && (gid_t)a[0] != p->p_gid)
		return -EPERM;
	p->p_gid = p->p_egid = (gid_t)a[0];
	return 0;
}

/*
 * prlimit64(pid, resource, new, old) and the older calls built on it.
 * A shared limit set is copied before it is changed (copy-on-write).
 */
static int64_t
do_prlimit(struct lwp *l, pid_t pid, unsigned resource, uint64_t unew, uint64_t uold)
{
	struct proc *p = l->l_proc;
	struct rlimit nl, ol;

	if (pid != 0 && pid != p->p_pid)
		return -ESRCH;	/* XXX limits of other processes are not supported */
	if (resource >= RLIM_NLIMITS)
		return -EINVAL;
	if (unew != 0) {
		if (copyin((void *)unew, &nl, sizeof(nl)) != 0)
			return -EFAULT;
		if (nl.rlim_cur > nl.rlim_max)
			return -EINVAL;
	}
	mutex_enter(p->p_lock);
	ol = p->p_limit->pl_rlimit[resource];
	mutex_exit(p->p_lock);
	if (unew != 0) {
		if (nl.rlim_max > ol.rlim_max && p->p_euid != 0)
			return -EPERM;
		if (p->p_limit->pl_refcnt > 1) {
			struct plimit *copy = lim_copy(p->p_limit), *old;

			if (copy == NULL)
				return -ENOMEM;
			mutex_enter(p->p_lock);
			old = p->p_limit;
			p->p_limit = copy;
			mutex_exit(p->p_lock);
			lim_free(old);
		}
		mutex_enter(p->p_lock);
		p->p_limit->pl_rlimit[resource] = nl;
		p->p_limit->pl_writeable = true;
		mutex_exit(p->p_lock);
	}
	if (uold != 0 && copyout(&ol, (void *)uold, sizeof(ol)) != 0)
		return -EFAULT;
	return 0;
}

static int64_t linux_getrlimit(struct lwp *l, const uint64_t *a) { return do_prlimit(l, 0, (unsigned)a[0], 0, a[1]); }
static int64_t linux_setrlimit(struct lwp *l, const uint64_t *a) { return do_prlimit(l, 0, (unsigned)a[0], a[1], 0); }
static int64_t linux_prlimit64(struct lwp *l, const uint64_t *a) { return do_prlimit(l, (pid_t)a[0], (unsigned)a[1], a[2], a[3]); }

static int64_t
linux_arch_prctl(struct lwp *l, const uint64_t *a)
{
	switch ((int)a[0]) {
	case ARCH_SET_FS:
		if (!uaddr_ok(a[1], 0))
			return -EPERM;
		l->l_private = a[1];
		l->l_pcb->pcb_fsbase = a[1];
		wrmsr(MSR_FSBASE, a[1]);
		return 0;
	case ARCH_GET_FS: {
		uint64_t fs = rdmsr(MSR_FSBASE);

		return copyout(&fs, (void *)a[1], sizeof(fs)) ? -EFAULT : 0;
	}
	default:
		return -EINVAL;
	}
}

static int64_t
linux_set_tid_address(struct lwp *l, const uint64_t *a)
{
	l->l_clear_tid = a[0];
	return l->l_lid;
}

static int64_t
linux_futex(struct lwp *l, const uint64_t *a)
{
	return sys_futex(l, a[0], (int)a[1], (uint32_t)a[2], a[3], a[4], (uint32_t)a[5]);
}

static int64_t
linux_clock_gettime(struct lwp *l __unused, const uint64_t *a)
{
	uint64_t ns;
	struct timespec_k ts;

	switch ((int)a[0]) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
		ns = clock_realtime_ns();
		break;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
	/* XXX CPU-time clocks report elapsed time: CPU time is not accounted per LWP. */
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID:
		ns = nanouptime();
		break;
	default:
		return -EINVAL;
	}
	ts.tv_sec = ns / 1000000000;
	ts.tv_nsec = ns % 1000000000;
	return copyout(&ts, (void *)a[1], sizeof(ts)) ? -EFAULT : 0;
}

static int64_t
linux_clock_getres(struct lwp *l __unused, const uint64_t *a)
{
	struct timespec_k ts = { 0, 1 };

	if ((int)a[0] < 0 || (int)a[0] > CLOCK_BOOTTIME)
		return -EINVAL;
	if (a[1] != 0 && copyout(&ts, (void *)a[1], sizeof(ts)) != 0)
		return -EFAULT;
	return 0;
}

static int64_t
linux_gettimeofday(struct lwp *l __unused, const uint64_t *a)
{
	uint64_t ns = clock_realtime_ns();
	int64_t tv[2] = { (int64_t)(ns / 1000000000), (int64_t)(ns % 1000000000) / 1000 };

	if (a[0] != 0 && copyout(tv, (void *)a[0], sizeof(tv)) != 0)
		return -EFAULT;
	return 0;
}

/* Sleeps until the deadline (ns on `clock`); writes the time left to urem if interrupted. */
static int64_t
sleep_until(struct lwp *l, int clock, uint64_t deadline, uint64_t urem, bool relative)
{
	for (;;) {
		uint64_t now = clock == CLOCK_REALTIME ? clock_realtime_ns() : nanouptime();

		if (now >= deadline)
			return 0;
		if (tsleep(&l->l_sleep_deadline, true, "nanoslp", deadline - now) == EINTR) {
			if (relative && urem != 0) {
				uint64_t left = deadline > now ? deadline - now : 0;
				struct timespec_k ts = { left / 1000000000, left % 1000000000 };

				if (copyout(&ts, (void *)urem, sizeof(ts)) != 0)
					return -EFAULT;
			}
			return -EINTR;
		}
	}
}

static int64_t
linux_nanosleep(struct lwp *l, const uint64_t *a)
{
	struct timespec_k ts;
	uint64_t ns;

	if (copyin((void *)a[0], &ts, sizeof(ts)) != 0)
		return -EFAULT;
	if (timespec_to_ns(&ts, &ns) != 0)
		return -EINVAL;
	return sleep_until(l, CLOCK_MONOTONIC, nanouptime() + ns, a[1], true);
}

static int64_t
linux_clock_nanosleep(struct lwp *l, const uint64_t *a)
{
	struct timespec_k ts;
	int clock = (int)a[0];
	uint64_t ns;

	if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC && clock != CLOCK_BOOTTIME)
		return -EINVAL;
	if (copyin((void *)a[2], &ts, sizeof(ts)) != 0)
		return -EFAULT;
	if (timespec_to_ns(&ts, &ns) != 0)
		return -EINVAL;
	if (clock == CLOCK_BOOTTIME)
		clock = CLOCK_MONOTONIC;
	int64_t r;

	if ((int)a[1] & TIMER_ABSTIME) {
		r = sleep_until(l, clock, ns, 0, false);
	} else {
		uint64_t now = clock == CLOCK_REALTIME ? clock_realtime_ns() : nanouptime();

		r = sleep_until(l, clock, now + ns, a[3], true);
	}

	return r == -EINTR ? EINTR : -r;	/* clock_nanosleep returns the error number itself */
}

/* pause: sleeps until a signal is delivered; a handler's return makes it fail with EINTR. */
static int64_t
linux_pause(struct lwp *l, const uint64_t *a __unused)
{
	while (tsleep(&l->l_sleep_deadline, true, "pause", 0) != EINTR)
		;
	return -EINTR;
}

static int64_t
linux_sched_yield(struct lwp *l __unused, const uint64_t *a __unused)
{
	preempt();
	return 0;
}

struct utsname_k {
	char	sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};

static int64_t
linux_uname(struct lwp *l __unused, const uint64_t *a)
{
	struct utsname_k u;

	memset(&u, 0, sizeof(u));
	strlcpy(u.sysname, "forklab", sizeof(u.sysname));
	strlcpy(u.nodename, "forklab", sizeof(u.nodename));
	strlcpy(u.release, "1.0.0", sizeof(u.release));
	strlcpy(u.version, "forklab research kernel", sizeof(u.version));
	strlcpy(u.machine, "x86_64", sizeof(u.machine));
	strlcpy(u.domainname, "(none)", sizeof(u.domainname));
	return copyout(&u, (void *)a[0], sizeof(u)) ? -EFAULT : 0;
}

static int64_t
linux_getrandom(struct lwp *l __unused, const uint64_t *a)
{
	static uint64_t state;
	uint8_t buf[256];
	size_t done = 0, len = a[1];

	if (state == 0)
		state = rdtsc() | 1;
	while (done < len) {
		size_t n = MIN(len - done, sizeof(buf));

		for (size_t i = 0; i < n; i++) {
			state ^= state << 13;
			state ^= state >> 7;
			state ^= state << 17;
			buf[i] = state >> 24;
		}
		if (copyout(buf, (uint8_t *)a[0] + done, n) != 0)
			return done ? (int64_t)done : -EFAULT;
		done += n;
	}
	return done;
}

/* Robust futex lists and restartable sequences are accepted and not used. */
static int64_t linux_set_robust_list(struct lwp *l __unused, const uint64_t *a __unused) { return 0; }

static int64_t
linux_prctl(struct lwp *l, const uint64_t *a)
{
	struct proc *p = l->l_proc;
	char name[16];

	switch ((int)a[0]) {
	case PR_SET_NAME:
		if (copyin((void *)a[1], name, sizeof(name)) != 0)
			return -EFAULT;
		name[15] = '\0';
		strlcpy(p->p_comm, name, sizeof(p->p_comm));
		return 0;
	case PR_GET_NAME:
		strlcpy(name, p->p_comm, sizeof(name));
		return copyout(name, (void *)a[1], sizeof(name)) ? -EFAULT : 0;
	case PR_SET_CHILD_SUBREAPER:
		mutex_enter(&proc_lock);
		if (a[1])
			p->p_flag |= PK_SUBREAPER;
		else
			p->p_flag &= ~PK_SUBREAPER;
		mutex_exit(&proc_lock);
		return 0;
	case PR_GET_CHILD_SUBREAPER: {
		int32_t v = (p->p_flag & PK_SUBREAPER) != 0;

		return copyout(&v, (void *)a[1], sizeof(v)) ? -EFAULT : 0;
	}
	default:
		return -EINVAL;
	}
}

/* reboot: powers the machine off; on forklab the fourth argument is the exit status. */
static int64_t
linux_reboot(struct lwp *l, const uint64_t *a)
{
	if ((uint32_t)a[0] != LINUX_REBOOT_MAGIC1)
		return -EINVAL;
	if (l->l_proc->p_euid != 0)
		return -EPERM;
	if ((uint32_t)a[2] != LINUX_REBOOT_CMD_POWER_OFF && (uint32_t)a[2] != LINUX_REBOOT_CMD_HALT)
		return -EINVAL;
	printf("forklab: reboot: power off requested by pid %d\n", l->l_proc->p_pid);
	syscall_report_enosys();
	printf("forklab: halt: init exited with status %d\n", (int)(a[3] & 0xff));
	cpu_halt_machine(MIN((int)(a[3] & 0xff), HALT_INIT_MAX));
}

void
linux_misc_register(linux_sysfn_t *t)
{
	t[13] = linux_rt_sigaction;
	t[14] = linux_rt_sigprocmask;
	t[24] = linux_sched_yield;
	t[34] = linux_pause;
	t[35] = linux_nanosleep;
	t[39] = linux_getpid;
	t[62] = linux_kill;
	t[63] = linux_uname;
	t[96] = linux_gettimeofday;
	t[97] = linux_getrlimit;
	t[102] = linux_getuid;
	t[104] = linux_getgid;
	t[105] = linux_setuid;
	t[106] = linux_setgid;
	t[107] = linux_geteuid;
	t[108] = linux_getegid;
	t[109] = linux_setpgid;
	t[110] = linux_getppid;
	t[111] = linux_getpgrp;
	t[121] = linux_getpgid;
	t[112] = linux_setsid;
	t[124] = linux_getsid;
	t[127] = linux_rt_sigpending;
	t[130] = linux_rt_sigsuspend;
	t[131] = linux_sigaltstack;
	t[157] = linux_prctl;
	t[158] = linux_arch_prctl;
	t[160] = linux_setrlimit;
	t[169] = linux_reboot;
	t[186] = linux_gettid;
	t[200] = linux_tkill;
	t[202] = linux_futex;
	t[218] = linux_set_tid_address;
	t[228] = linux_clock_gettime;
	t[229] = linux_clock_getres;
	t[230] = linux_clock_nanosleep;
	t[234] = linux_tgkill;
	t[273] = linux_set_robust_list;
	t[302] = linux_prlimit64;
	t[318] = linux_getrandom;
}
