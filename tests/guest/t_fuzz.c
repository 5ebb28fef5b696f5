/*
 * t_fuzz: process and memory system calls with random and edge-case
 * arguments never break the kernel.
 *
 * A sacrificial child calls fork, vfork, clone, wait4, execve, exit, mmap,
 * munmap, mprotect, brk, futex, pipe2 and kill with arguments drawn from a
 * fixed-seed generator: bad, unaligned and kernel-space pointers, huge and
 * zero sizes, single flag bits and random flag words, negative pids.  Every
 * error must be an errno value from 1 to 133; on forklab the kernel must not
 * panic, and free_pages, procs, lwps and uareas must come back exactly once
 * the child and everything it made are reaped.  On forklab the run is
 * repeated under cow=copy, cow and odf.
 *
 * Options (before the common --long): --seed N (default 0x5eed), --calls N
 * (default 10,000 per copy mode, 100,000 with --long).  A failure prints the
 * seed and the call index, so that the run can be replayed.
 *
 * The calls are fenced so that the program is safe on a developer's host:
 * created processes exit at once; kill reaches only processes this program
 * made (victims it keeps as zombies of a holder process, so that their pids
 * cannot be reused) and pids that cannot exist; execve runs only the nop
 * program, in a forked child, or paths that cannot exist; fixed mappings,
 * munmap and mprotect reach only a private arena or addresses that cannot
 * be mapped; and on Linux no mapping larger than FUZZ_HOST_MAP is made.
 */
#include "gtest.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>


/* Largest mapping the fuzzer lets Linux make (bytes); larger ones must fail. */
#define FUZZ_HOST_MAP (4UL << 20)
/* The arena where fixed mappings, munmap and mprotect may land (bytes). */
#define ARENA_SIZE (16UL << 20)
/* Lengths at or above this cannot fit in the user half of x86-64. */
#define HUGE_LEN (1UL << 47)
/* Pids above Linux's pid_max limit (2^22) cannot exist. */
#define NOPID_BASE 0x40000000L
#define NVICTIMS 4	/* the size of fz_shared.victims */
/* Every REAP_EVERY calls the child reaps its exited children. */
#define REAP_EVERY 64

#define FUTEX_CMD_MASK 0x7f
/* CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET. */
#define CLONE_NS_BITS 0x7e020000UL

enum fz_call { C_FORK, C_VFORK, C_CLONE, C_WAIT4, C_EXECVE, C_EXIT, C_MMAP,
	C_MUNMAP, C_MPROTECT, C_BRK, C_FUTEX, C_PIPE2, C_KILL, C_NCALLS };
static const char *const call_names[C_NCALLS] = {
	"fork", "vfork", "clone", "wait4", "execve", "exit", "mmap", "munmap",
	"mprotect", "brk", "futex", "pipe2", "kill",
};

/* Results shared between the sacrificial child and the body. */
struct fz_shared {
	long		calls;			/* calls made so far */
	long		per_call[C_NCALLS];
	long		errors;			/* calls that returned -errno */
	long		bad;			/* errors outside 1..133, bad statuses */
	long		first_bad_index;
	int		first_bad_call;
	long		first_bad_ret;
	long		first_bad_args[3];
	long		cur_index;		/* the call in progress */
	int		cur_call;
	int		holder, victims[4];	/* for the body when the child dies */
	int		cleaned;		/* the child ended them itself */
};

static struct fz_shared *fz;
static uint64_t rng_state;
static unsigned long seed = 0x5eed;
static long ncalls = -1;

/* Memory the fuzzed calls may point at. */
static char *scratch;		/* 2 writable pages, then one PROT_NONE page */
static char *rdonly;		/* one read-only page of zeros */
static char *arena;		/* ARENA_SIZE bytes we own, for fixed mappings */
static unsigned long brk0;	/* the break at the start, restored after brk */
static const char *nop;		/* the nop program, or NULL */
static int on_forklab;
static pid_t victims[NVICTIMS], holder;

