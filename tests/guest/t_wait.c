/*
 * t_wait: wait4(2) and its relatives.  Checks the exact status encoding for
 * exits and fatal signals, WNOHANG, ECHILD, waiting for one pid or any, the
 * error cases of kill(2) and signals to process groups, and orphan
 * reparenting.  SIGCHLD set to SIG_IGN or SA_NOCLDWAIT must leave no zombie,
 * and a SIGCHLD handler must get the child's siginfo.
 */
#include "gtest.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Far above any pid Linux hands out (pid_max is at most 2^22). */
#define NO_SUCH_PID 0x3ffffff0

static long
wait4_raw(long pid, int *status, int options)
{
	long r;

	do
		r = gt_syscall(SYS_wait4, pid, (long)status, options, 0, 0, 0);
	while (r == -EINTR);
	return r;
}

static long
kill_raw(long pid, long sig)
{
	return gt_syscall(SYS_kill, pid, sig, 0, 0, 0, 0);
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static pid_t
fork_exit(int code)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(code);
	gt_ok(pid > 0, "fork of a child exiting with %d", code);
	return pid;
}

/* A child that blocks until it is killed. */
static pid_t
fork_sleeper(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		for (;;)
			pause();
	}
	gt_ok(pid > 0, "fork of a sleeping child");
	return pid;
}

static void
test_exit_statuses(void)
{
	static const int codes[] = { 0, 1, 42, 255 };
	static const int raw[] = { 0x0000, 0x0100, 0x2a00, 0xff00 };
	int status;
	pid_t pid;

	for (int i = 0; i < 4; i++) {
		pid = fork_exit(codes[i]);
		if (pid <= 0)
			continue;
		status = -1;
		gt_eq(pid, wait4_raw(pid, &status, 0), "wait4 for exit(%d)",
		    codes[i]);
		gt_status(raw[i], status, "raw status of exit(%d)", codes[i]);
		gt_ok(WIFEXITED(status), "WIFEXITED after exit(%d)", codes[i]);
		gt_eq(codes[i], WEXITSTATUS(status), "WEXITSTATUS after exit(%d)",
		    codes[i]);
		gt_ok(!WIFSIGNALED(status), "!WIFSIGNALED after exit(%d)",
		    codes[i]);
	}

	/* Only the low 8 bits of the exit code survive. */
	pid = fork();
	if (pid == 0)
		gt_syscall(SYS_exit_group, 256 + 3, 0, 0, 0, 0, 0);
	if (gt_ok(pid > 0, "fork for exit_group(259)"))
		gt_wait_status(pid, 0x0300, "exit_group(259) reports 3");
}

static void
check_signal_status(pid_t pid, int sig, int raw, const char *what)
{
	int status = -1;

	if (pid <= 0)
		return;
	gt_eq(pid, wait4_raw(pid, &status, 0), "wait4 for %s", what);
	gt_status(raw, status, "raw status of %s", what);
	gt_ok(WIFSIGNALED(status), "WIFSIGNALED for %s", what);
	gt_eq(sig, WTERMSIG(status), "WTERMSIG for %s", what);
	gt_ok(!WIFEXITED(status), "!WIFEXITED for %s", what);
}

static void
test_signal_statuses(void)
{
	pid_t pid;

	pid = fork_sleeper();
	if (pid > 0)
		gt_eq(0, kill(pid, SIGKILL), "kill SIGKILL");
	check_signal_status(pid, SIGKILL, 9, "SIGKILL");

	pid = fork();
	if (pid == 0) {
		*(volatile int *)0 = 1;
		_exit(0);
	}
	gt_ok(pid > 0, "fork for SIGSEGV");
	check_signal_status(pid, SIGSEGV, 11, "SIGSEGV");

	pid = fork();
	if (pid == 0)
		abort();
	gt_ok(pid > 0, "fork for SIGABRT");
	check_signal_status(pid, SIGABRT, 6, "SIGABRT");

	pid = fork_sleeper();
	if (pid > 0)
		gt_eq(0, kill(pid, SIGTERM), "kill SIGTERM");
	check_signal_status(pid, SIGTERM, 15, "SIGTERM");
}

static void
test_wnohang_and_echild(void)
{
	int status = 0x1234;
	pid_t pid;

	gt_sys(ECHILD, wait4_raw(-1, &status, 0), "wait4(-1) with no children");
	gt_sys(ECHILD, wait4_raw(-1, &status, WNOHANG),
	    "wait4(-1, WNOHANG) with no children");

	pid = fork_sleeper();
	if (pid <= 0)
		return;
	gt_sys(0, wait4_raw(pid, &status, WNOHANG),
	    "wait4(pid, WNOHANG) while the child runs");
	gt_sys(0, wait4_raw(-1, &status, WNOHANG),
	    "wait4(-1, WNOHANG) while the child runs");
	gt_sys(ECHILD, wait4_raw(NO_SUCH_PID, &status, WNOHANG),
	    "wait4 for a pid that is not a child");
	gt_sys(EINVAL, wait4_raw(pid, &status, 0x40000),
	    "wait4 with an unknown option bit");
	kill(pid, SIGKILL);
	gt_wait_status(pid, GT_KILLED(SIGKILL), "sleeping child after SIGKILL");
}

