/*
 * t_clone: clone(2) flag semantics that NetBSD's sys___clone and Linux
 * share: memory sharing with CLONE_VM, the EINVAL rules for inconsistent
 * flags, exit signals other than SIGCHLD and the wait flags they need,
 * CLONE_PARENT_SETTID, CLONE_CHILD_SETTID/CLEARTID with the futex wake at
 * exit, CLONE_SETTLS and CLONE_FILES.
 *
 * Children run on stacks of their own through musl's clone() and share the
 * parent's memory, so they report through globals and the parent checks.
 */
#include "gtest.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define STACK_SIZE (64 * 1024)
#define ARCH_GET_FS 0x1003
#define FUTEX_WAIT 0

static unsigned char child_stack[STACK_SIZE] __attribute__((aligned(16)));

static void *
stack_top(void)
{
	return child_stack + sizeof(child_stack);
}

static long
sys(long nr, long a1, long a2, long a3)
{
	return gt_syscall(nr, a1, a2, a3, 0, 0, 0);
}

static volatile long shared_value;

static int
child_set_value(void *arg)
{
	shared_value = (long)(intptr_t)arg;
	return 7;
}

static int
child_return_zero(void *arg)
{
	(void)arg;
	return 0;
}

static void
test_clone_vm(void)
{
	int pid;

	shared_value = 0;
	pid = clone(child_set_value, stack_top(), CLONE_VM | SIGCHLD,
	    (void *)(intptr_t)1234);
	if (!gt_ok(pid > 0, "clone(CLONE_VM|SIGCHLD) (errno %d)", errno))
		return;
	gt_wait_status(pid, GT_EXITED(7), "CLONE_VM child returns 7");
	gt_eq(1234, shared_value, "CLONE_VM child's write seen by the parent");
}

/* Expect clone with FLAGS to fail with EINVAL; reap a child made by mistake. */
static void
expect_einval(int flags, const char *what)
{
	int pid;

	errno = 0;
	pid = clone(child_return_zero, stack_top(), flags, NULL);
	if (pid > 0) {
		gt_ok(0, "%s: expected EINVAL, got child %d", what, pid);
		if (!(flags & CLONE_THREAD))
			waitpid(pid, NULL, __WALL);
		return;
	}
	gt_eq(EINVAL, errno, "%s: errno", what);
}

static void
test_einval_rules(void)
{
	expect_einval(CLONE_SIGHAND | SIGCHLD, "CLONE_SIGHAND without CLONE_VM");
	expect_einval(CLONE_VM | CLONE_THREAD | SIGCHLD,
	    "CLONE_THREAD without CLONE_SIGHAND");

	/*
	 * Linux's legacy clone(2) takes any exit signal number that fits in
	 * CSIGNAL (0-255), so 65 is accepted there; NetBSD rejects a signal
	 * that does not exist.
	 */
	if (gt_have_forklab())
		expect_einval(CLONE_VM | 65, "exit signal 65");
	else
		gt_skip("exit signal 65 EINVAL check: Linux accepts it");
}

static volatile sig_atomic_t usr1_count;

static void
on_usr1(int sig)
{
	(void)sig;
	usr1_count++;
}

static void
test_exit_signal(void)
{
	struct sigaction sa;
	int pid, status;
	long r;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	usr1_count = 0;

	pid = clone(child_set_value, stack_top(), CLONE_VM | SIGUSR1,
	    (void *)(intptr_t)5);
	if (!gt_ok(pid > 0, "clone with exit signal SIGUSR1 (errno %d)", errno))
		return;

	/* A child with a non-SIGCHLD exit signal is invisible to plain wait. */
	r = gt_syscall(SYS_wait4, pid, (long)&status, WNOHANG, 0, 0, 0);
	gt_sys(ECHILD, r, "wait4 without __WCLONE on a clone child");
	status = gt_wait(pid, __WALL);
	gt_status(GT_EXITED(7), status, "wait4 __WALL on a SIGUSR1 child");
	gt_eq(1, usr1_count, "exit signal SIGUSR1 delivered to the parent");

	usr1_count = 0;
	pid = clone(child_set_value, stack_top(), CLONE_VM | SIGUSR1,
	    (void *)(intptr_t)6);
	if (!gt_ok(pid > 0, "second clone with exit signal SIGUSR1"))
		return;
	status = gt_wait(pid, __WCLONE);
	gt_status(GT_EXITED(7), status, "wait4 __WCLONE on a SIGUSR1 child");
	gt_eq(1, usr1_count, "second SIGUSR1 exit signal delivered");

	signal(SIGUSR1, SIG_DFL);
}

static volatile int child_tid_slot;
static volatile long child_seen_tid;

static int
child_clear_tid(void *arg)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };

	(void)arg;
	child_seen_tid = child_tid_slot;
	/* Let the parent reach FUTEX_WAIT before the tid is cleared. */
	sys(SYS_nanosleep, (long)&ts, 0, 0);
	return 0;
}