/* Whether [P, P+N) lies in scratch; whether P lies in the arena. */
static int
in_scratch(unsigned long p, unsigned long n)
{
	return p >= (unsigned long)scratch && p + n <= (unsigned long)scratch + 2 * 4096;
}

static int
in_arena(unsigned long p)
{
	return p >= (unsigned long)arena && p < (unsigned long)arena + ARENA_SIZE;
}

static uint64_t
rnd(void)
{
	/* xorshift64*: small, fast and the same everywhere. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static uint64_t
rnd_below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

/*
 * A pointer argument: null, tiny, kernel-space, non-canonical, inside the
 * arena (mapped or not), inside scratch (aligned or not), at the end of
 * scratch before its guard page, read-only, or a random kernel-half word.
 * Writable results are always inside scratch or the arena, which hold
 * nothing the fuzzer needs.
 */
static unsigned long
fuzz_ptr(void)
{
	switch (rnd_below(12)) {
	case 0:
		return 0;
	case 1:
		return 1 + rnd_below(4096);
	case 2:
		return 0xffff800000000000UL + (rnd_below(1 << 20) << 12);
	case 3:
		return 0xffffffff80000000UL + rnd_below(1 << 24);
	case 4:
		return 0x0000800000000000UL + rnd_below(1 << 20);
	case 5:
		return (unsigned long)arena + rnd_below(ARENA_SIZE);
	case 6:
	case 7:
		return (unsigned long)scratch + (rnd_below(2 * 4096 - 64) & ~7UL);
	case 8:
		return (unsigned long)scratch + rnd_below(2 * 4096);
	case 9:
		return (unsigned long)scratch + 2 * 4096 - 1 - rnd_below(8);
	case 10:
		return (unsigned long)rdonly + (rnd_below(4096) & ~7UL);
	default:
		/* A random kernel-half word: never one of our own pages. */
		return rnd() | 0x8000000000000000UL;
	}
}

/* A flag word: zero, one bit, a random word, or a random low word. */
static unsigned long
fuzz_flags(void)
{
	switch (rnd_below(4)) {
	case 0:
		return 0;
	case 1:
		return 1UL << rnd_below(64);
	case 2:
		return rnd();
	default:
		return rnd() & 0xffffffffUL;
	}
}

/* A size: zero, small, page-sized, odd, huge, or wrapping around. */
static unsigned long
fuzz_len(void)
{
	switch (rnd_below(7)) {
	case 0:
		return 0;
	case 1:
		return 1 + rnd_below(4096);
	case 2:
		return (1 + rnd_below(64)) << 12;
	case 3:
		return (1 + rnd_below(256)) << 20;	/* up to 256 MiB */
	case 4:
		return HUGE_LEN + (rnd() >> 18);
	case 5:
		return (unsigned long)-1 - rnd_below(8192);
	default:
		return rnd();
	}
}

/* A pid that cannot belong to anyone: beyond pid_max, either sign. */
static long
fuzz_nopid(void)
{
	switch (rnd_below(4)) {
	case 0:
		return INT_MAX - (long)rnd_below(16);
	case 1:
		return INT_MIN;
	case 2:
		return NOPID_BASE + (long)rnd_below(1 << 20);
	default:
		return -(NOPID_BASE + (long)rnd_below(1 << 20));
	}
}

static long
sys6(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
	return gt_syscall(nr, a1, a2, a3, a4, a5, a6);
}

/* Count a result; an error must be an errno from 1 to 133. */
static void
record(enum fz_call c, long ret, long a1, long a2, long a3)
{
	fz->per_call[c]++;
	if (ret < 0 && ret >= -4095) {
		fz->errors++;
		if (ret >= -133)
			return;
	} else {
		return;
	}
	if (fz->bad++ == 0) {
		fz->first_bad_index = fz->cur_index;
		fz->first_bad_call = c;
		fz->first_bad_ret = ret;
		fz->first_bad_args[0] = a1;
		fz->first_bad_args[1] = a2;
		fz->first_bad_args[2] = a3;
	}
}

/* Count a wrong wait status or result that is not an errno. */
static void
record_bad(enum fz_call c, long value, long a1)
{
	if (fz->bad++ == 0) {
		fz->first_bad_index = fz->cur_index;
		fz->first_bad_call = c;
		fz->first_bad_ret = value;
		fz->first_bad_args[0] = a1;
		fz->first_bad_args[1] = fz->first_bad_args[2] = 0;
	}
}

/* An exit signal for clone that can never kill or stop the fuzzer. */
static unsigned long
safe_exit_signal(void)
{
	static const unsigned char sigs[] = { 0, SIGCHLD, SIGURG, SIGWINCH, 65,
		100, 200, 255 };

	return sigs[rnd_below(sizeof(sigs))];
}

static void
fz_fork(int vfork)
{
	long r = gt_spawn_exit0(vfork ? SYS_vfork : SYS_fork, 0, 0, 0, 0, 0);

	record(vfork ? C_VFORK : C_FORK, r, 0, 0, 0);
	if (r > 0 && rnd_below(2))
		gt_syscall(SYS_wait4, r, 0, 0, 0, 0, 0);
}

static void
fz_clone(void)
{
	unsigned long flags = (fuzz_flags() & ~0xffUL) | safe_exit_signal();

	/*
	 * Namespaces need privileges and forklab rejects them; on Linux, as
	 * root, a new pid namespace with CLONE_SIGHAND leaves the caller's
	 * later children unwaitable (wait4 gives ECHILD), so leave them out.
	 */
	if (!on_forklab)
		flags &= ~CLONE_NS_BITS;
	unsigned long stack = rnd_below(3) ? 0 : fuzz_ptr();
	unsigned long ptid = fuzz_ptr(), ctid = fuzz_ptr(), tls = fuzz_ptr();
	long r;

	if (rnd_below(3) == 0)
		flags |= CLONE_VM | CLONE_VFORK;
	r = gt_spawn_exit0(SYS_clone, (long)flags, (long)stack, (long)ptid,
	    (long)ctid, (long)tls);
	record(C_CLONE, r, (long)flags, (long)stack, (long)ptid);
}

/* Wait4 options: mostly WNOHANG, so that no call waits for a victim. */
static void
fz_wait4(void)
{
	static const long pids[] = { -1, 0 };
	long pid, options = (long)fuzz_flags(), r;
	long status = (long)fuzz_ptr(), rusage = (long)fuzz_ptr();
	int block = 0;

	switch (rnd_below(4)) {
	case 0:
		pid = fuzz_nopid();
		break;
	case 1:
		pid = pids[rnd_below(2)];
		break;
	case 2:
		pid = -(long)getpgrp();
		break;
	default:
		/* A child that exits at once: the only call that may block. */
		pid = gt_spawn_exit0(SYS_fork, 0, 0, 0, 0, 0);
		if (pid < 0)
			pid = fuzz_nopid();
		else
			block = rnd_below(2);
		break;
	}
	if (!block)
		options |= WNOHANG;
	r = sys6(SYS_wait4, pid, status, options, rusage, 0, 0);
	record(C_WAIT4, r, pid, status, options);
}

/* Exit with a random code from a forked child; the status must carry it. */
static void
fz_exit(void)
{
	long code = (long)rnd(), nr = rnd_below(2) ? SYS_exit : SYS_exit_group;
	long pid = gt_syscall(SYS_fork, 0, 0, 0, 0, 0, 0);
	int status = 0;

	if (pid == 0) {
		gt_syscall(nr, code, 0, 0, 0, 0, 0);
		gt_syscall(SYS_exit_group, 126, 0, 0, 0, 0, 0);
	}
	record(C_EXIT, pid, code, 0, 0);
	if (pid < 0)
		return;
	if (gt_syscall(SYS_wait4, pid, (long)&status, 0, 0, 0, 0) != pid ||
	    status != GT_EXITED((int)(code & 0xff)))
		record_bad(C_EXIT, status, code);
}

/* A vector for execve: null, a bad pointer, or strings with bad entries. */
static unsigned long
fuzz_vector(char **vec, int n)
{
	static char *const words[] = { "nop", "", "--fuzz", "A=B" };

	switch (rnd_below(4)) {
	case 0:
		return 0;
	case 1:
		return fuzz_ptr();
	default:
		for (int i = 0; i < n - 1; i++) {
			if (rnd_below(6) == 0)
				vec[i] = (char *)fuzz_ptr();
			else
				vec[i] = words[rnd_below(4)];
		}
		vec[n - 1] = NULL;
		return (unsigned long)vec;
	}
}

/*
 * execve of the nop program (in a forked child, whose status must be exit
 * 0 or exit ERRNO) or of a path that cannot be executed (here).
 */
static void
fz_execve(void)
{
	char *argv[5], *envp[4];
	char path[128];
	unsigned long upath;
	long av, ev, r;
	int kind = (int)rnd_below(6);

	av = (long)fuzz_vector(argv, 5);
	ev = (long)fuzz_vector(envp, 4);
	if (kind == 0 && nop) {
		long pid = gt_syscall(SYS_fork, 0, 0, 0, 0, 0, 0);
		int status = 0;

		if (pid == 0) {
			r = gt_syscall(SYS_execve, (long)nop, av, ev, 0, 0, 0);
			gt_syscall(SYS_exit_group, -r, 0, 0, 0, 0, 0);
		}
		record(C_EXECVE, pid, 0, av, ev);
		if (pid < 0)
			return;
		if (gt_syscall(SYS_wait4, pid, (long)&status, 0, 0, 0, 0) != pid ||
		    !WIFEXITED(status) || WEXITSTATUS(status) > 133)
			record_bad(C_EXECVE, status, av);
		return;
	}
	switch (kind) {
	case 1:
		upath = fuzz_ptr();
		if (in_scratch(upath, 1) || in_arena(upath))
			upath = 0;	/* they may hold any bytes */
		break;
	case 2:
		upath = (unsigned long)"/";
		break;
	case 3:
		upath = (unsigned long)(on_forklab ? "/proc/forklab/stats" :
		    "/dev/null");
		break;
	case 4:
		snprintf(path, sizeof(path), "/nonexistent-forklab-fuzz/%016llx",
		    (unsigned long long)rnd());
		upath = (unsigned long)path;
		break;
	default:
		/* A path longer than PATH_MAX, ending at the guard page. */
		memset(scratch, 'a', 2 * 4096);
		scratch[0] = '/';
		upath = (unsigned long)scratch + rnd_below(2);
		break;
	}
	r = sys6(SYS_execve, (long)upath, av, ev, 0, 0, 0);
	record(C_EXECVE, r, (long)upath, av, ev);
}

/* An address for fixed mappings, munmap and mprotect: the arena or unmappable. */
static unsigned long
fuzz_fixed_addr(void)
{
	switch (rnd_below(5)) {
	case 0:
		return (unsigned long)arena + rnd_below(ARENA_SIZE);	/* unaligned */
	case 1:
	case 2:
		return (unsigned long)arena + (rnd_below(ARENA_SIZE / 4096) << 12);
	case 3:
		return 0xffff800000000000UL + (rnd_below(1 << 20) << 12);
	default:
		return 0x0000800000000000UL + (rnd_below(1 << 20) << 12);
	}
}

/*
 * A length that either stays in the arena from ADDR or cannot fit anywhere.
 * Linux's mprotect changes the mappings it meets one by one and fails only
 * at the first hole, so there an arena address always gets a length that
 * stays inside the arena; forklab checks the whole range first.
 */
static unsigned long
fuzz_fixed_len(unsigned long addr)
{
	unsigned long end = (unsigned long)arena + ARENA_SIZE;

	if (in_arena(addr) && (!on_forklab || rnd_below(4) != 0))
		return rnd_below(end - addr + 1);
	switch (rnd_below(3)) {
	case 0:
		return 0;
	case 1:
		return HUGE_LEN + (rnd() >> 18);
	default:
		return (unsigned long)-1 - rnd_below(8192);
	}
}

static void
fz_mmap(void)
{
	unsigned long flags = fuzz_flags(), addr, len, prot = fuzz_flags();
	long fd = rnd_below(4) ? -1 : (long)rnd_below(5) - 1, off, r;

	if (rnd_below(2))
		prot &= 7;
	if (rnd_below(2))
		flags = (flags & ~0xfUL) | (rnd_below(2) ? MAP_PRIVATE : MAP_SHARED) |
		    MAP_ANONYMOUS;
	off = rnd_below(4) ? 0 : (long)fuzz_len();
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		addr = fuzz_fixed_addr();
		len = fuzz_fixed_len(addr);
	} else {
		addr = rnd_below(2) ? 0 : fuzz_ptr();
		len = fuzz_len();
	}
	/* On Linux a large mapping could be populated: keep it harmless. */
	if (!on_forklab && len > FUZZ_HOST_MAP && len < HUGE_LEN)
		len = FUZZ_HOST_MAP;
	r = sys6(SYS_mmap, (long)addr, (long)len, (long)prot, (long)flags, fd, off);
	record(C_MMAP, r, (long)addr, (long)len, (long)flags);
	if (r < 0 && r >= -4095)
		return;
	/* Fault in the first page of an anonymous writable mapping. */
	if ((prot & PROT_WRITE) && (flags & MAP_ANONYMOUS) && (prot & ~7UL) == 0)
		*(volatile char *)r = 1;
	if ((unsigned long)r < (unsigned long)arena ||
	    (unsigned long)r >= (unsigned long)arena + ARENA_SIZE)
		gt_syscall(SYS_munmap, r, (long)len, 0, 0, 0, 0);
}

