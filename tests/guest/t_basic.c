/*
 * t_basic: the foundation of the Linux system call ABI that every static
 * musl program relies on: I/O on the standard descriptors, files, memory
 * mappings, brk, signals and sigreturn, identity, clocks, fault reporting
 * (EFAULT and SIGSEGV) and exit statuses.
 */
#include "gtest.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096

/* The lowest address of the kernel half on x86-64 with 4-level paging. */
#define KERNEL_ADDR 0xffff800000000000UL

#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003

static long
sys(long nr, long a1, long a2, long a3)
{
	return gt_syscall(nr, a1, a2, a3, 0, 0, 0);
}

static void
test_stdio_fds(void)
{
	static const char out[] = "t_basic: write to fd 1\n";
	static const char err[] = "t_basic: write to fd 2\n";
	static char a[] = "t_basic: writev ", b[] = "to fd 1\n";
	struct iovec iov[2] = {
		{ a, sizeof(a) - 1 },
		{ b, sizeof(b) - 1 },
	};

	gt_eq(sizeof(out) - 1, sys(SYS_write, 1, (long)out, sizeof(out) - 1),
	    "write to fd 1");
	gt_eq(sizeof(err) - 1, sys(SYS_write, 2, (long)err, sizeof(err) - 1),
	    "write to fd 2");
	gt_eq(sizeof(a) + sizeof(b) - 2, sys(SYS_writev, 1, (long)iov, 2),
	    "writev of two buffers to fd 1");
	gt_eq(0, sys(SYS_write, 1, (long)out, 0), "write of 0 bytes");
	gt_sys(EBADF, sys(SYS_write, 999, (long)out, 1), "write to fd 999");
}

static void
test_files(void)
{
	const char *self = gt_self_path();
	unsigned char magic[4] = { 0 };
	struct stat st;
	long fd, end;

	gt_sys(ENOENT, sys(SYS_openat, AT_FDCWD, (long)"/forklab-no-such-file",
	    O_RDONLY), "openat of a missing file");

	fd = sys(SYS_openat, AT_FDCWD, (long)self, O_RDONLY | O_CLOEXEC);
	if (!gt_ok(fd >= 0, "openat of %s (returned %ld)", self, fd))
		return;

	gt_eq(4, sys(SYS_read, fd, (long)magic, 4), "read of the ELF header");
	gt_eq(0, memcmp(magic, "\177ELF", 4), "ELF magic in %s", self);
	gt_eq(4, sys(SYS_lseek, fd, 0, SEEK_CUR), "lseek SEEK_CUR after read");
	gt_eq(16, sys(SYS_lseek, fd, 16, SEEK_SET), "lseek SEEK_SET 16");
	gt_eq(20, sys(SYS_lseek, fd, 4, SEEK_CUR), "lseek SEEK_CUR +4");
	gt_sys(EINVAL, sys(SYS_lseek, fd, 0, 99), "lseek with whence 99");
	gt_eq(20, sys(SYS_lseek, fd, 0, SEEK_CUR),
	    "offset unchanged by a failed lseek");
	gt_sys(EINVAL, sys(SYS_lseek, fd, -100, SEEK_SET),
	    "lseek to a negative offset");

	end = sys(SYS_lseek, fd, 0, SEEK_END);
	gt_ok(end > 64, "lseek SEEK_END gives the file size (got %ld)", end);
	gt_eq(0, sys(SYS_read, fd, (long)magic, 4), "read at end of file");

	memset(&st, 0, sizeof(st));
	gt_eq(0, sys(SYS_fstat, fd, (long)&st, 0), "fstat");
	gt_ok(S_ISREG(st.st_mode), "fstat S_ISREG (st_mode %#o)",
	    (unsigned)st.st_mode);
	gt_eq(end, st.st_size, "fstat st_size equals lseek SEEK_END");

	gt_eq(0, sys(SYS_close, fd, 0, 0), "close");
	gt_sys(EBADF, sys(SYS_close, fd, 0, 0), "second close of the same fd");
	gt_sys(EBADF, sys(SYS_read, fd, (long)magic, 4), "read of a closed fd");
}

