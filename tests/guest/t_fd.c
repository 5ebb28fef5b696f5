/*
 * t_fd: file descriptors: pipes (data, EOF, EPIPE and SIGPIPE, flags),
 * dup/dup2/dup3 and fcntl, close-on-exec across execve, open file objects
 * (and their offset) shared across dup and fork, and EBADF everywhere.
 */
#include "gtest.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Helper mode: "--check-fds CLOSED OPEN" checks descriptors after exec. */
#define CHECK_FDS_ARG "--check-fds"

/* A descriptor number nothing in this test opens. */
#define UNUSED_FD 200

/* Exit codes of the helper mode. */
#define HELPER_CLOEXEC_LEAKED 10
#define HELPER_INHERITED_MISSING 11

static long
sys(long nr, long a1, long a2, long a3)
{
	return gt_syscall(nr, a1, a2, a3, 0, 0, 0);
}

static int
parse_fd(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 0 || v > 65535) {
		fprintf(stderr, "t_fd: invalid descriptor \"%s\" for "
		    CHECK_FDS_ARG "; expected a number 0-65535\n", s);
		exit(2);
	}
	return (int)v;
}

/* Runs after exec: the close-on-exec fd must be gone, the other kept. */
static int
check_fds_main(const char *closed_arg, const char *open_arg)
{
	int closed = parse_fd(closed_arg), kept = parse_fd(open_arg);

	if (sys(SYS_fcntl, closed, F_GETFD, 0) != -EBADF)
		return HELPER_CLOEXEC_LEAKED;
	if (sys(SYS_fcntl, kept, F_GETFD, 0) < 0)
		return HELPER_INHERITED_MISSING;
	return 0;
}

static void
test_pipes(void)
{
	int p[2], q[2];
	char buf[16];
	pid_t pid;

	if (!gt_eq(0, pipe2(p, O_CLOEXEC), "pipe2(O_CLOEXEC)"))
		return;
	gt_eq(FD_CLOEXEC, fcntl(p[0], F_GETFD), "pipe2 O_CLOEXEC on the read end");
	gt_eq(FD_CLOEXEC, fcntl(p[1], F_GETFD), "pipe2 O_CLOEXEC on the write "
	    "end");
	gt_eq(O_RDONLY, fcntl(p[0], F_GETFL) & O_ACCMODE, "F_GETFL of the read "
	    "end");
	gt_eq(O_WRONLY, fcntl(p[1], F_GETFL) & O_ACCMODE, "F_GETFL of the write "
	    "end");
	gt_eq(5, write(p[1], "hello", 5), "write into a pipe");
	memset(buf, 0, sizeof(buf));
	gt_eq(5, read(p[0], buf, sizeof(buf)), "read from a pipe");
	gt_streq("hello", buf, "data through a pipe");
	gt_sys(EBADF, sys(SYS_write, p[0], (long)"x", 1), "write to a read end");
	gt_sys(EBADF, sys(SYS_read, p[1], (long)buf, 1), "read from a write "
	    "end");
	gt_sys(ESPIPE, sys(SYS_lseek, p[0], 0, SEEK_CUR), "lseek on a pipe");
	close(p[1]);
	gt_eq(0, read(p[0], buf, sizeof(buf)), "read at EOF after the writer "
	    "closed");
	close(p[0]);

	if (!gt_eq(0, pipe2(q, 0), "pipe2(0)"))
		return;
	gt_eq(0, fcntl(q[0], F_GETFD), "pipe2(0) read end without FD_CLOEXEC");
	gt_sys(EINVAL, sys(SYS_pipe2, (long)p, 0x12345678, 0),
	    "pipe2 with unknown flags");

	/* A write with no reader raises SIGPIPE, or fails with EPIPE. */
	close(q[0]);
	pid = fork();
	if (pid == 0) {
		write(q[1], "x", 1);
		_exit(0);
	}
	if (gt_ok(pid > 0, "fork for SIGPIPE"))
		gt_wait_status(pid, GT_KILLED(SIGPIPE), "write to a pipe without "
		    "readers");
	signal(SIGPIPE, SIG_IGN);
	gt_sys(EPIPE, sys(SYS_write, q[1], (long)"x", 1), "write without "
	    "readers, SIGPIPE ignored");
	signal(SIGPIPE, SIG_DFL);
	close(q[1]);
}