static void
fz_munmap(void)
{
	unsigned long addr = fuzz_fixed_addr(), len = fuzz_fixed_len(addr);
	long r = sys6(SYS_munmap, (long)addr, (long)len, 0, 0, 0, 0);

	record(C_MUNMAP, r, (long)addr, (long)len, 0);
}

static void
fz_mprotect(void)
{
	unsigned long addr = fuzz_fixed_addr(), len = fuzz_fixed_len(addr);
	unsigned long prot = rnd_below(2) ? rnd_below(8) : fuzz_flags();
	long r = sys6(SYS_mprotect, (long)addr, (long)len, (long)prot, 0, 0, 0);

	record(C_MPROTECT, r, (long)addr, (long)len, (long)prot);
}

static void
fz_brk(void)
{
	unsigned long target;
	long r;

	switch (rnd_below(5)) {
	case 0:
		target = 0;
		break;
	case 1:
		target = brk0 + rnd_below(1 << 24);
		break;
	case 2:
		target = brk0 - rnd_below(1 << 16);
		break;
	case 3:
		target = fuzz_ptr();
		break;
	default:
		target = rnd();
		break;
	}
	r = sys6(SYS_brk, (long)target, 0, 0, 0, 0, 0);
	record(C_BRK, r, (long)target, 0, 0);
	/* Touch the new top of a grown heap, then give the growth back. */
	if ((unsigned long)r == target && target > brk0 &&
	    target - brk0 <= (1UL << 24))
		*(volatile char *)(target - 1) = 1;
	gt_syscall(SYS_brk, (long)brk0, 0, 0, 0, 0, 0);
}