static void
test_specific_and_any(void)
{
	pid_t pids[3];
	int status, seen = 0;

	for (int i = 0; i < 3; i++)
		pids[i] = fork_exit(10 + i);
	if (pids[0] <= 0 || pids[1] <= 0 || pids[2] <= 0)
		return;
	sleep_ms(20);

	status = -1;
	gt_eq(pids[1], wait4_raw(pids[1], &status, 0), "wait4 for the middle "
	    "child's pid");
	gt_status(GT_EXITED(11), status, "status of the middle child");
	for (int n = 0; n < 2; n++) {
		long r = wait4_raw(-1, &status, 0);

		if (r == pids[0]) {
			seen |= 1;
			gt_status(GT_EXITED(10), status, "status of the first child");
		} else if (r == pids[2]) {
			seen |= 4;
			gt_status(GT_EXITED(12), status, "status of the third child");
		} else {
			gt_ok(0, "wait4(-1) returned %ld, not a remaining child", r);
		}
	}
	gt_eq(5, seen, "wait4(-1) returns each remaining child once");
	gt_sys(ECHILD, wait4_raw(-1, &status, 0), "wait4(-1) after all reaped");
}

static void
test_kill_errors(void)
{
	pid_t pid, leader;
	int gate[2];

	gt_sys(EINVAL, kill_raw(getpid(), 65), "kill with signal 65");
	gt_sys(EINVAL, kill_raw(getpid(), -1), "kill with signal -1");
	gt_sys(ESRCH, kill_raw(NO_SUCH_PID, 0), "kill of a nonexistent pid");
	gt_sys(ESRCH, kill_raw(-NO_SUCH_PID, SIGKILL),
	    "kill of a nonexistent process group");
	gt_sys(0, kill_raw(getpid(), 0), "kill(getpid(), 0)");

	pid = fork_exit(0);
	if (pid > 0) {
		gt_sys(0, kill_raw(pid, 0), "kill(pid, 0) of an exiting child");
		gt_wait_status(pid, GT_EXITED(0), "exiting child");
	}

	/*
	 * A negative pid signals a process group: the child leads a group of
	 * two and waits for its member, so only a signal to the group (or to
	 * the leader) can end it.
	 */
	if (!gt_eq(0, pipe(gate), "pipe for the group"))
		return;
	leader = fork();
	if (leader == 0) {
		pid_t member;

		setpgid(0, 0);
		member = fork();
		if (member == 0) {
			for (;;)
				pause();
		}
		write(gate[1], "x", 1);
		wait4_raw(member, NULL, 0);
		_exit(3);
	}
	if (!gt_ok(leader > 0, "fork of a group leader")) {
		close(gate[0]);
		close(gate[1]);
		return;
	}
	{
		char c;

		gt_eq(1, read(gate[0], &c, 1), "group leader ready");
	}
	gt_eq(leader, getpgid(leader), "child leads its own process group");
	gt_sys(0, kill_raw(-leader, SIGKILL), "kill(-group, SIGKILL)");
	gt_wait_status(leader, GT_KILLED(SIGKILL), "group leader killed through "
	    "its group");
	close(gate[0]);
	close(gate[1]);
}

/*
 * An orphan goes to the nearest subreaper or, without one, to PID 1.  The
 * body makes itself a subreaper when the kernel supports it (Linux), so the
 * expected parent is exact either way.
 */
static void
test_orphan(void)
{
	volatile long *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int subreaper = prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0;
	long expected = subreaper ? getpid() : 1;
	pid_t middle;

	if (!gt_ok(shared != MAP_FAILED, "mmap for the orphan test"))
		return;
	shared[0] = 0;	/* the grandchild's pid */
	shared[1] = 0;	/* its getppid() after the middle child exited */
	shared[2] = 0;	/* set when shared[1] is valid */

	middle = fork();
	if (middle == 0) {
		pid_t me = getpid();
		pid_t grandchild = fork();

		if (grandchild == 0) {
			/* Wait (up to about 20 s) to be orphaned. */
			for (int i = 0; i < 20000 && getppid() == me; i++)
				sleep_ms(1);
			shared[1] = getppid();
			shared[2] = 1;
			_exit(0);
		}
		shared[0] = grandchild;
		_exit(grandchild > 0 ? 0 : 1);
	}
	if (!gt_ok(middle > 0, "fork of the middle child"))
		return;
	gt_wait_status(middle, GT_EXITED(0), "middle child exits at once");
	gt_ok(shared[0] > 0, "middle child forked the grandchild");

	for (int i = 0; i < 30000 && !shared[2]; i++)
		sleep_ms(1);
	gt_eq(1, shared[2], "orphaned grandchild reported");
	gt_eq(expected, shared[1], "orphan's getppid (%s)",
	    subreaper ? "the subreaper" : "PID 1");
	if (subreaper && shared[0] > 0)
		gt_wait_status((pid_t)shared[0], GT_EXITED(0),
		    "subreaper reaps the orphan");
	prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
	munmap((void *)shared, 4096);
}