static void
test_dup(void)
{
	int p[2], d, d2;
	char c = 0;

	if (!gt_eq(0, pipe(p), "pipe"))
		return;

	d = dup(p[1]);
	gt_ok(d > p[1], "dup returns a new fd (got %d)", d);
	gt_eq(1, write(d, "a", 1), "write through the dup");
	gt_eq(1, read(p[0], &c, 1), "read what the dup wrote");
	gt_eq('a', c, "byte written through the dup");
	gt_eq(0, close(d), "close of the dup");

	gt_eq(UNUSED_FD, dup2(p[1], UNUSED_FD), "dup2 to fd %d", UNUSED_FD);
	gt_eq(O_WRONLY, fcntl(UNUSED_FD, F_GETFL) & O_ACCMODE,
	    "dup2 target is the write end");
	gt_eq(p[1], dup2(p[1], p[1]), "dup2 of an fd onto itself");
	gt_sys(EBADF, sys(SYS_dup2, UNUSED_FD + 1, UNUSED_FD, 0),
	    "dup2 from a closed fd");
	gt_eq(O_WRONLY, fcntl(UNUSED_FD, F_GETFL) & O_ACCMODE,
	    "failed dup2 leaves the target open");

	/* dup2 over an open fd closes the old file there. */
	gt_eq(UNUSED_FD, dup2(p[0], UNUSED_FD), "dup2 over an open fd");
	gt_eq(O_RDONLY, fcntl(UNUSED_FD, F_GETFL) & O_ACCMODE,
	    "dup2 replaced the file at the target");

	gt_sys(EINVAL, sys(SYS_dup3, p[0], p[0], 0), "dup3 with oldfd == newfd");
	gt_sys(EINVAL, sys(SYS_dup3, p[0], UNUSED_FD, 0x4000),
	    "dup3 with an unknown flag");
	gt_eq(UNUSED_FD, dup3(p[1], UNUSED_FD, O_CLOEXEC), "dup3 O_CLOEXEC");
	gt_eq(FD_CLOEXEC, fcntl(UNUSED_FD, F_GETFD), "dup3 O_CLOEXEC sets "
	    "FD_CLOEXEC");
	gt_eq(UNUSED_FD, dup2(p[1], UNUSED_FD), "dup2 onto a close-on-exec fd");
	gt_eq(0, fcntl(UNUSED_FD, F_GETFD), "dup2 clears FD_CLOEXEC");

	d2 = fcntl(p[0], F_DUPFD, 100);
	gt_eq(100, d2, "F_DUPFD with minimum 100");
	gt_eq(0, fcntl(d2, F_GETFD), "F_DUPFD result without FD_CLOEXEC");
	close(d2);
	d2 = fcntl(p[0], F_DUPFD_CLOEXEC, 100);
	gt_eq(100, d2, "F_DUPFD_CLOEXEC with minimum 100");
	gt_eq(FD_CLOEXEC, fcntl(d2, F_GETFD), "F_DUPFD_CLOEXEC sets FD_CLOEXEC");
	close(d2);

	close(UNUSED_FD);
	close(p[0]);
	close(p[1]);
}