/*
 * futex with any operation; calls that could sleep time out at once.
 */
static void
fz_futex(void)
{
	static struct timespec zero_ts;
	static const long ops[] = { 0, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13 };
	unsigned long uaddr = fuzz_ptr(), uaddr2 = fuzz_ptr(), timeout = fuzz_ptr();
	long op = rnd_below(3) ? ops[rnd_below(sizeof(ops) / sizeof(ops[0]))] :
	    (long)fuzz_flags(), val = (long)rnd_below(4) - 1, val3 = (long)rnd(), r;
	int cmd;

	if (rnd_below(2))
		op |= rnd_below(2) ? 128 : 256;	/* PRIVATE, CLOCK_REALTIME */
	cmd = (int)(op & FUTEX_CMD_MASK);
	/*
	 * WAIT, LOCK_PI, WAIT_BITSET, WAIT_REQUEUE_PI and LOCK_PI2 may sleep:
	 * their timeout is a zero time (relative or at the epoch, both past)
	 * or a pointer that cannot be read.
	 */
	if ((cmd == 0 || cmd == 6 || cmd == 9 || cmd == 11 || cmd == 13) &&
	    (timeout == 0 || in_scratch(timeout, 1) || in_arena(timeout)))
		timeout = (unsigned long)&zero_ts;
	/* A lock operation on scratch finds the word free or already ours. */
	if ((cmd == 6 || cmd == 13) && in_scratch(uaddr, 4) && !(uaddr & 3))
		*(volatile unsigned int *)uaddr = rnd_below(2) ? 0 :
		    (unsigned int)gt_syscall(SYS_gettid, 0, 0, 0, 0, 0, 0);
	r = sys6(SYS_futex, (long)uaddr, op, val, (long)timeout, (long)uaddr2, val3);
	record(C_FUTEX, r, (long)uaddr, op, val);
}