static void
test_ioctl(void)
{
	struct winsize ws;

	if (isatty(1)) {
		gt_skip("TIOCGWINSZ ENOTTY check: fd 1 is a terminal");
		return;
	}
	gt_sys(ENOTTY, sys(SYS_ioctl, 1, TIOCGWINSZ, (long)&ws),
	    "ioctl(1, TIOCGWINSZ) on a non-terminal");
}

/* Fork a child that writes to P and check that it dies of SIGSEGV. */
static void
expect_write_fault(volatile int *p, const char *what)
{
	pid_t pid = fork();

	if (pid == 0) {
		*p = 1;
		_exit(0);
	}
	if (gt_ok(pid > 0, "fork for %s", what))
		gt_wait_status(pid, GT_KILLED(SIGSEGV), "%s", what);
}

static void
test_mmap(void)
{
	unsigned char *p, *shared;
	int zero = 1;
	pid_t pid;

	p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!gt_ok(p != MAP_FAILED, "mmap of 4 anonymous pages"))
		return;
	for (int i = 0; i < 4 * PAGE; i++)
		if (p[i] != 0)
			zero = 0;
	gt_ok(zero, "anonymous mapping is zero-filled");
	for (int i = 0; i < 4 * PAGE; i++)
		p[i] = (unsigned char)(i * 7);
	gt_eq((unsigned char)(3 * PAGE * 7 + 21), p[3 * PAGE + 3],
	    "write to an anonymous mapping reads back");

	gt_eq(0, mprotect(p + PAGE, PAGE, PROT_READ), "mprotect PROT_READ");
	gt_eq((unsigned char)(PAGE * 7), p[PAGE],
	    "read of a PROT_READ page keeps its data");
	expect_write_fault((volatile int *)(p + PAGE),
	    "write to a PROT_READ page in a child");
	gt_eq(0, mprotect(p + PAGE, PAGE, PROT_READ | PROT_WRITE),
	    "mprotect back to PROT_READ|PROT_WRITE");
	p[PAGE] = 0x5a;
	gt_eq(0x5a, p[PAGE], "write after mprotect back to writable");

	gt_eq(0, munmap(p + 2 * PAGE, PAGE), "munmap of one page");
	expect_write_fault((volatile int *)(p + 2 * PAGE),
	    "write to an unmapped page in a child");
	gt_eq((unsigned char)(3 * PAGE * 7 + 21), p[3 * PAGE + 3],
	    "page after the hole is intact");
	gt_sys(EINVAL, gt_syscall(SYS_munmap, (long)p + 1, PAGE, 0, 0, 0, 0),
	    "munmap of an unaligned address");
	gt_eq(0, munmap(p, 4 * PAGE), "munmap of the whole range");

	shared = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!gt_ok(shared != MAP_FAILED, "mmap MAP_SHARED|MAP_ANONYMOUS"))
		return;
	shared[0] = 1;
	pid = fork();
	if (pid == 0) {
		shared[0] = 2;
		shared[PAGE - 1] = 3;
		_exit(0);
	}
	if (gt_ok(pid > 0, "fork for the shared mapping")) {
		gt_wait_status(pid, GT_EXITED(0), "shared mapping child");
		gt_eq(2, shared[0], "child's write to a shared mapping seen");
		gt_eq(3, shared[PAGE - 1], "child's write to the last byte seen");
	}
	munmap(shared, PAGE);
}

