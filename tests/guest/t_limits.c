/*
 * t_limits: resource limits and process credentials: RLIMIT_NPROC through
 * getrlimit, setrlimit and prlimit64, its enforcement in fork for an
 * ordinary user and its bypass for root, the uid and gid calls, umask, and
 * the current directory (chdir, getcwd).
 *
 * Everything that changes limits or credentials runs in a forked child, so
 * the body keeps its own.
 */
#include "gtest.h"

#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* The ordinary user of the fork-limit test; nothing else may run as it. */
#define TEST_UID 1000
#define TEST_GID 1000

/* Children the limit leaves room for. */
#define NPROC_ROOM 3

struct rlimit64_raw {
	unsigned long long cur, max;
};

static long
sys(long nr, long a1, long a2, long a3)
{
	return gt_syscall(nr, a1, a2, a3, 0, 0, 0);
}

static long
prlimit_raw(long pid, int res, const struct rlimit64_raw *new,
    struct rlimit64_raw *old)
{
	return gt_syscall(SYS_prlimit64, pid, res, (long)new, (long)old, 0, 0);
}

/* Runs in a child: set, read back and swap RLIMIT_NPROC three ways. */
static void
nproc_round_trip(void)
{
	struct rlimit cur, got, bad;
	struct rlimit64_raw new64, old64;
	rlim_t soft;

	gt_eq(0, sys(SYS_getrlimit, RLIMIT_NPROC, (long)&cur, 0),
	    "getrlimit RLIMIT_NPROC");
	soft = cur.rlim_max == RLIM_INFINITY ? 500 : cur.rlim_max / 2;

	got = (struct rlimit){ soft, cur.rlim_max };
	gt_eq(0, sys(SYS_setrlimit, RLIMIT_NPROC, (long)&got, 0),
	    "setrlimit RLIMIT_NPROC soft %llu", (unsigned long long)soft);
	memset(&got, 0, sizeof(got));
	sys(SYS_getrlimit, RLIMIT_NPROC, (long)&got, 0);
	gt_eq((long long)soft, (long long)got.rlim_cur, "getrlimit returns the "
	    "soft limit set");
	gt_eq((long long)cur.rlim_max, (long long)got.rlim_max, "getrlimit "
	    "returns the hard limit kept");

	memset(&old64, 0, sizeof(old64));
	gt_eq(0, prlimit_raw(0, RLIMIT_NPROC, NULL, &old64), "prlimit64 query");
	gt_eq((long long)soft, (long long)old64.cur, "prlimit64 soft limit");
	gt_eq((long long)cur.rlim_max, (long long)old64.max,
	    "prlimit64 hard limit");

	new64 = (struct rlimit64_raw){ soft - 1, cur.rlim_max };
	memset(&old64, 0, sizeof(old64));
	gt_eq(0, prlimit_raw(getpid(), RLIMIT_NPROC, &new64, &old64),
	    "prlimit64 set on the caller's pid");
	gt_eq((long long)soft, (long long)old64.cur, "prlimit64 returns the "
	    "previous soft limit");
	sys(SYS_getrlimit, RLIMIT_NPROC, (long)&got, 0);
	gt_eq((long long)(soft - 1), (long long)got.rlim_cur, "getrlimit sees "
	    "prlimit64's soft limit");

	bad = (struct rlimit){ 10, 5 };
	gt_sys(EINVAL, sys(SYS_setrlimit, RLIMIT_NPROC, (long)&bad, 0),
	    "setrlimit with soft > hard");
	gt_sys(EINVAL, sys(SYS_getrlimit, 1000, (long)&got, 0),
	    "getrlimit of resource 1000");
	gt_sys(EFAULT, sys(SYS_getrlimit, RLIMIT_NPROC, 1, 0),
	    "getrlimit into address 1");
}

static void
test_nproc_round_trip(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		nproc_round_trip();
		_exit(0);
	}
	if (gt_ok(pid > 0, "fork for the RLIMIT_NPROC round trip"))
		gt_wait_status(pid, GT_EXITED(0), "RLIMIT_NPROC round trip child");
}