static void
test_tid_flags(void)
{
	struct timespec timeout = { 10, 0 };
	pid_t ptid = 0;
	long wait_ret = 1;
	int pid, val;

	pid = clone(child_return_zero, stack_top(),
	    CLONE_VM | CLONE_PARENT_SETTID | SIGCHLD, NULL, &ptid);
	if (gt_ok(pid > 0, "clone CLONE_PARENT_SETTID")) {
		gt_eq(pid, ptid, "CLONE_PARENT_SETTID stores the child's tid");
		gt_wait_status(pid, GT_EXITED(0), "CLONE_PARENT_SETTID child");
	}

	child_tid_slot = -1;
	child_seen_tid = 0;
	pid = clone(child_clear_tid, stack_top(),
	    CLONE_VM | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD, NULL,
	    NULL, NULL, &child_tid_slot);
	if (!gt_ok(pid > 0, "clone CLONE_CHILD_SETTID|CLONE_CHILD_CLEARTID"))
		return;
	while ((val = child_tid_slot) != 0) {
		wait_ret = gt_syscall(SYS_futex, (long)&child_tid_slot, FUTEX_WAIT,
		    val, (long)&timeout, 0, 0);
		if (wait_ret == -ETIMEDOUT)
			break;
	}
	gt_eq(pid, child_seen_tid, "CLONE_CHILD_SETTID stores the tid in the "
	    "child");
	gt_eq(0, child_tid_slot, "CLONE_CHILD_CLEARTID clears the tid at exit");
	gt_sys(0, wait_ret, "FUTEX_WAIT on the tid woken at child exit");
	gt_wait_status(pid, GT_EXITED(0), "CLONE_CHILD_CLEARTID child");
}

static uint64_t tls_block[64] __attribute__((aligned(64)));
static volatile unsigned long tls_fs_base;
static volatile uint64_t tls_through_fs;

/* Runs on the new TLS: no libc call may touch errno or the thread pointer. */
static int
child_read_tls(void *arg)
{
	unsigned long base = 0;
	uint64_t v;

	(void)arg;
	gt_syscall(SYS_arch_prctl, ARCH_GET_FS, (long)&base, 0, 0, 0, 0);
	__asm__ volatile("mov %%fs:0, %0" : "=r"(v));
	tls_fs_base = base;
	tls_through_fs = v;
	return 0;
}

static void
test_settls(void)
{
	int pid;

	/* %fs:0 holds the thread pointer itself in the x86-64 TLS ABI. */
	tls_block[0] = (uint64_t)(uintptr_t)tls_block;
	tls_fs_base = 0;
	tls_through_fs = 0;
	pid = clone(child_read_tls, stack_top(), CLONE_VM | CLONE_SETTLS | SIGCHLD,
	    NULL, NULL, tls_block);
	if (!gt_ok(pid > 0, "clone CLONE_SETTLS"))
		return;
	gt_wait_status(pid, GT_EXITED(0), "CLONE_SETTLS child");
	gt_eq((long long)(uintptr_t)tls_block, (long long)tls_fs_base,
	    "CLONE_SETTLS sets the child's fs base");
	gt_eq((long long)(uintptr_t)tls_block, (long long)tls_through_fs,
	    "child reads its TLS block through %%fs");
}

static volatile int files_fd;
static volatile long files_close_ret;
static volatile int files_new_fd;

static int
child_close_fd(void *arg)
{
	files_close_ret = sys(SYS_close, files_fd, 0, 0);
	/* Above the closed fd, which a plain dup would reuse. */
	if (arg)
		files_new_fd = (int)sys(SYS_fcntl, 0, F_DUPFD, 50);
	return 0;
}

static void
test_clone_files(void)
{
	int pid, fd;

	fd = open(gt_self_path(), O_RDONLY);
	if (!gt_ok(fd >= 0, "open for CLONE_FILES"))
		return;
	files_fd = fd;
	files_close_ret = 1;
	pid = clone(child_close_fd, stack_top(), CLONE_VM | SIGCHLD, NULL);
	if (gt_ok(pid > 0, "clone without CLONE_FILES")) {
		gt_wait_status(pid, GT_EXITED(0), "child closing a copied fd");
		gt_sys(0, files_close_ret, "close in the child");
		gt_ok(fcntl(fd, F_GETFD) >= 0,
		    "without CLONE_FILES the parent's fd stays open");
	}

	files_close_ret = 1;
	files_new_fd = -1;
	pid = clone(child_close_fd, stack_top(), CLONE_VM | CLONE_FILES | SIGCHLD,
	    (void *)1);
	if (gt_ok(pid > 0, "clone CLONE_FILES")) {
		gt_wait_status(pid, GT_EXITED(0), "child closing a shared fd");
		gt_sys(0, files_close_ret, "close in the CLONE_FILES child");
		gt_sys(EBADF, sys(SYS_fcntl, fd, F_GETFD, 0),
		    "CLONE_FILES: fd closed by the child is closed in the parent");
		gt_ok(files_new_fd >= 0, "F_DUPFD in the CLONE_FILES child (got %d)",
		    files_new_fd);
		if (files_new_fd >= 0) {
			gt_sys(0, sys(SYS_close, files_new_fd, 0, 0),
			    "CLONE_FILES: fd opened by the child is open in the "
			    "parent");
		}
	} else {
		close(fd);
	}
}

int
main(int argc, char **argv)
{
	gt_init(argc, argv);

	test_clone_vm();
	test_einval_rules();
	test_exit_signal();
	test_tid_flags();
	test_settls();
	test_clone_files();
	return gt_finish();
}