static void
test_brk(void)
{
	long cur = sys(SYS_brk, 0, 0, 0);
	long grown, again;
	volatile unsigned char *mem;
	int zero = 1;

	if (!gt_ok(cur > 0, "brk(0) returns the break (got %ld)", cur))
		return;
	grown = sys(SYS_brk, cur + 16 * PAGE, 0, 0);
	if (!gt_eq(cur + 16 * PAGE, grown, "brk grows by 16 pages"))
		return;
	mem = (volatile unsigned char *)cur;
	for (int i = 0; i < 16 * PAGE; i++)
		if (mem[i] != 0)
			zero = 0;
	gt_ok(zero, "grown brk memory is zero-filled");
	for (int i = 0; i < 16 * PAGE; i += 512)
		mem[i] = 0xa5;
	gt_eq(0xa5, mem[15 * PAGE + 3584], "write to grown brk memory");

	gt_eq(cur, sys(SYS_brk, cur, 0, 0), "brk shrinks back");
	again = sys(SYS_brk, cur + PAGE, 0, 0);
	gt_eq(cur + PAGE, again, "brk grows again by one page");
	gt_eq(0, mem[0], "memory returned by brk is zero when regrown");
	gt_eq(cur, sys(SYS_brk, cur, 0, 0), "brk restored");
}

static volatile sig_atomic_t sig_count;
static volatile sig_atomic_t sig_last;

/* Clobber every caller-saved register the interrupted code may rely on. */
static void
on_signal(int sig)
{
	sig_count++;
	sig_last = sig;
	__asm__ volatile(
	    "xor %%edx, %%edx\n\t"
	    "xor %%esi, %%esi\n\t"
	    "xor %%edi, %%edi\n\t"
	    "xor %%r8d, %%r8d\n\t"
	    "xor %%r9d, %%r9d\n\t"
	    "xor %%r10d, %%r10d\n\t"
	    "xor %%r11d, %%r11d\n\t"
	    "pxor %%xmm0, %%xmm0\n\t"
	    "pxor %%xmm1, %%xmm1\n\t"
	    "pxor %%xmm7, %%xmm7\n\t"
	    "pxor %%xmm15, %%xmm15"
	    ::: "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11",
	    "xmm0", "xmm1", "xmm7", "xmm15", "memory");
}

/*
 * basic_kill_keep_regs(pid, sig, in, out): load registers from in[0..15],
 * call kill(pid, sig) with a bare syscall instruction, then store the
 * registers to out[].  The signal is delivered before the system call
 * returns, so a handler runs and returns through rt_sigreturn in between.
 *   in:  rbx rbp r12 r13 r14 r15 rdx r8 r9 r10, xmm0 xmm1 xmm7 (2 words each)
 *   out: the same 16 words, then rdi rsi rax
 */
__asm__(
    ".text\n"
    ".globl basic_kill_keep_regs\n"
    ".type basic_kill_keep_regs, @function\n"
    "basic_kill_keep_regs:\n"
    "	push %rbx\n	push %rbp\n	push %r12\n"
    "	push %r13\n	push %r14\n	push %r15\n"
    "	push %rcx\n"
    "	mov %rdx, %r11\n"
    "	mov 0(%r11), %rbx\n	mov 8(%r11), %rbp\n"
    "	mov 16(%r11), %r12\n	mov 24(%r11), %r13\n"
    "	mov 32(%r11), %r14\n	mov 40(%r11), %r15\n"
    "	mov 48(%r11), %rdx\n	mov 56(%r11), %r8\n"
    "	mov 64(%r11), %r9\n	mov 72(%r11), %r10\n"
    "	movdqu 80(%r11), %xmm0\n	movdqu 96(%r11), %xmm1\n"
    "	movdqu 112(%r11), %xmm7\n"
    "	mov $62, %eax\n"			/* SYS_kill */
    "	syscall\n"
    "	pop %r11\n"
    "	mov %rbx, 0(%r11)\n	mov %rbp, 8(%r11)\n"
    "	mov %r12, 16(%r11)\n	mov %r13, 24(%r11)\n"
    "	mov %r14, 32(%r11)\n	mov %r15, 40(%r11)\n"
    "	mov %rdx, 48(%r11)\n	mov %r8, 56(%r11)\n"
    "	mov %r9, 64(%r11)\n	mov %r10, 72(%r11)\n"
    "	movdqu %xmm0, 80(%r11)\n	movdqu %xmm1, 96(%r11)\n"
    "	movdqu %xmm7, 112(%r11)\n"
    "	mov %rdi, 128(%r11)\n	mov %rsi, 136(%r11)\n"
    "	mov %rax, 144(%r11)\n"
    "	pop %r15\n	pop %r14\n	pop %r13\n"
    "	pop %r12\n	pop %rbp\n	pop %rbx\n"
    "	ret\n"
    ".size basic_kill_keep_regs, .-basic_kill_keep_regs\n");