/*
 * Count the tasks (threads included, as RLIMIT_NPROC counts them on Linux)
 * whose real uid is UID, from /proc.  Without /proc (forklab) nothing else
 * runs as UID, so the count is 0.
 */
static int
count_uid_tasks(uid_t uid)
{
	DIR *dir = opendir("/proc");
	struct dirent *de;
	int count = 0;

	if (!dir)
		return 0;
	while ((de = readdir(dir)) != NULL) {
		char path[300], line[256];
		unsigned real = (unsigned)-1;
		int threads = 0;
		FILE *f;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/status", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			sscanf(line, "Uid: %u", &real);
			sscanf(line, "Threads: %d", &threads);
		}
		fclose(f);
		if (real == uid)
			count += threads;
	}
	closedir(dir);
	return count;
}

/*
 * Runs in a root child that becomes TEST_UID: with the limit at the
 * user's task count plus NPROC_ROOM, exactly NPROC_ROOM forks succeed and
 * the next fails with EAGAIN.
 */
static void
nproc_enforced(int others)
{
	struct rlimit lim;
	pid_t kids[NPROC_ROOM + 1];
	int gate[2], created = 0;
	pid_t extra;

	/* Supplementary groups do not matter to RLIMIT_NPROC, so a failure
	 * to drop them is not an error here. */
	setgroups(0, NULL);
	if (pipe(gate) != 0 || setgid(TEST_GID) != 0 || setuid(TEST_UID) != 0) {
		gt_ok(0, "pipe and switch to uid %d (errno %d)", TEST_UID, errno);
		return;
	}
	gt_eq(TEST_UID, sys(SYS_getuid, 0, 0, 0), "getuid after setuid");
	gt_eq(TEST_UID, sys(SYS_geteuid, 0, 0, 0), "geteuid after setuid");
	gt_eq(TEST_GID, sys(SYS_getgid, 0, 0, 0), "getgid after setgid");
	gt_eq(TEST_GID, sys(SYS_getegid, 0, 0, 0), "getegid after setgid");
	gt_sys(EPERM, sys(SYS_setuid, 0, 0, 0), "setuid(0) as an ordinary user");

	/* This process itself is one of the user's tasks. */
	lim.rlim_cur = lim.rlim_max = (rlim_t)(others + 1 + NPROC_ROOM);
	gt_eq(0, setrlimit(RLIMIT_NPROC, &lim), "setrlimit RLIMIT_NPROC %llu",
	    (unsigned long long)lim.rlim_cur);
	lim.rlim_max++;
	gt_sys(EPERM, sys(SYS_setrlimit, RLIMIT_NPROC, (long)&lim, 0),
	    "raising the hard limit as an ordinary user");

	for (int i = 0; i < NPROC_ROOM; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			char c;

			close(gate[1]);
			read(gate[0], &c, 1);
			_exit(0);
		}
		if (!gt_ok(pid > 0, "fork %d of %d under RLIMIT_NPROC (errno %d)",
		    i + 1, NPROC_ROOM, errno))
			break;
		kids[created++] = pid;
	}
	extra = fork();
	if (extra == 0)
		_exit(0);
	if (extra > 0) {
		gt_ok(0, "fork beyond RLIMIT_NPROC succeeded (pid %d)", extra);
		kids[created++] = extra;
	} else {
		gt_eq(EAGAIN, errno, "fork beyond RLIMIT_NPROC fails with EAGAIN");
	}

	close(gate[0]);
	close(gate[1]);
	for (int i = 0; i < created; i++)
		gt_wait_status(kids[i], GT_EXITED(0), "RLIMIT_NPROC child %d", i);
}

