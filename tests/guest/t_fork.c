/*
 * t_fork: what fork(2) promises about memory and processes.  The child starts
 * with a copy of every kind of private memory (stack, heap, anonymous mmap,
 * bss, data); after the fork writes on either side stay invisible to the
 * other, while MAP_SHARED memory stays shared; the child has exactly one
 * thread even when its parent had two; pids of live children are distinct.
 */
#include "gtest.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096
#define NFORKS 200

/* Initialised data, so that it lives in .data and not in .bss. */
static unsigned char data_area[3 * PAGE] = { 1, 2, 3 };
static unsigned char bss_area[3 * PAGE];

struct region {
	const char *name;
	unsigned char *base;
	size_t size;
};

enum { R_STACK, R_HEAP, R_MMAP, R_BSS, R_DATA, NREGIONS };

static struct region regions[NREGIONS];

/* The byte a writer identified by SEED stores at offset OFF of region R. */
static unsigned char
pattern(int seed, int r, size_t off)
{
	return (unsigned char)(seed * 101 + r * 31 + off * 7 + (off >> 12) * 13);
}

static void
fill(int seed)
{
	for (int r = 0; r < NREGIONS; r++)
		for (size_t off = 0; off < regions[r].size; off++)
			regions[r].base[off] = pattern(seed, r, off);
}

/* Check every byte of every region for SEED's pattern; one check a region. */
static void
check_all(int seed, const char *who)
{
	for (int r = 0; r < NREGIONS; r++) {
		size_t bad = regions[r].size;

		for (size_t off = 0; off < regions[r].size; off++) {
			if (regions[r].base[off] != pattern(seed, r, off)) {
				bad = off;
				break;
			}
		}
		if (bad == regions[r].size) {
			gt_ok(1, "%s", who);
			continue;
		}
		gt_eq(pattern(seed, r, bad), regions[r].base[bad],
		    "%s: %s byte at offset %zu (page %zu)", who, regions[r].name,
		    bad, bad / PAGE);
	}
}

static void
read_byte(int fd, const char *what)
{
	char c = 0;
	ssize_t n;

	do
		n = read(fd, &c, 1);
	while (n < 0 && errno == EINTR);
	gt_eq(1, n, "handshake read: %s", what);
}

static void
write_byte(int fd)
{
	char c = 'x';

	while (write(fd, &c, 1) < 0 && errno == EINTR)
		;
}

/*
 * Copy and isolation.  The two pipes order the steps: the child checks its
 * copy and writes its own pattern, the parent checks that it did not see
 * those writes and writes a third pattern, the child checks that it did not
 * see the parent's writes.
 */
static void
test_copy_and_isolation(void)
{
	unsigned char stack_area[2 * PAGE];
	int to_parent[2], to_child[2];
	pid_t parent = getpid(), pid;

	regions[R_STACK] = (struct region){ "stack", stack_area,
	    sizeof(stack_area) };
	regions[R_HEAP] = (struct region){ "heap", malloc(8 * PAGE), 8 * PAGE };
	regions[R_MMAP] = (struct region){ "anonymous mmap",
	    mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), 8 * PAGE };
	regions[R_BSS] = (struct region){ "bss", bss_area, sizeof(bss_area) };
	regions[R_DATA] = (struct region){ "data", data_area,
	    sizeof(data_area) };
	if (!gt_ok(regions[R_HEAP].base != NULL, "malloc of the heap region") ||
	    !gt_ok(regions[R_MMAP].base != MAP_FAILED, "mmap of the region"))
		return;
	if (!gt_eq(0, pipe(to_parent), "pipe") || !gt_eq(0, pipe(to_child), "pipe"))
		return;

	fill(1);
	pid = fork();
	if (pid == 0) {
		/* Only the peer keeps the other ends, so its death gives EOF. */
		close(to_parent[0]);
		close(to_child[1]);
		gt_eq(parent, getppid(), "getppid in the child");
		check_all(1, "child sees the parent's memory");
		fill(2);
		write_byte(to_parent[1]);
		read_byte(to_child[0], "child waits for the parent's writes");
		check_all(2, "parent's writes after fork invisible to the child");
		_exit(0);
	}
	close(to_parent[1]);
	close(to_child[0]);
	if (!gt_ok(pid > 0, "fork")) {
		close(to_parent[0]);
		close(to_child[1]);
		return;
	}

	read_byte(to_parent[0], "parent waits for the child's writes");
	check_all(1, "child's writes invisible to the parent");
	fill(3);
	write_byte(to_child[1]);
	gt_wait_status(pid, GT_EXITED(0), "copy and isolation child");
	check_all(3, "parent keeps its own writes");

	close(to_parent[0]);
	close(to_child[1]);
	free(regions[R_HEAP].base);
	munmap(regions[R_MMAP].base, 8 * PAGE);
}

/* Wait up to about 10 s for *P to become V; returns nonzero when it did. */
static int
wait_for_value(volatile int *p, int v)
{
	struct timespec ms = { 0, 1000 * 1000 };

	for (int i = 0; i < 10000 && *p != v; i++)
		nanosleep(&ms, NULL);
	return *p == v;
}

