/*
 * The benchmark cases: one small function per way of creating a process or
 * thread, all timed by the harness in timing.c.
 *
 * Most iterations create one child and wait for it, so an iteration's time
 * is creation, the child's run to exit, and the reaping wait.  A child that
 * does not exit with status 0 fails the case.  Only semantics a small kernel
 * also provides are used: fork, vfork, clone, wait4, mmap, execve and
 * musl's pthread_create and posix_spawn (both built on clone).
 */
#include "forkbench.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Forks per worker and round of the throughput case. */
#define THROUGHPUT_BATCH	16

/* Default and upper bound of the pages cow_touch writes (16 MiB). */
#define COW_TOUCH_MAX_PAGES	4096

/* Child stack of clone_vm; the child only returns, so it needs little. */
#define CLONE_STACK_SIZE	(64 * 1024)

/* Layout of the MAP_SHARED page. */
struct shared_page {
	volatile uint64_t child_ns;	/* fork_return: child's first clock read */
	volatile double per_page_ns;	/* cow_touch: child's write cost */
	volatile int child_errno;	/* vfork_exec: why execve failed */
	char worker_err[240];		/* throughput: first worker failure */
};

void
fb_seterr(struct fb_run *run, const char *call, int err)
{
	snprintf(run->err, sizeof(run->err), "%s: %s (%s)", call, strerror(err),
		 fb_errno_name(err));
}

/*
 * Sends SIGKILL to pid and reaps it, so that a failed case leaves no child
 * behind.  Errors are ignored because the child may be gone already.
 */