/* Runs in a root child: a limit of 1 does not stop root from forking. */
static void
nproc_root_bypass(void)
{
	struct rlimit lim = { 1, 1 };

	gt_eq(0, setrlimit(RLIMIT_NPROC, &lim), "setrlimit RLIMIT_NPROC 1 as "
	    "root");
	for (int i = 0; i < 3; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		if (gt_ok(pid > 0, "root fork %d with RLIMIT_NPROC 1 (errno %d)", i,
		    errno))
			gt_wait_status(pid, GT_EXITED(0), "root's child %d", i);
	}
}

static void
test_nproc_enforcement(void)
{
	pid_t pid;
	int others;

	if (geteuid() != 0) {
		gt_skip("RLIMIT_NPROC enforcement and root bypass: not root");
		return;
	}
	others = count_uid_tasks(TEST_UID);
	pid = fork();
	if (pid == 0) {
		nproc_enforced(others);
		_exit(0);
	}
	if (gt_ok(pid > 0, "fork for RLIMIT_NPROC enforcement"))
		gt_wait_status(pid, GT_EXITED(0), "RLIMIT_NPROC enforcement child");

	pid = fork();
	if (pid == 0) {
		nproc_root_bypass();
		_exit(0);
	}
	if (gt_ok(pid > 0, "fork for the root bypass"))
		gt_wait_status(pid, GT_EXITED(0), "root bypass child");
}

static void
test_ids(void)
{
	long uid = sys(SYS_getuid, 0, 0, 0), euid = sys(SYS_geteuid, 0, 0, 0);
	long gid = sys(SYS_getgid, 0, 0, 0), egid = sys(SYS_getegid, 0, 0, 0);

	gt_eq(getuid(), uid, "getuid");
	gt_eq(geteuid(), euid, "geteuid");
	gt_eq(getgid(), gid, "getgid");
	gt_eq(getegid(), egid, "getegid");
	gt_eq(uid, euid, "euid equals uid (not a set-uid program)");
	gt_eq(gid, egid, "egid equals gid");
	gt_ok(uid >= 0, "getuid non-negative (got %ld)", uid);
}

static void
test_umask(void)
{
	mode_t orig = umask(022);

	gt_eq(022, umask(077), "umask returns the previous mask 022");
	gt_eq(077, umask(01777), "umask returns the previous mask 077");
	gt_eq(0777, umask(orig), "umask keeps only the permission bits");
	gt_eq(orig, umask(orig), "umask restored");
}

static void
test_cwd(void)
{
	char buf[256];

	gt_eq(0, chdir("/"), "chdir(\"/\")");
	memset(buf, 'x', sizeof(buf));
	gt_eq(2, sys(SYS_getcwd, (long)buf, sizeof(buf), 0),
	    "getcwd returns the length with the NUL");
	gt_streq("/", buf, "getcwd after chdir(\"/\")");
	gt_ok(getcwd(buf, sizeof(buf)) != NULL, "getcwd wrapper");
	gt_sys(ENOENT, sys(SYS_chdir, (long)"/forklab-no-such-dir", 0, 0),
	    "chdir to a missing directory");
	gt_sys(ENOTDIR, sys(SYS_chdir, (long)gt_self_path(), 0, 0),
	    "chdir to a regular file");
	gt_sys(ERANGE, sys(SYS_getcwd, (long)buf, 1, 0), "getcwd into 1 byte");
	gt_sys(ERANGE, sys(SYS_getcwd, (long)buf, 0, 0), "getcwd into 0 bytes");
	gt_sys(EFAULT, sys(SYS_chdir, 1, 0, 0), "chdir with a path at address 1");
	errno = 0;
	gt_ok(getcwd(buf, 1) == NULL, "getcwd wrapper with a 1-byte buffer "
	    "fails");
	gt_eq(ERANGE, errno, "getcwd wrapper with a 1-byte buffer: errno");
}

int
main(int argc, char **argv)
{
	gt_init(argc, argv);

	test_nproc_round_trip();
	test_nproc_enforcement();
	test_ids();
	test_umask();
	test_cwd();
	return gt_finish();
}