void basic_kill_keep_regs(long pid, long sig, const uint64_t *in,
    uint64_t *out);

static void
test_signal_registers(void)
{
	static const char *const names[] = {
		"rbx", "rbp", "r12", "r13", "r14", "r15", "rdx", "r8", "r9", "r10",
		"xmm0 low", "xmm0 high", "xmm1 low", "xmm1 high",
		"xmm7 low", "xmm7 high",
	};
	uint64_t in[16], out[19];
	int before = sig_count;

	for (int i = 0; i < 16; i++)
		in[i] = 0x1111111111111111ULL * (uint64_t)(i % 15 + 1) + (uint64_t)i;
	memset(out, 0, sizeof(out));
	basic_kill_keep_regs(getpid(), SIGUSR1, in, out);

	gt_eq(before + 1, sig_count, "handler ran before kill returned");
	for (int i = 0; i < 16; i++)
		gt_eq((long long)in[i], (long long)out[i],
		    "register %s intact across a signal handler", names[i]);
	gt_eq(getpid(), (long long)out[16], "register rdi intact across kill");
	gt_eq(SIGUSR1, (long long)out[17], "register rsi intact across kill");
	gt_eq(0, (long long)out[18], "kill to self returns 0 in rax");
}

static void
test_signals(void)
{
	struct sigaction sa, old;
	sigset_t block, prev, pending;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	gt_eq(0, sigaction(SIGUSR1, &sa, NULL), "sigaction SIGUSR1");
	gt_eq(0, sigaction(SIGUSR2, &sa, NULL), "sigaction SIGUSR2");
	memset(&old, 0, sizeof(old));
	gt_eq(0, sigaction(SIGUSR1, NULL, &old), "sigaction query");
	gt_ok(old.sa_handler == on_signal, "sigaction returns the installed "
	    "handler");
	gt_sys(EINVAL, gt_syscall(SYS_rt_sigaction, SIGUSR1, 0, (long)&old, 4,
	    0, 0), "rt_sigaction with sigsetsize 4");
	gt_sys(EINVAL, gt_syscall(SYS_rt_sigaction, SIGKILL, (long)&sa, 0, 8,
	    0, 0), "rt_sigaction on SIGKILL");

	sig_count = 0;
	gt_eq(0, raise(SIGUSR1), "raise SIGUSR1");
	gt_eq(1, sig_count, "handler ran once after raise");
	gt_eq(SIGUSR1, sig_last, "handler got the signal number");
	gt_eq(0, kill(getpid(), SIGUSR2), "kill(getpid(), SIGUSR2)");
	gt_eq(2, sig_count, "handler ran after kill to self");
	gt_eq(SIGUSR2, sig_last, "handler got SIGUSR2");

	test_signal_registers();

	/* A blocked signal stays pending until it is unblocked. */
	sigemptyset(&block);
	sigaddset(&block, SIGUSR2);
	gt_eq(0, sigprocmask(SIG_BLOCK, &block, &prev), "sigprocmask SIG_BLOCK");
	gt_eq(0, sigismember(&prev, SIGUSR2), "SIGUSR2 not blocked before");
	sig_count = 0;
	kill(getpid(), SIGUSR2);
	gt_eq(0, sig_count, "blocked signal not delivered");
	sigemptyset(&pending);
	gt_eq(0, sigpending(&pending), "sigpending");
	gt_eq(1, sigismember(&pending, SIGUSR2), "blocked SIGUSR2 is pending");
	gt_eq(0, sigismember(&pending, SIGUSR1), "SIGUSR1 is not pending");
	gt_eq(0, sigprocmask(SIG_SETMASK, &prev, NULL), "sigprocmask unblock");
	gt_eq(1, sig_count, "pending signal delivered on unblock");
	gt_eq(SIGUSR2, sig_last, "delivered signal is SIGUSR2");
	sigemptyset(&pending);
	sigpending(&pending);
	gt_eq(0, sigismember(&pending, SIGUSR2), "SIGUSR2 no longer pending");
	gt_sys(EINVAL, gt_syscall(SYS_rt_sigprocmask, 99, (long)&block, 0, 8,
	    0, 0), "rt_sigprocmask with how 99");

	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
}