static void
test_shared_mapping(void)
{
	volatile int *shared = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t pid;

	if (!gt_ok(shared != MAP_FAILED, "mmap MAP_SHARED"))
		return;
	shared[0] = 10;
	pid = fork();
	if (pid == 0) {
		gt_eq(10, shared[0], "child sees the shared value");
		shared[PAGE / sizeof(int)] = 20;
		/* Wait for the parent's answer through the shared page itself. */
		gt_ok(wait_for_value(&shared[0], 30), "child sees the parent's "
		    "write to the shared page");
		shared[1] = (int)getpid();
		_exit(0);
	}
	if (!gt_ok(pid > 0, "fork for the shared mapping"))
		return;
	wait_for_value(&shared[PAGE / sizeof(int)], 20);
	gt_eq(20, shared[PAGE / sizeof(int)], "parent sees the child's write");
	shared[0] = 30;
	gt_wait_status(pid, GT_EXITED(0), "shared mapping child");
	gt_eq(pid, shared[1], "fork returned the child's pid");
	munmap((void *)shared, 2 * PAGE);
}

/* Incremented by the spinning thread: private memory, so a copy in a child. */
static volatile unsigned long spin_count;
static volatile int spin_stop;

static void *
spin_thread(void *arg)
{
	(void)arg;
	while (!spin_stop)
		spin_count++;
	return NULL;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * The child checks that nothing increments its copy of spin_count while it
 * sleeps, and that it is its own main thread.
 */
static void
child_of_threaded_parent(const char *from)
{
	unsigned long before = spin_count;

	sleep_ms(20);
	gt_eq((long long)before, (long long)spin_count,
	    "fork from the %s thread: spinning thread absent in the child", from);
	gt_eq(getpid(), gt_syscall(SYS_gettid, 0, 0, 0, 0, 0, 0),
	    "fork from the %s thread: child's tid equals its pid", from);
	_exit(0);
}

static void *
fork_from_thread(void *arg)
{
	pid_t pid = fork();

	(void)arg;
	if (pid == 0)
		child_of_threaded_parent("second");
	return (void *)(intptr_t)pid;
}

static void
test_fork_with_threads(void)
{
	pthread_t spinner, forker;
	unsigned long seen;
	void *ret;
	pid_t pid;

	spin_stop = 0;
	if (!gt_eq(0, pthread_create(&spinner, NULL, spin_thread, NULL),
	    "pthread_create of the spinning thread"))
		return;
	while (spin_count == 0)
		sched_yield();

	/* Fork from the main thread while the spinning thread runs. */
	seen = spin_count;
	pid = fork();
	if (pid == 0)
		child_of_threaded_parent("main");
	if (gt_ok(pid > 0, "fork with a second thread running"))
		gt_wait_status(pid, GT_EXITED(0), "child of a two-thread parent");
	gt_ok(spin_count > seen, "spinning thread kept running in the parent");

	/* Fork from the second thread while the spinning thread runs. */
	if (gt_eq(0, pthread_create(&forker, NULL, fork_from_thread, NULL),
	    "pthread_create of the forking thread")) {
		pthread_join(forker, &ret);
		pid = (pid_t)(intptr_t)ret;
		if (gt_ok(pid > 0, "fork from a second thread"))
			gt_wait_status(pid, GT_EXITED(0),
			    "child forked by a second thread");
	}

	spin_stop = 1;
	pthread_join(spinner, NULL);
}

/* NFORKS children that stay alive until the pipe's write end is closed. */
static void
test_pid_uniqueness(void)
{
	static pid_t pids[NFORKS];
	int gate[2], distinct = 1, created = 0;
	pid_t self = getpid();

	if (!gt_eq(0, pipe(gate), "pipe for the live children"))
		return;
	for (int i = 0; i < NFORKS; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			char c;

			close(gate[1]);
			while (read(gate[0], &c, 1) < 0 && errno == EINTR)
				;
			_exit(0);
		}
		if (!gt_ok(pid > 0, "fork of live child %d (errno %d)", i, errno))
			break;
		pids[created++] = pid;
	}
	gt_eq(NFORKS, created, "live children forked");

	for (int i = 0; i < created; i++) {
		if (pids[i] == self)
			distinct = gt_ok(0, "child pid %d equals the parent's", pids[i]);
		for (int j = 0; j < i; j++)
			if (pids[i] == pids[j])
				distinct = gt_ok(0, "children %d and %d share pid %d",
				    j, i, pids[i]);
	}
	gt_ok(distinct, "pids of %d live children are distinct", created);

	close(gate[0]);
	close(gate[1]);
	for (int i = 0; i < created; i++)
		gt_wait_status(pids[i], GT_EXITED(0), "live child %d", i);
}

int
main(int argc, char **argv)
{
	gt_init(argc, argv);

	test_copy_and_isolation();
	test_shared_mapping();
	test_fork_with_threads();
	test_pid_uniqueness();
	return gt_finish();
}
