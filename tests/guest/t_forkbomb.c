/*
 * t_forkbomb: a fork bomb meets the process limits and the machine stays
 * usable.
 *
 * A bomb is a process group in which every process forks in a loop, and
 * every child does the same.  Two bombs run: one as root, stopped only by
 * the global process limit (maxproc, forklab only: on Linux it would fill
 * the host's process table), and one as an ordinary user under
 * RLIMIT_NPROC, which may run on the host because the limit bounds it.
 * Both must see EAGAIN and nothing else.  While a bomb is at its limit a
 * watchdog process must keep counting (and printing), and a fork by root
 * must fail with EAGAIN at maxproc instead of hanging.  Killing the bomb's
 * process group must end every process, and once all are reaped the
 * kernel's counters must be back where they were.
 */
#include "gtest.h"

#include <errno.h>
#include <grp.h>
#include <dirent.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The ordinary user of the RLIMIT_NPROC bomb; nothing else may run as it. */
#define BOMB_UID 47213
#define BOMB_GID 47213
/* Processes the RLIMIT_NPROC bomb may have. */
#define NPROC_LIMIT 24
/* EAGAIN results that show a bomb has been at its limit for a while. */
#define SATURATED 200
/* Longest wait for a bomb to reach its limit, and the watchdog window (ns). */
#define SATURATE_NS (60LL * 1000000000)
#define WINDOW_NS (300LL * 1000000)

struct bomb_shared {
	long	forks;		/* successful forks inside the bomb */
	long	eagain;		/* forks that failed with EAGAIN */
	long	other;		/* forks that failed otherwise */
	int	other_errno;	/* the last such errno */
	long	watchdog;	/* incremented by the watchdog as it runs */
	int	setup_failed;	/* the leader could not drop to BOMB_UID */
};

static struct bomb_shared *sh;

static long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void
sleep_ns(long long ns)
{
	struct timespec ts = { ns / 1000000000, ns % 1000000000 };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Fork forever; every child does the same.  Never returns. */
static void __attribute__((noreturn))
bomb_loop(void)
{
	for (;;) {
		pid_t pid = fork();

		if (pid == 0)
			continue;
		if (pid > 0) {
			__atomic_add_fetch(&sh->forks, 1, __ATOMIC_RELAXED);
			continue;
		}
		if (errno == EAGAIN) {
			__atomic_add_fetch(&sh->eagain, 1, __ATOMIC_RELAXED);
		} else {
			sh->other_errno = errno;
			__atomic_add_fetch(&sh->other, 1, __ATOMIC_RELAXED);
		}
		sched_yield();
	}
}

/*
 * Count and print while a bomb runs, so that a stalled machine shows.
 * Prints a heartbeat every half second of its clock.  Never returns.
 */
static void __attribute__((noreturn))
watchdog(void)
{
	long long next = now_ns();

	for (;;) {
		long n = __atomic_add_fetch(&sh->watchdog, 1, __ATOMIC_RELAXED);

		if ((n & 63) == 0 && now_ns() >= next) {
			gt_note("watchdog: %ld", n);
			next += 500000000;
		}
		sched_yield();
	}
}

/*
 * Start the bomb's leader in a process group of its own; as an ordinary
 * user under RLIMIT_NPROC when AS_USER.  Returns its pid.
 */
static pid_t
bomb_start(int as_user)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	setpgid(0, 0);
	if (as_user) {
		struct rlimit rl = { NPROC_LIMIT, NPROC_LIMIT };

		if (setgroups(0, NULL) != 0 && errno != ENOSYS)
			sh->setup_failed = errno;
		if (setrlimit(RLIMIT_NPROC, &rl) != 0 || setgid(BOMB_GID) != 0 ||
		    setuid(BOMB_UID) != 0) {
			sh->setup_failed = errno;
			_exit(1);
		}
	}
	bomb_loop();
}

/*
 * Wait until the bomb has hit its limit SATURATED times.  Returns nonzero
 * when it did in time.
 */
static int
bomb_wait_saturated(const char *what)
{
	long long deadline = now_ns() + SATURATE_NS;

	while (__atomic_load_n(&sh->eagain, __ATOMIC_RELAXED) < SATURATED &&
	    now_ns() < deadline && !sh->setup_failed)
		sleep_ns(10 * 1000000);
	return gt_ok(sh->eagain >= SATURATED, "%s reaches its limit: %ld EAGAIN "
	    "after %ld forks", what, sh->eagain, sh->forks);
}

/* Reap the children and orphans handed to us: all, or (NOHANG) those that ended. */
static long reaped;

static long
reap(int nohang)
{
	long r;

	while ((r = gt_syscall(SYS_wait4, -1, 0, __WALL | (nohang ? WNOHANG : 0),
	    0, 0, 0)) > 0 || r == -EINTR)
		reaped += r > 0;
	return r;
}