static void
fz_pipe2(void)
{
	unsigned long fds = fuzz_ptr(), flags = rnd_below(2) ? fuzz_flags() :
	    (rnd_below(2) ? O_CLOEXEC : 0) | (rnd_below(2) ? O_NONBLOCK : 0);
	long r = sys6(SYS_pipe2, (long)fds, (long)flags, 0, 0, 0, 0);

	record(C_PIPE2, r, (long)fds, (long)flags, 0);
	if (r == 0 && in_scratch(fds, 8)) {
		int v[2];

		memcpy(v, (void *)fds, sizeof(v));
		close(v[0]);
		close(v[1]);
	}
}

/* kill: a victim, a victim's own group, or a pid that cannot exist. */
static void
fz_kill(void)
{
	long pid, sig = rnd_below(4) ? (long)rnd_below(70) : (long)(int)rnd(), r;
	pid_t v = victims[rnd_below(NVICTIMS)];

	switch (rnd_below(3)) {
	case 0:
		pid = fuzz_nopid();
		break;
	case 1:
		pid = v > 0 ? v : fuzz_nopid();
		break;
	default:
		pid = v > 0 ? -v : fuzz_nopid();
		break;
	}
	r = sys6(SYS_kill, pid, sig, 0, 0, 0, 0);
	record(C_KILL, r, pid, sig, 0);
}

