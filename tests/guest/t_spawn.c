/*
 * t_spawn: musl's posix_spawn, which runs the child on the parent's memory
 * (clone with CLONE_VM|CLONE_VFORK) and reports exec failures back: the exit
 * status of a spawned program, ENOENT for a missing file with no child left
 * behind, argv and envp passing, and the dup2 and close file actions.
 */
#include "gtest.h"

#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Helper mode: write "WORD:$FORKLAB_SPAWN_ENV\n" to fd 1. */
#define SAY_ARG "--say"

/* Exit code of the helper mode when fd 1 is not writable. */
#define HELPER_WRITE_FAILED 3

static int
say_main(const char *word)
{
	const char *env = getenv("FORKLAB_SPAWN_ENV");
	char line[256];
	size_t len;

	len = (size_t)snprintf(line, sizeof(line), "%s:%s\n", word,
	    env ? env : "");
	if (len >= sizeof(line)) {
		static const char msg[] = "t_spawn: " SAY_ARG " word too long; "
		    "expected at most 200 bytes\n";

		write(2, msg, sizeof(msg) - 1);
		return 2;
	}
	if (write(1, line, len) != (ssize_t)len)
		return HELPER_WRITE_FAILED;
	return 0;
}

static void
test_spawn_nop(void)
{
	const char *nop = gt_nop_path();
	const char *path = nop ? nop : gt_self_path();
	char *argv[] = { (char *)path, nop ? NULL : "--nop", NULL };
	char *envp[] = { NULL };
	pid_t pid = -1;
	int err;

	err = posix_spawn(&pid, path, NULL, NULL, argv, envp);
	if (!gt_eq(0, err, "posix_spawn of %s", path))
		return;
	gt_ok(pid > 0, "posix_spawn returns a pid (got %d)", pid);
	gt_wait_status(pid, GT_EXITED(0), "spawned %s", path);
}

static void
test_spawn_missing(void)
{
	char *argv[] = { "/forklab-no-such-file", NULL };
	char *envp[] = { NULL };
	pid_t pid = -1;
	int status;

	gt_eq(ENOENT, posix_spawn(&pid, argv[0], NULL, NULL, argv, envp),
	    "posix_spawn of a missing file");
	gt_sys(ECHILD, gt_syscall(SYS_wait4, -1, (long)&status, WNOHANG | __WALL,
	    0, 0, 0), "no child left after a failed posix_spawn");
}

/* Read from FD until EOF into BUF (NUL-terminated); returns the length. */
static size_t
read_all(int fd, char *buf, size_t size)
{
	size_t len = 0;

	while (len < size - 1) {
		ssize_t n = read(fd, buf + len, size - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return len;
}

static void
test_file_actions(void)
{
	const char *self = gt_self_path();
	char *argv[] = { (char *)self, SAY_ARG, "forklab", NULL };
	char *envp[] = { "FORKLAB_SPAWN_ENV=spawned", NULL };
	posix_spawn_file_actions_t fa;
	char buf[256];
	pid_t pid = -1;
	int p[2], err;

	if (!gt_eq(0, pipe(p), "pipe for the file actions"))
		return;
	posix_spawn_file_actions_init(&fa);
	gt_eq(0, posix_spawn_file_actions_adddup2(&fa, p[1], 1),
	    "posix_spawn_file_actions_adddup2");
	gt_eq(0, posix_spawn_file_actions_addclose(&fa, p[0]),
	    "posix_spawn_file_actions_addclose");
	err = posix_spawn(&pid, self, &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (gt_eq(0, err, "posix_spawn with file actions")) {
		read_all(p[0], buf, sizeof(buf));
		gt_streq("forklab:spawned\n", buf, "child's stdout through the "
		    "dup2'd pipe");
		gt_wait_status(pid, GT_EXITED(0), "child with a pipe as stdout");
	}
	close(p[0]);

	/* A close action on fd 1 leaves the child nothing to write to. */
	posix_spawn_file_actions_init(&fa);
	gt_eq(0, posix_spawn_file_actions_addclose(&fa, 1),
	    "posix_spawn_file_actions_addclose(1)");
	err = posix_spawn(&pid, self, &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	if (gt_eq(0, err, "posix_spawn with stdout closed"))
		gt_wait_status(pid, GT_EXITED(HELPER_WRITE_FAILED),
		    "child with stdout closed cannot write");
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], SAY_ARG) == 0)
		return say_main(argv[2]);
	gt_init(argc, argv);

	test_spawn_nop();
	test_spawn_missing();
	test_file_actions();
	return gt_finish();
}