static void
test_cloexec_exec(void)
{
	const char *self = gt_self_path();
	char closed_arg[16], open_arg[16];
	char *argv[] = { (char *)self, CHECK_FDS_ARG, closed_arg, open_arg, NULL };
	char *envp[] = { NULL };
	int p[2];
	pid_t pid;

	if (!gt_eq(0, pipe(p), "pipe for the exec check"))
		return;
	gt_eq(0, fcntl(p[0], F_SETFD, FD_CLOEXEC), "F_SETFD FD_CLOEXEC");
	gt_eq(FD_CLOEXEC, fcntl(p[0], F_GETFD), "F_GETFD after F_SETFD");
	gt_eq(0, fcntl(p[1], F_GETFD), "other pipe end without FD_CLOEXEC");
	snprintf(closed_arg, sizeof(closed_arg), "%d", p[0]);
	snprintf(open_arg, sizeof(open_arg), "%d", p[1]);

	pid = fork();
	if (pid == 0) {
		execve(self, argv, envp);
		_exit(127);
	}
	if (gt_ok(pid > 0, "fork for the exec check"))
		gt_wait_status(pid, GT_EXITED(0), "after execve of %s: FD_CLOEXEC fd "
		    "closed (else exit %d), other fd open (else exit %d)", self,
		    HELPER_CLOEXEC_LEAKED, HELPER_INHERITED_MISSING);
	close(p[0]);
	close(p[1]);
}

static void
test_shared_offset(void)
{
	const char *self = gt_self_path();
	int fd = open(self, O_RDONLY), fd2, d;
	char buf[10];
	pid_t pid;

	if (!gt_ok(fd >= 0, "open %s", self))
		return;
	gt_eq(100, lseek(fd, 100, SEEK_SET), "lseek to 100");

	pid = fork();
	if (pid == 0) {
		gt_eq(100, lseek(fd, 0, SEEK_CUR), "child starts at the parent's "
		    "offset");
		gt_eq(10, read(fd, buf, 10), "child reads 10 bytes");
		gt_eq(160, lseek(fd, 50, SEEK_CUR), "child lseeks +50");
		_exit(0);
	}
	if (gt_ok(pid > 0, "fork for the shared offset")) {
		gt_wait_status(pid, GT_EXITED(0), "offset child");
		gt_eq(160, lseek(fd, 0, SEEK_CUR), "child's read and lseek moved "
		    "the parent's offset");
	}

	d = dup(fd);
	gt_eq(10, read(d, buf, 10), "read through a dup");
	gt_eq(170, lseek(fd, 0, SEEK_CUR), "dup shares the offset");
	close(d);

	fd2 = open(self, O_RDONLY);
	if (gt_ok(fd2 >= 0, "second open")) {
		gt_eq(0, lseek(fd2, 0, SEEK_CUR), "second open starts at 0");
		gt_eq(10, read(fd2, buf, 10), "read from the second open");
		gt_eq(170, lseek(fd, 0, SEEK_CUR), "separate opens have separate "
		    "offsets");
		close(fd2);
	}
	close(fd);
}

static void
test_ebadf(void)
{
	struct stat st;
	char c;

	gt_sys(EBADF, sys(SYS_read, UNUSED_FD, (long)&c, 1), "read of a closed fd");
	gt_sys(EBADF, sys(SYS_write, UNUSED_FD, (long)&c, 1), "write to a closed "
	    "fd");
	gt_sys(EBADF, sys(SYS_close, UNUSED_FD, 0, 0), "close of a closed fd");
	gt_sys(EBADF, sys(SYS_fstat, UNUSED_FD, (long)&st, 0), "fstat of a closed "
	    "fd");
	gt_sys(EBADF, sys(SYS_lseek, UNUSED_FD, 0, SEEK_SET), "lseek on a closed "
	    "fd");
	gt_sys(EBADF, sys(SYS_fcntl, UNUSED_FD, F_GETFD, 0), "fcntl on a closed "
	    "fd");
	gt_sys(EBADF, sys(SYS_dup, UNUSED_FD, 0, 0), "dup of a closed fd");
	gt_sys(EBADF, sys(SYS_read, -1, (long)&c, 1), "read of fd -1");
	gt_sys(EBADF, sys(SYS_close, -1, 0, 0), "close of fd -1");
}

int
main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], CHECK_FDS_ARG) == 0)
		return check_fds_main(argv[2], argv[3]);
	gt_init(argc, argv);

	test_pipes();
	test_dup();
	test_cloexec_exec();
	test_shared_offset();
	test_ebadf();
	return gt_finish();
}