/*
 * Start the victims of kill: children of a holder process that never
 * reaps them, so that a victim's pid stays ours even after it died.  Each
 * victim leads its own process group.
 */
static void
start_victims(void)
{
	int *pids = (int *)mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (pids == MAP_FAILED)
		return;
	holder = fork();
	if (holder == 0) {
		for (int i = 0; i < NVICTIMS; i++) {
			pid_t p = fork();

			if (p == 0) {
				setpgid(0, 0);
				for (;;)
					pause();
			}
			if (p > 0)
				setpgid(p, p);
			pids[i] = p;
		}
		__atomic_store_n(&pids[NVICTIMS], 1, __ATOMIC_RELEASE);
		for (;;)
			pause();
	}
	if (holder > 0)
		while (!__atomic_load_n(&pids[NVICTIMS], __ATOMIC_ACQUIRE))
			sched_yield();
	for (int i = 0; i < NVICTIMS; i++)
		fz->victims[i] = victims[i] = holder > 0 ? pids[i] : -1;
	fz->holder = holder;
	munmap(pids, 4096);
}

/* Reap every child that has already ended. */
static void
reap_ended(void)
{
	while (gt_syscall(SYS_wait4, -1, 0, WNOHANG | __WALL, 0, 0, 0) > 0)
		;
}