static void
test_identity(void)
{
	struct utsname u;
	long pid = sys(SYS_getpid, 0, 0, 0);

	gt_ok(pid > 0, "getpid positive (got %ld)", pid);
	gt_eq(pid, getpid(), "getpid wrapper agrees");
	gt_eq(pid, sys(SYS_gettid, 0, 0, 0), "gettid equals getpid in the "
	    "main thread");

	memset(&u, 0, sizeof(u));
	gt_eq(0, uname(&u), "uname");
	if (!gt_have_forklab())
		gt_streq("Linux", u.sysname, "uname sysname");
	else
		gt_ok(u.sysname[0] != '\0', "uname sysname non-empty");
	gt_ok(u.release[0] != '\0', "uname release non-empty");
	gt_streq("x86_64", u.machine, "uname machine");
}

/* In a child, because moving %fs away from musl's TLS breaks errno. */
static void
test_arch_prctl(void)
{
	static uint64_t tls_block[4];
	pid_t pid = fork();

	if (pid == 0) {
		unsigned long orig = 0, now = 0, back = 0;
		long r_get, r_set, r_get2, r_restore;
		uint64_t through_fs;

		r_get = gt_syscall(SYS_arch_prctl, ARCH_GET_FS, (long)&orig, 0, 0,
		    0, 0);
		tls_block[0] = 0x5eed5eed1234ULL;
		r_set = gt_syscall(SYS_arch_prctl, ARCH_SET_FS, (long)tls_block,
		    0, 0, 0, 0);
		r_get2 = gt_syscall(SYS_arch_prctl, ARCH_GET_FS, (long)&now, 0, 0,
		    0, 0);
		__asm__ volatile("mov %%fs:0, %0" : "=r"(through_fs));
		r_restore = gt_syscall(SYS_arch_prctl, ARCH_SET_FS, (long)orig, 0,
		    0, 0, 0);
		gt_syscall(SYS_arch_prctl, ARCH_GET_FS, (long)&back, 0, 0, 0, 0);

		/* musl's TLS is back, so the checks may use libc again. */
		gt_eq(0, r_get, "arch_prctl ARCH_GET_FS");
		gt_ok(orig != 0, "fs base set by musl at start");
		gt_eq(0, r_set, "arch_prctl ARCH_SET_FS");
		gt_eq(0, r_get2, "arch_prctl ARCH_GET_FS after set");
		gt_eq((long long)(uintptr_t)tls_block, (long long)now,
		    "ARCH_GET_FS returns the value set");
		gt_eq(0x5eed5eed1234LL, (long long)through_fs,
		    "%%fs:0 reads the new TLS block");
		gt_eq(0, r_restore, "arch_prctl ARCH_SET_FS restore");
		gt_eq((long long)orig, (long long)back, "fs base restored");
		gt_sys(EINVAL, gt_syscall(SYS_arch_prctl, 0x9999, 0, 0, 0, 0, 0),
		    "arch_prctl with an unknown code");
		_exit(0);
	}
	if (gt_ok(pid > 0, "fork for arch_prctl"))
		gt_wait_status(pid, GT_EXITED(0), "arch_prctl child");
}