/*
 * Kill the bomb's process group until no member is left, reaping the
 * members handed to us meanwhile (a zombie still counts as a member).
 * Returns the number of rounds.
 */
static int
bomb_kill(pid_t leader)
{
	int rounds = 0;

	while (kill(-leader, SIGKILL) == 0 && rounds < 10000) {
		rounds++;
		reap(1);
		sleep_ns(1000000);
	}
	gt_eq(ESRCH, errno, "kill of the bomb's process group ends with ESRCH "
	    "(after %d rounds)", rounds);
	return rounds;
}

/* Check that the watchdog advances over a short window. */
static void
check_watchdog(const char *what)
{
	long before = __atomic_load_n(&sh->watchdog, __ATOMIC_RELAXED), after;

	sleep_ns(WINDOW_NS);
	after = __atomic_load_n(&sh->watchdog, __ATOMIC_RELAXED);
	gt_ok(after > before, "%s: the watchdog advances over %lld ms (%ld, "
	    "then %ld)", what, WINDOW_NS / 1000000, before, after);
}

/* One bomb, from start to the leak check. */
static void
run_bomb(int as_user)
{
	const char *what = as_user ? "RLIMIT_NPROC bomb" : "maxproc bomb";
	pid_t dog, leader;
	int rounds;

	memset(sh, 0, sizeof(*sh));
	reaped = 0;
	gt_leak_mark();
	dog = fork();
	if (dog == 0)
		watchdog();
	if (!gt_ok(dog > 0, "%s: fork of the watchdog", what))
		return;
	leader = bomb_start(as_user);
	if (gt_ok(leader > 0, "%s: fork of the leader", what)) {
		if (bomb_wait_saturated(what)) {
			check_watchdog(what);
			if (!as_user) {
				/* maxproc limits root too, and root gets EAGAIN at once. */
				pid_t pid = fork();

				if (pid == 0)
					_exit(0);
				gt_eq(-1, pid, "%s: fork by root at maxproc fails", what);
				gt_eq(EAGAIN, pid < 0 ? errno : 0, "%s: its errno", what);
			}
		}
		gt_eq(0, sh->setup_failed, "%s: errno of dropping to uid %d", what,
		    BOMB_UID);
		gt_eq(0, sh->other, "%s: fork errors other than EAGAIN (last "
		    "errno %d)", what, sh->other_errno);
		rounds = bomb_kill(leader);
		gt_note("%s: %ld forks, %ld EAGAIN, %d kill rounds", what,
		    sh->forks, sh->eagain, rounds);
		if (as_user)
			gt_ok(sh->forks <= NPROC_LIMIT, "%s: at most %d processes "
			    "(forks %ld)", what, NPROC_LIMIT, sh->forks);
	}
	kill(dog, SIGKILL);
	gt_eq(-ECHILD, reap(0), "%s: reaping ends with ECHILD", what);
	gt_ok(reaped >= sh->forks + 2, "%s: every process reaped (%ld, forks %ld)",
	    what, reaped, sh->forks);
	gt_leak_check(what);
}

/* Count the processes whose real uid is UID, from /proc (0 without it). */
static int
count_uid_procs(uid_t uid)
{
	DIR *dir = opendir("/proc");
	struct dirent *de;
	int count = 0;

	if (!dir)
		return 0;
	while ((de = readdir(dir)) != NULL) {
		char path[300], line[256];
		FILE *f;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/status", de->d_name);
		if (!(f = fopen(path, "r")))
			continue;
		while (fgets(line, sizeof(line), f))
			if (strncmp(line, "Uid:", 4) == 0 &&
			    strtoul(line + 4, NULL, 10) == uid)
				count++;
		fclose(f);
	}
	closedir(dir);
	return count;
}

int
main(int argc, char **argv)
{
	int forklab;

	gt_init(argc, argv);
	forklab = gt_have_forklab();
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!gt_ok(sh != MAP_FAILED, "mmap of the shared counters"))
		return gt_finish();
	/* Orphans of the bomb come to the body, which reaps them. */
	gt_eq(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), "PR_SET_CHILD_SUBREAPER");

	if (forklab)
		run_bomb(0);
	else
		gt_skip("maxproc bomb: it would fill the host's process table");

	if (geteuid() != 0)
		gt_skip("RLIMIT_NPROC bomb: needs root to change to uid %d",
		    BOMB_UID);
	else if (count_uid_procs(BOMB_UID) != 0)
		gt_skip("RLIMIT_NPROC bomb: uid %d already has processes",
		    BOMB_UID);
	else
		run_bomb(1);
	return gt_finish();
}