/* The sacrificial child: N fuzzed calls, then everything it made is ended and reaped. */
static void __attribute__((noreturn))
fuzz_child(long n)
{
	static char *const pages_fail = "fuzzer setup: mmap failed\n";

	/* Orphaned victims come back to this process, which reaps them. */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	scratch = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	rdonly = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	arena = mmap(NULL, ARENA_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (scratch == MAP_FAILED || rdonly == MAP_FAILED || arena == MAP_FAILED ||
	    mprotect(scratch + 2 * 4096, 4096, PROT_NONE) != 0) {
		write(1, pages_fail, strlen(pages_fail));
		_exit(3);
	}
	brk0 = (unsigned long)gt_syscall(SYS_brk, 0, 0, 0, 0, 0, 0);
	start_victims();

	for (long i = 0; i < n; i++) {
		enum fz_call c = (enum fz_call)rnd_below(C_NCALLS);

		fz->cur_index = i;
		fz->cur_call = c;
		switch (c) {
		case C_FORK:
			fz_fork(0);
			break;
		case C_VFORK:
			fz_fork(1);
			break;
		case C_CLONE:
			fz_clone();
			break;
		case C_WAIT4:
			fz_wait4();
			break;
		case C_EXECVE:
			fz_execve();
			break;
		case C_EXIT:
			fz_exit();
			break;
		case C_MMAP:
			fz_mmap();
			break;
		case C_MUNMAP:
			fz_munmap();
			break;
		case C_MPROTECT:
			fz_mprotect();
			break;
		case C_BRK:
			fz_brk();
			break;
		case C_FUTEX:
			fz_futex();
			break;
		case C_PIPE2:
			fz_pipe2();
			break;
		default:
			fz_kill();
			break;
		}
		fz->calls++;
		if (i % REAP_EVERY == REAP_EVERY - 1)
			reap_ended();
		/* Descriptors pipe2 wrote where the fuzzer could not read them. */
		if (i % 4096 == 4095)
			for (int fd = 3; fd < 256; fd++)
				close(fd);
	}

	/* End the victims and their holder, then reap everything. */
	fz->cleaned = 1;
	for (int i = 0; i < NVICTIMS; i++)
		if (victims[i] > 0)
			kill(victims[i], SIGKILL);
	if (holder > 0)
		kill(holder, SIGKILL);
	while (gt_syscall(SYS_wait4, -1, 0, __WALL, 0, 0, 0) != -ECHILD)
		;
	_exit(0);
}

/* One fuzzing run in a sacrificial child under copy mode MODE (NULL: Linux). */
static long
fuzz_run(const char *mode, long n)
{
	char what[64], words[32];
	int status;
	pid_t pid;

	if (mode) {
		snprintf(words, sizeof(words), "cow=%s", mode);
		if (!gt_eq(0, gt_config_write(words), "write %s", words))
			return 0;
	}
	snprintf(what, sizeof(what), "fuzzing%s%s", mode ? " with cow=" : "",
	    mode ? mode : "");
	memset(fz, 0, sizeof(*fz));
	fz->first_bad_index = -1;
	rng_state = seed * 0x9E3779B97F4A7C15ULL + 1;
	gt_leak_mark();

	pid = fork();
	if (pid == 0)
		fuzz_child(n);
	if (!gt_ok(pid > 0, "%s: fork of the sacrificial child", what))
		return 0;
	status = gt_wait(pid, 0);
	/*
	 * A child that died early left the victims and their holder behind;
	 * they are still ours (the holder was handed to us, the subreaper).
	 */
	if (!fz->cleaned) {
		for (int i = 0; i < NVICTIMS; i++)
			if (fz->victims[i] > 0)
				kill(fz->victims[i], SIGKILL);
		if (fz->holder > 0)
			kill(fz->holder, SIGKILL);
	}
	/* Children handed to us (clone's CLONE_PARENT on Linux). */
	while (gt_syscall(SYS_wait4, -1, 0, __WALL, 0, 0, 0) > 0)
		;

	if (!gt_status(GT_EXITED(0), status, "%s: sacrificial child (seed %#lx, "
	    "in call %ld, %s)", what, seed, fz->cur_index,
	    call_names[fz->cur_call]))
		gt_note("replay: %s --seed %#lx --calls %ld", gt_prog, seed, n);
	gt_eq(n, fz->calls, "%s: calls made", what);
	if (!gt_eq(0, fz->bad, "%s: results that are not errno values 1..133 "
	    "or wrong statuses (seed %#lx)", what, seed)) {
		gt_note("first: call %ld %s returned %ld (args %#lx %#lx %#lx); "
		    "replay: %s --seed %#lx --calls %ld", fz->first_bad_index,
		    call_names[fz->first_bad_call], fz->first_bad_ret,
		    (unsigned long)fz->first_bad_args[0],
		    (unsigned long)fz->first_bad_args[1],
		    (unsigned long)fz->first_bad_args[2], gt_prog, seed,
		    fz->first_bad_index + 1);
	}
	for (int c = 0; c < C_NCALLS; c++)
		gt_ok(fz->per_call[c] > 0, "%s: %s was called", what, call_names[c]);
	gt_leak_check(what);
	gt_note("%s: %ld calls, %ld errors returned", what, fz->calls, fz->errors);
	return fz->calls;
}

/* Parse a non-negative number for OPT or exit with status 2. */
static unsigned long
parse_num(const char *opt, const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s ? s : "", &end, 0);
	if (!s || *s == '\0' || *s == '-' || *end != '\0' || errno || v > max) {
		fprintf(stderr, "t_fuzz: invalid value \"%s\" for %s; accepted: an "
		    "integer from 0 to %lu\n", s ? s : "", opt, max);
		exit(2);
	}
	return v;
}

