/*
 * t_vfork: vfork(2) suspends the parent until the child execs or exits, the
 * child's status is reported, exec from a vfork child works, and the child
 * borrows the parent's memory (3BSD semantics, as on Linux).  On forklab with
 * vfork=copy (4.4BSD semantics) the child gets a copy instead, so there the
 * test checks that the parent does not see the child's write.
 *
 * The vfork children below use only raw system calls and _exit, and report
 * through a MAP_SHARED page, which is shared under both semantics.
 */
#include "gtest.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The helper mode in which the program waits for one byte on an fd. */
#define WAIT_BYTE_ARG "--wait-byte"

/* Seconds the helper waits for the parent's byte before SIGALRM ends it. */
#define WAIT_BYTE_TIMEOUT 20

struct handshake {
	volatile int flag;
	volatile long exec_ret;
	volatile long child_pid;
	volatile long child_ppid;
};

static struct handshake *hs;

/* Written by a vfork child: shared with the parent only under 3BSD vfork. */
static volatile int private_var;

static long
sys(long nr, long a1, long a2, long a3)
{
	return gt_syscall(nr, a1, a2, a3, 0, 0, 0);
}

/* Sleep 20 ms without libc, as a vfork child must. */
static void
child_pause(void)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	sys(SYS_nanosleep, (long)&ts, 0, 0);
}

/*
 * Helper mode: read one byte from FD and exit 0, or die of SIGALRM when the
 * parent never writes it (because it stayed suspended after our exec).
 */
static int
wait_byte_main(const char *fdarg)
{
	char *end;
	long fd = strtol(fdarg, &end, 10);
	char c;

	if (*fdarg == '\0' || *end != '\0' || fd < 0) {
		static const char msg[] = "t_vfork: invalid fd for "
		    WAIT_BYTE_ARG "; expected a descriptor number\n";

		write(2, msg, sizeof(msg) - 1);
		return 2;
	}
	alarm(WAIT_BYTE_TIMEOUT);
	if (read((int)fd, &c, 1) != 1)
		return 3;
	return 0;
}

static void
test_parent_waits_for_exit(void)
{
	pid_t parent = getpid();
	pid_t pid;

	hs->flag = 0;
	pid = vfork();
	if (pid == 0) {
		child_pause();
		hs->child_pid = sys(SYS_getpid, 0, 0, 0);
		hs->child_ppid = sys(SYS_getppid, 0, 0, 0);
		hs->flag = 1;
		_exit(42);
	}
	if (!gt_ok(pid > 0, "vfork"))
		return;
	gt_eq(1, hs->flag, "parent resumes only after the child exits");
	gt_eq(pid, hs->child_pid, "vfork returns the child's pid");
	gt_eq(parent, hs->child_ppid, "getppid in the vfork child");
	gt_ok(pid != parent, "vfork child has its own pid");
	gt_wait_status(pid, GT_EXITED(42), "vfork child _exit(42)");
}

static void
test_exec(void)
{
	const char *nop = gt_nop_path();
	const char *path = nop ? nop : gt_self_path();
	char *argv_nop[] = { (char *)path, nop ? NULL : "--nop", NULL };
	char *envp[] = { NULL };
	pid_t pid;

	hs->flag = 0;
	pid = vfork();
	if (pid == 0) {
		child_pause();
		hs->flag = 1;
		sys(SYS_execve, (long)path, (long)argv_nop, (long)envp);
		_exit(127);
	}
	if (!gt_ok(pid > 0, "vfork for exec"))
		return;
	gt_eq(1, hs->flag, "parent resumes only after the child execs");
	gt_wait_status(pid, GT_EXITED(0), "vfork and execve of %s", path);

	hs->exec_ret = 0;
	pid = vfork();
	if (pid == 0) {
		hs->exec_ret = sys(SYS_execve, (long)"/forklab-no-such-file",
		    (long)argv_nop, (long)envp);
		_exit(127);
	}
	if (!gt_ok(pid > 0, "vfork for a failing exec"))
		return;
	gt_sys(ENOENT, hs->exec_ret, "execve of a missing file in a vfork child");
	gt_wait_status(pid, GT_EXITED(127), "vfork child after a failed exec");
}

/*
 * The parent must resume at the child's exec, before the new program exits:
 * the program waits for a byte that only the resumed parent writes.
 */
static void
test_resume_at_exec(void)
{
	const char *self = gt_self_path();
	char fdbuf[16];
	char *argv_wait[] = { (char *)self, WAIT_BYTE_ARG, fdbuf, NULL };
	char *envp[] = { NULL };
	int gate[2];
	pid_t pid;

	if (!gt_eq(0, pipe(gate), "pipe for the exec handshake"))
		return;
	snprintf(fdbuf, sizeof(fdbuf), "%d", gate[0]);
	pid = vfork();
	if (pid == 0) {
		sys(SYS_close, gate[1], 0, 0);
		sys(SYS_execve, (long)self, (long)argv_wait, (long)envp);
		_exit(127);
	}
	if (!gt_ok(pid > 0, "vfork for the exec handshake"))
		return;
	gt_eq(1, write(gate[1], "x", 1), "write to the exec'd child");
	gt_wait_status(pid, GT_EXITED(0),
	    "exec'd child got the byte from the resumed parent");
	close(gate[0]);
	close(gate[1]);
}

static void
test_shared_address_space(void)
{
	char mode[16] = "share";
	pid_t pid;

	if (gt_config("vfork", mode, sizeof(mode)) == 0)
		gt_note("forklab vfork=%s", mode);

	private_var = 1;
	pid = vfork();
	if (pid == 0) {
		private_var = 2;
		_exit(0);
	}
	if (!gt_ok(pid > 0, "vfork for the private write"))
		return;
	gt_wait_status(pid, GT_EXITED(0), "vfork child writing private memory");
	if (strcmp(mode, "copy") == 0)
		gt_eq(1, private_var,
		    "vfork=copy: child's write to private memory not seen");
	else
		gt_eq(2, private_var,
		    "3BSD vfork: child's write to private memory seen");
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], WAIT_BYTE_ARG) == 0)
		return wait_byte_main(argv[2]);
	gt_init(argc, argv);

	hs = mmap(NULL, sizeof(*hs), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (gt_ok(hs != MAP_FAILED, "mmap of the handshake page")) {
		test_parent_waits_for_exit();
		test_exec();
		test_resume_at_exec();
		test_shared_address_space();
		munmap(hs, sizeof(*hs));
	}
	return gt_finish();
}