void
fb_kill_reap(pid_t pid)
{
	int status;

	if (pid <= 0)
		return;
	(void)kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

/*
 * Waits for child pid with wait4 and checks that it exited with status 0.
 * Returns 0, or -1 with run->err naming what (the case's child) and why.
 */
int
fb_wait_child(struct fb_run *run, pid_t pid, const char *what)
{
	int status;
	pid_t got;

	do
		got = wait4(pid, &status, 0, NULL);
	while (got < 0 && errno == EINTR);
	if (got != pid) {
		fb_seterr(run, "wait4", got < 0 ? errno : ECHILD);
		fb_kill_reap(pid);
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		snprintf(run->err, sizeof(run->err), "%s exited with status %d%s", what,
			 WEXITSTATUS(status),
			 WEXITSTATUS(status) == 127 ? " (its execve failed)" : "");
	else if (WIFSIGNALED(status))
		snprintf(run->err, sizeof(run->err), "%s was killed by signal %d",
			 what, WTERMSIG(status));
	else
		snprintf(run->err, sizeof(run->err), "%s: unexpected wait status 0x%x",
			 what, status);
	return -1;
}

static int
setup_shared(struct fb_run *run)
{
	void *p = mmap(NULL, sizeof(struct shared_page), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		fb_seterr(run, "mmap(MAP_SHARED|MAP_ANONYMOUS)", errno);
		return -1;
	}
	memset(p, 0, sizeof(struct shared_page));
	run->shared = p;
	return 0;
}

static void
teardown_shared(struct fb_run *run)
{
	if (run->shared != NULL)
		(void)munmap(run->shared, sizeof(struct shared_page));
	run->shared = NULL;
}

/* fork: the child exits at once. */
static int
iter_fork(struct fb_run *run, double *ns)
{
	uint64_t t0 = fb_now_ns();
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	if (pid < 0) {
		fb_seterr(run, "fork", errno);
		return -1;
	}
	if (fb_wait_child(run, pid, "fork child") != 0)
		return -1;
	ns[0] = (double)(fb_now_ns() - t0);
	return 0;
}

/* vfork: the parent sleeps until the child's _exit. */
static int
iter_vfork(struct fb_run *run, double *ns)
{
	uint64_t t0 = fb_now_ns();
	pid_t pid = vfork();

	if (pid == 0)
		_exit(0);
	if (pid < 0) {
		fb_seterr(run, "vfork", errno);
		return -1;
	}
	if (fb_wait_child(run, pid, "vfork child") != 0)
		return -1;
	ns[0] = (double)(fb_now_ns() - t0);
	return 0;
}

static int
setup_clone_vm(struct fb_run *run)
{
	void *p = mmap(NULL, CLONE_STACK_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		fb_seterr(run, "mmap(clone stack)", errno);
		return -1;
	}
	run->stack = p;
	run->stack_size = CLONE_STACK_SIZE;
	return 0;
}

static void
teardown_clone_vm(struct fb_run *run)
{
	if (run->stack != NULL)
		(void)munmap(run->stack, run->stack_size);
	run->stack = NULL;
}

static int
clone_child(void *arg)
{
	(void)arg;
	return 0;
}

/* clone(CLONE_VM|SIGCHLD): a process sharing the address space, no vfork wait. */
static int
iter_clone_vm(struct fb_run *run, double *ns)
{
	/* The stack grows down on x86-64, so the child starts at the top. */
	char *top = (char *)run->stack + run->stack_size;
	uint64_t t0 = fb_now_ns();
	pid_t pid = clone(clone_child, top, CLONE_VM | SIGCHLD, NULL);

	if (pid < 0) {
		fb_seterr(run, "clone(CLONE_VM|SIGCHLD)", errno);
		return -1;
	}
	if (fb_wait_child(run, pid, "clone_vm child") != 0)
		return -1;
	ns[0] = (double)(fb_now_ns() - t0);
	return 0;
}

static void *
thread_main(void *arg)
{
	return arg;
}

/* thread: pthread_create and pthread_join of a thread that returns at once. */
static int
iter_thread(struct fb_run *run, double *ns)
{
	uint64_t t0 = fb_now_ns();
	pthread_t t;
	int err = pthread_create(&t, NULL, thread_main, NULL);

	if (err != 0) {
		fb_seterr(run, "pthread_create", err);
		return -1;
	}
	err = pthread_join(t, NULL);
	if (err != 0) {
		fb_seterr(run, "pthread_join", err);
		return -1;
	}
	ns[0] = (double)(fb_now_ns() - t0);
	return 0;
}

/*
 * Checks the --exec program up front, so that a missing file is reported
 * with its errno rather than as a child's exit status 127.  The shared page
 * carries vfork_exec's execve errno, which must not depend on vfork sharing
 * memory (forklab's vfork=copy gives the child a copy).
 */
static int
setup_exec(struct fb_run *run)
{
	char call[160];

	if (access(run->opts->exec_path, X_OK) != 0) {
		snprintf(call, sizeof(call), "access(%s, X_OK)", run->opts->exec_path);
		fb_seterr(run, call, errno);
		return -1;
	}
	return setup_shared(run);
}

/* fork_exec: fork, then the child execs the --exec program. */
static int
iter_fork_exec(struct fb_run *run, double *ns)
{
	char *argv[] = { (char *)run->opts->exec_path, NULL };
	uint64_t t0 = fb_now_ns();
	pid_t pid = fork();

	if (pid == 0) {
		execve(argv[0], argv, environ);
		_exit(127);
	}
	if (pid < 0) {
		fb_seterr(run, "fork", errno);
		return -1;
	}
	if (fb_wait_child(run, pid, "fork_exec child") != 0)
		return -1;
	ns[0] = (double)(fb_now_ns() - t0);
	return 0;
}

/* vfork_exec: vfork, then the child execs; its errno reaches the parent. */
static int
iter_vfork_exec(struct fb_run *run, double *ns)
{
	struct shared_page *sp = run->shared;
	char *argv[] = { (char *)run->opts->exec_path, NULL };
	uint64_t t0;
	pid_t pid;

	sp->child_errno = 0;
	t0 = fb_now_ns();
	pid = vfork();
	if (pid == 0) {
		execve(argv[0], argv, environ);
		sp->child_errno = errno;
		_exit(127);
	}
	if (pid < 0) {
		fb_seterr(run, "vfork", errno);
		return -1;
	}
	if (fb_wait_child(run, pid, "vfork_exec child") != 0) {
		if (sp->child_errno != 0)
			fb_seterr(run, "execve in vfork child", sp->child_errno);
		return -1;
	}
	ns[0] = (double)(fb_now_ns() - t0);
	return 0;
}

/* posix_spawn of the --exec program; musl reports execve errors as its result. */
static int
iter_posix_spawn(struct fb_run *run, double *ns)
{
	char *argv[] = { (char *)run->opts->exec_path, NULL };
	uint64_t t0 = fb_now_ns();
	pid_t pid;
	int err = posix_spawn(&pid, argv[0], NULL, NULL, argv, environ);

	if (err != 0) {
		fb_seterr(run, "posix_spawn", err);
		return -1;
	}
	if (fb_wait_child(run, pid, "spawned child") != 0)
		return -1;
	ns[0] = (double)(fb_now_ns() - t0);
	return 0;
}

/*
 * cow_touch writes K pages of the parent's region; K defaults to all of it,
 * at most COW_TOUCH_MAX_PAGES, and is clamped to the region.  An empty
 * parent has nothing to write, so that row is skipped.
 */
static int
setup_cow_touch(struct fb_run *run)
{
	unsigned long have = run->region->bytes / run->region->page;
	unsigned long k = run->opts->pages;

	if (have == 0) {
		snprintf(run->err, sizeof(run->err),
			 "skipped: an empty parent has no pages to write");
		return 1;
	}
	if (k == 0)
		k = have < COW_TOUCH_MAX_PAGES ? have : COW_TOUCH_MAX_PAGES;
	if (k > have)
		k = have;
	run->touch_pages = k;
	snprintf(run->param[0], sizeof(run->param[0]), "pages=%lu", k);
	return setup_shared(run);
}

/* Returns the child's write time per page, stored in the shared page. */
static int
iter_cow_touch(struct fb_run *run, double *ns)
{
	struct shared_page *sp = run->shared;
	pid_t pid;

	sp->per_page_ns = -1;
	pid = fork();
	if (pid == 0) {
		volatile char *base = run->region->base;
		size_t page = run->region->page;
		unsigned long k = run->touch_pages;
		uint64_t t0 = fb_now_ns();

		for (unsigned long i = 0; i < k; i++)
			base[i * page] = (char)(i + 1);
		sp->per_page_ns = (double)(fb_now_ns() - t0) / (double)k;
		_exit(0);
	}
	if (pid < 0) {
		fb_seterr(run, "fork", errno);
		return -1;
	}
	if (fb_wait_child(run, pid, "cow_touch child") != 0)
		return -1;
	if (sp->per_page_ns < 0) {
		snprintf(run->err, sizeof(run->err), "cow_touch child stored no time");
		return -1;
	}
	ns[0] = sp->per_page_ns;
	return 0;
}

static int
setup_fork_return(struct fb_run *run)
{
	snprintf(run->param[0], sizeof(run->param[0]), "child");
	snprintf(run->param[1], sizeof(run->param[1]), "parent");
	return setup_shared(run);
}

/* Row 0: fork call to the child's first clock read; row 1: to the parent's return. */
static int
iter_fork_return(struct fb_run *run, double *ns)
{
	struct shared_page *sp = run->shared;
	uint64_t t0, t_parent;
	pid_t pid;

	sp->child_ns = 0;
	t0 = fb_now_ns();
	pid = fork();
	if (pid == 0) {
		sp->child_ns = fb_now_ns();
		_exit(0);
	}
	t_parent = fb_now_ns();
	if (pid < 0) {
		fb_seterr(run, "fork", errno);
		return -1;
	}
	if (fb_wait_child(run, pid, "fork_return child") != 0)
		return -1;
	if (sp->child_ns < t0) {
		snprintf(run->err, sizeof(run->err), "fork_return child stored no time");
		return -1;
	}
	ns[0] = (double)(sp->child_ns - t0);
	ns[1] = (double)(t_parent - t0);
	return 0;
}

/*
 * A throughput worker: for each command byte read from go_fd it performs
 * THROUGHPUT_BATCH fork/wait pairs and replies one byte, 0 on success or 1
 * after storing its error in the shared page.  End of file on go_fd ends it.
 */
static void
throughput_worker(struct fb_run *run)
{
	struct shared_page *sp = run->shared;
	char cmd, reply;
	ssize_t got;

	for (;;) {
		got = read(run->go_fd, &cmd, 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			_exit(got == 0 ? 0 : 1);
		reply = 0;
		for (int i = 0; i < THROUGHPUT_BATCH && reply == 0; i++) {
			pid_t pid = fork();

			if (pid == 0)
				_exit(0);
			if (pid < 0 || fb_wait_child(run, pid, "throughput child") != 0) {
				if (pid < 0)
					fb_seterr(run, "fork", errno);
				/* Racy between workers; any one message is enough. */
				if (sp->worker_err[0] == '\0')
					snprintf(sp->worker_err, sizeof(sp->worker_err),
						 "worker %d: %.200s", (int)getpid(), run->err);
				reply = 1;
			}
		}
		if (write(run->done_fd, &reply, 1) != 1)
			_exit(1);
	}
}

static void teardown_throughput(struct fb_run *run);

/* Starts --procs workers that wait for commands on a pipe. */
static int
setup_throughput(struct fb_run *run)
{
	int go[2], done[2];

	snprintf(run->param[0], sizeof(run->param[0]), "procs=%lu", run->opts->procs);
	run->go_fd = run->done_fd = -1;
	if (setup_shared(run) != 0)
		return -1;
	if (pipe(go) != 0) {
		fb_seterr(run, "pipe", errno);
		teardown_shared(run);
		return -1;
	}
	if (pipe(done) != 0) {
		fb_seterr(run, "pipe", errno);
		(void)close(go[0]);
		(void)close(go[1]);
		teardown_shared(run);
		return -1;
	}
	for (unsigned long i = 0; i < run->opts->procs; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			(void)close(go[1]);
			(void)close(done[0]);
			run->go_fd = go[0];
			run->done_fd = done[1];
			throughput_worker(run);
		}
		if (pid < 0) {
			fb_seterr(run, "fork (throughput worker)", errno);
			break;
		}
		run->workers[run->nworkers++] = pid;
	}
	(void)close(go[0]);
	(void)close(done[1]);
	run->go_fd = go[1];
	run->done_fd = done[0];
	if (run->nworkers < run->opts->procs) {
		teardown_throughput(run);
		return -1;
	}
	return 0;
}

/* Returns the wall time of one round divided by the forks in it. */
static int
iter_throughput(struct fb_run *run, double *ns)
{
	struct shared_page *sp = run->shared;
	size_t want = run->nworkers, have = 0;
	char buf[FB_MAX_PROCS];
	int failed = 0;
	uint64_t t0;

	memset(buf, 'g', want);
	t0 = fb_now_ns();
	/* Pipe writes up to PIPE_BUF bytes are atomic, and want <= 256. */
	if (write(run->go_fd, buf, want) != (ssize_t)want) {
		fb_seterr(run, "write(throughput command pipe)", errno);
		return -1;
	}
	while (have < want) {
		ssize_t got = read(run->done_fd, buf, want - have);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			if (got == 0)
				snprintf(run->err, sizeof(run->err),
					 "throughput: a worker exited early");
			else
				fb_seterr(run, "read(throughput reply pipe)", errno);
			return -1;
		}
		for (ssize_t i = 0; i < got; i++)
			failed |= buf[i] != 0;
		have += (size_t)got;
	}
	ns[0] = (double)(fb_now_ns() - t0) / (double)(want * THROUGHPUT_BATCH);
	if (failed) {
		snprintf(run->err, sizeof(run->err), "%s", sp->worker_err);
		return -1;
	}
	return 0;
}

/*
 * Closes the command pipe, so that workers read end of file and exit, then
 * reaps them; a worker that does not exit with status 0 is killed.
 */
static void
teardown_throughput(struct fb_run *run)
{
	if (run->go_fd >= 0)
		(void)close(run->go_fd);
	for (size_t i = 0; i < run->nworkers; i++) {
		int status;
		pid_t got;

		do
			got = waitpid(run->workers[i], &status, 0);
		while (got < 0 && errno == EINTR);
		if (got != run->workers[i])
			fb_kill_reap(run->workers[i]);
	}
	if (run->done_fd >= 0)
		(void)close(run->done_fd);
	run->go_fd = run->done_fd = -1;
	run->nworkers = 0;
	teardown_shared(run);
}

const struct fb_case fb_cases[] = {
	{ "fork", "fork; the child calls _exit(0); the parent waits with wait4",
	  1, 1, NULL, iter_fork, NULL },
	{ "vfork", "vfork; the child calls _exit(0); the parent waits with wait4",
	  1, 0, NULL, iter_vfork, NULL },
	{ "clone_vm", "clone(CLONE_VM|SIGCHLD) on its own stack; the child returns 0; wait4",
	  1, 0, setup_clone_vm, iter_clone_vm, teardown_clone_vm },
	{ "thread", "pthread_create of a thread that returns at once, then pthread_join",
	  1, 0, NULL, iter_thread, NULL },
	{ "fork_exec", "fork; the child execs the --exec program; wait4",
	  1, 0, setup_exec, iter_fork_exec, teardown_shared },
	{ "vfork_exec", "vfork; the child execs the --exec program; wait4",
	  1, 0, setup_exec, iter_vfork_exec, teardown_shared },
	{ "posix_spawn", "posix_spawn of the --exec program; wait4",
	  1, 0, setup_exec, iter_posix_spawn, teardown_shared },
	{ "cow_touch", "ns per page for a fork child's first write to K parent pages (copy-on-write fault)",
	  1, 0, setup_cow_touch, iter_cow_touch, teardown_shared },
	{ "fork_return", "ns from the fork call to the child's first instruction (child) and to the parent's return (parent)",
	  2, 0, setup_fork_return, iter_fork_return, teardown_shared },
	{ "throughput", "ns per fork with --procs processes forking at once (forks/s on stderr)",
	  1, 0, setup_throughput, iter_throughput, teardown_throughput },
};
const size_t fb_ncases = sizeof(fb_cases) / sizeof(fb_cases[0]);