/* In a child, so the main thread keeps musl's clear_child_tid address. */
static void
test_set_tid_address(void)
{
	static int ctid;
	pid_t pid = fork();

	if (pid == 0) {
		long tid = gt_syscall(SYS_set_tid_address, (long)&ctid, 0, 0, 0,
		    0, 0);

		gt_eq(sys(SYS_gettid, 0, 0, 0), tid,
		    "set_tid_address returns the caller's tid");
		_exit(0);
	}
	if (gt_ok(pid > 0, "fork for set_tid_address"))
		gt_wait_status(pid, GT_EXITED(0), "set_tid_address child");
}

static long long
ts_ns(const struct timespec *ts)
{
	return (long long)ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

static void
test_clocks(void)
{
	struct timespec a, b, c, req = { 0, 10 * 1000 * 1000 }, real;

	gt_eq(0, sys(SYS_clock_gettime, CLOCK_MONOTONIC, (long)&a, 0),
	    "clock_gettime MONOTONIC");
	gt_eq(0, sys(SYS_clock_gettime, CLOCK_MONOTONIC, (long)&b, 0),
	    "second clock_gettime MONOTONIC");
	gt_ok(a.tv_nsec >= 0 && a.tv_nsec < 1000000000,
	    "tv_nsec in range (got %ld)", (long)a.tv_nsec);
	gt_ok(ts_ns(&b) >= ts_ns(&a), "MONOTONIC does not go back (%lld then "
	    "%lld ns)", ts_ns(&a), ts_ns(&b));
	gt_eq(0, sys(SYS_nanosleep, (long)&req, 0, 0), "nanosleep 10 ms");
	gt_eq(0, sys(SYS_clock_gettime, CLOCK_MONOTONIC, (long)&c, 0),
	    "clock_gettime after nanosleep");
	gt_ok(ts_ns(&c) - ts_ns(&b) >= 10000000LL,
	    "nanosleep 10 ms advances MONOTONIC by >= 10 ms (got %lld ns)",
	    ts_ns(&c) - ts_ns(&b));

	gt_eq(0, sys(SYS_clock_gettime, CLOCK_REALTIME, (long)&real, 0),
	    "clock_gettime REALTIME");
	/* 1577836800 is 2020-01-01T00:00:00Z. */
	gt_ok(real.tv_sec > 1577836800, "REALTIME after 2020 (got %lld s)",
	    (long long)real.tv_sec);
	gt_sys(EINVAL, sys(SYS_clock_gettime, 12345, (long)&real, 0),
	    "clock_gettime of clock 12345");
	req.tv_nsec = 1000000000;
	gt_sys(EINVAL, sys(SYS_nanosleep, (long)&req, 0, 0),
	    "nanosleep with tv_nsec 1e9");
	gt_eq(0, sys(SYS_sched_yield, 0, 0, 0), "sched_yield");
}

static void
test_efault(void)
{
	long fd = sys(SYS_openat, AT_FDCWD, (long)gt_self_path(),
	    O_RDONLY | O_CLOEXEC);

	gt_sys(EFAULT, sys(SYS_write, 1, 1, 10), "write from address 1");
	gt_sys(EFAULT, sys(SYS_write, 1, (long)KERNEL_ADDR, 10),
	    "write from a kernel address");
	if (gt_ok(fd >= 0, "open for the EFAULT read")) {
		gt_sys(EFAULT, sys(SYS_read, fd, (long)KERNEL_ADDR, 10),
		    "read into a kernel address");
		gt_sys(EFAULT, sys(SYS_read, fd, 1, 10), "read into address 1");
		close((int)fd);
	}
	gt_sys(EFAULT, sys(SYS_clock_gettime, CLOCK_MONOTONIC, 1, 0),
	    "clock_gettime into address 1");
	gt_sys(EFAULT, sys(SYS_clock_gettime, CLOCK_MONOTONIC,
	    (long)KERNEL_ADDR, 0), "clock_gettime into a kernel address");
	gt_sys(EFAULT, sys(SYS_openat, AT_FDCWD, (long)KERNEL_ADDR, O_RDONLY),
	    "openat of a path at a kernel address");
	gt_sys(ENOSYS, sys(1000, 0, 0, 0), "unknown system call 1000");
	gt_sys(ENOSYS, sys(-1, 0, 0, 0), "system call -1");
}

static void
test_wild_writes(void)
{
	pid_t pid;

	expect_write_fault((volatile int *)0x10, "write to address 0x10");
	expect_write_fault((volatile int *)KERNEL_ADDR,
	    "write to a kernel address");

	pid = fork();
	if (pid == 0) {
		volatile int v = *(volatile int *)(KERNEL_ADDR + 0x1000);

		(void)v;
		_exit(0);
	}
	if (gt_ok(pid > 0, "fork for a kernel read"))
		gt_wait_status(pid, GT_KILLED(SIGSEGV), "read of a kernel address");
}

static void
test_malloc(void)
{
	const size_t big = 64UL << 20;
	char *small = malloc(100);
	unsigned char *p;
	int zero = 1;

	if (gt_ok(small != NULL, "malloc(100)")) {
		memset(small, 'x', 100);
		gt_eq('x', small[99], "malloc(100) memory writable");
		free(small);
	}
	p = malloc(big);
	if (!gt_ok(p != NULL, "malloc(64 MiB)"))
		return;
	/* A sample of pages keeps this fast under emulation. */
	for (size_t off = 0; off < big; off += 64 * PAGE)
		if (p[off] != 0)
			zero = 0;
	gt_ok(zero, "malloc(64 MiB) pages are zero-filled");
	for (size_t off = 0; off < big; off += 64 * PAGE)
		p[off] = (unsigned char)(off >> 18);
	p[big - 1] = 0x77;
	gt_eq((unsigned char)((big - 64 * PAGE) >> 18), p[big - 64 * PAGE],
	    "malloc(64 MiB) sampled page reads back");
	gt_eq(0x77, p[big - 1], "malloc(64 MiB) last byte reads back");
	free(p);
}

static void
test_stdio_and_exit(void)
{
	pid_t pid;

	gt_eq(22, printf("t_basic: printf works\n"), "printf to stdout");
	gt_eq(0, fflush(stdout), "fflush(stdout)");
	gt_eq(22, fprintf(stderr, "t_basic: stderr works\n"),
	    "fprintf to stderr");
	gt_eq(0, fflush(stderr), "fflush(stderr)");

	pid = fork();
	if (pid == 0)
		abort();
	if (gt_ok(pid > 0, "fork for abort"))
		gt_wait_status(pid, GT_KILLED(SIGABRT), "abort in a child");

	pid = fork();
	if (pid == 0)
		exit(42);
	if (gt_ok(pid > 0, "fork for exit(42)"))
		gt_wait_status(pid, GT_EXITED(42), "exit(42) in a child");

	pid = fork();
	if (pid == 0)
		gt_syscall(SYS_exit_group, 7, 0, 0, 0, 0, 0);
	if (gt_ok(pid > 0, "fork for exit_group(7)"))
		gt_wait_status(pid, GT_EXITED(7), "exit_group(7) in a child");
}

int
main(int argc, char **argv)
{
	gt_init(argc, argv);

	test_stdio_fds();
	test_files();
	test_ioctl();
	test_mmap();
	test_brk();
	test_signals();
	test_identity();
	test_arch_prctl();
	test_set_tid_address();
	test_clocks();
	test_efault();
	test_wild_writes();
	test_malloc();
	test_stdio_and_exit();
	return gt_finish();
}