int
main(int argc, char **argv)
{
	static const char *const modes[] = { "copy", "cow", "odf" };
	char *rest[8], cow[16] = "";
	int nrest = 0;
	long total = 0;

	/* Take our options out; gt_init handles the common ones. */
	for (int i = 0; i < argc; i++) {
		if (i > 0 && strcmp(argv[i], "--seed") == 0) {
			seed = parse_num("--seed", argv[i + 1], ULONG_MAX);
			i++;
		} else if (i > 0 && strcmp(argv[i], "--calls") == 0) {
			ncalls = (long)parse_num("--calls", argv[i + 1], 100000000);
			i++;
		} else if (nrest < 7) {
			rest[nrest++] = argv[i];
		} else {
			fprintf(stderr, "t_fuzz: too many arguments (%d); accepted: "
			    "--seed N, --calls N, --long\n", argc - 1);
			return 2;
		}
	}
	rest[nrest] = NULL;
	gt_init(nrest, rest);
	if (ncalls < 0)
		ncalls = gt_long ? 100000 : 10000;

	fz = mmap(NULL, sizeof(*fz), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!gt_ok(fz != MAP_FAILED, "mmap of the shared results"))
		return gt_finish();
	nop = gt_nop_path();
	if (!nop)
		gt_skip("execve of the nop program: no nop found (set FORKLAB_NOP)");
	on_forklab = gt_have_forklab();
	/* Orphans of the sacrificial child's children come here to be reaped. */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	gt_note("seed %#lx, %ld calls per run", seed, ncalls);

	if (on_forklab) {
		gt_config("cow", cow, sizeof(cow));
		for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++)
			total += fuzz_run(modes[m], ncalls);
		if (cow[0] != '\0') {
			char words[32];

			snprintf(words, sizeof(words), "cow=%s", cow);
			gt_eq(0, gt_config_write(words), "restore %s", words);
		}
	} else {
		total += fuzz_run(NULL, ncalls);
	}
	gt_note("calls fuzzed: %ld", total);
	return gt_finish();
}