static void
test_no_zombies(void)
{
	struct sigaction sa, old;
	int status;
	pid_t pid;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGCHLD, &sa, &old);
	pid = fork_exit(0);
	if (pid > 0)
		gt_sys(ECHILD, wait4_raw(pid, &status, 0),
		    "SIGCHLD SIG_IGN: wait4 finds no zombie");
	sigaction(SIGCHLD, &old, NULL);

	sa.sa_handler = SIG_DFL;
	sa.sa_flags = SA_NOCLDWAIT;
	sigaction(SIGCHLD, &sa, &old);
	pid = fork_exit(0);
	if (pid > 0)
		gt_sys(ECHILD, wait4_raw(pid, &status, 0),
		    "SA_NOCLDWAIT: wait4 finds no zombie");
	sigaction(SIGCHLD, &old, NULL);

	/* Back to SIG_DFL: a zombie stays until it is reaped. */
	pid = fork_exit(9);
	if (pid > 0) {
		sleep_ms(20);
		gt_wait_status(pid, GT_EXITED(9), "zombie kept with SIG_DFL");
	}
}

static volatile sig_atomic_t chld_count;
static volatile sig_atomic_t alarm_fired;
static volatile pid_t chld_pid;
static volatile int chld_code;
static volatile int chld_status;

static void
on_sigchld(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	chld_count++;
	chld_pid = si->si_pid;
	chld_code = si->si_code;
	chld_status = si->si_status;
}

static void
on_alarm(int sig)
{
	(void)sig;
	alarm_fired = 1;
}

/*
 * Fork a child that exits with VALUE (or, when KILLED, is killed by signal
 * VALUE) and check the siginfo of the SIGCHLD it sends.
 */
static void
expect_sigchld(int killed, int value, int code, const char *what)
{
	sigset_t block, prev;
	pid_t pid;

	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &prev);
	chld_count = 0;
	pid = killed ? fork_sleeper() : fork_exit(value);
	if (pid <= 0) {
		sigprocmask(SIG_SETMASK, &prev, NULL);
		return;
	}
	if (killed)
		kill(pid, value);
	/* SIGALRM ends the wait if SIGCHLD never comes. */
	alarm_fired = 0;
	alarm(20);
	while (chld_count == 0 && !alarm_fired)
		sigsuspend(&prev);
	alarm(0);
	sigprocmask(SIG_SETMASK, &prev, NULL);

	gt_eq(1, chld_count, "%s: one SIGCHLD", what);
	gt_eq(pid, chld_pid, "%s: si_pid", what);
	gt_eq(code, chld_code, "%s: si_code", what);
	gt_eq(value, chld_status, "%s: si_status", what);
	gt_wait_status(pid, killed ? GT_KILLED(value) : GT_EXITED(value),
	    "%s: status", what);
}

static void
test_sigchld_handler(void)
{
	struct sigaction sa, old;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigchld;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigaction(SIGCHLD, &sa, &old);
	signal(SIGALRM, on_alarm);
	expect_sigchld(0, 3, CLD_EXITED, "SIGCHLD for exit(3)");
	expect_sigchld(1, SIGKILL, CLD_KILLED, "SIGCHLD for SIGKILL");
	sigaction(SIGCHLD, &old, NULL);
	signal(SIGALRM, SIG_DFL);
}

static void
test_getppid(void)
{
	volatile long *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t pid;

	if (!gt_ok(shared != MAP_FAILED, "mmap for getppid"))
		return;
	pid = fork();
	if (pid == 0) {
		shared[0] = getppid();
		_exit(0);
	}
	if (gt_ok(pid > 0, "fork for getppid")) {
		gt_wait_status(pid, GT_EXITED(0), "getppid child");
		gt_eq(getpid(), shared[0], "getppid in the child is the parent");
	}
	gt_ok(getppid() > 0, "getppid of the test itself (got %d)", getppid());
	munmap((void *)shared, 4096);
}

int
main(int argc, char **argv)
{
	gt_init(argc, argv);

	test_exit_statuses();
	test_signal_statuses();
	test_wnohang_and_echild();
	test_specific_and_any();
	test_kill_errors();
	test_orphan();
	test_no_zombies();
	test_sigchld_handler();
	test_getppid();
	return gt_finish();
}
