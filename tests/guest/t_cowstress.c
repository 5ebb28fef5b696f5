/*
 * t_cowstress: copy-on-write correctness under concurrent writers.
 *
 * Each round the parent fills a region of anonymous memory with a base
 * pattern and forks.  Then the parent's main thread, two parent threads and
 * the child all write at once into the same pages.  Byte i belongs to lane
 * i % 4, and each writer has its own lanes, values and page order, so COW
 * faults on one page race between threads and between processes.
 * Afterwards every byte is checked on both sides.  The child also forks a grandchild
 * that writes and checks its own copy, and splits its mapping with munmap
 * and mprotect while the parent may still be writing; between rounds the
 * parent does the same to its own mapping.  The kernel's page counters must
 * come back to their values after the first round.
 *
 * Expected views, by lane:      0       1       2       3
 *   parent                      main    thread1 thread2 base
 *   child                       base    child   base    child
 *   grandchild                  grand   child   base    child
 */
#include "gtest.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096

enum writer { W_BASE, W_MAIN, W_THREAD1, W_THREAD2, W_CHILD, W_GRAND };
enum view { V_PARENT, V_CHILD, V_GRAND };

static unsigned char *region;
static size_t npages;
static int round_no;

/* Set by the parent's main thread to start its two writer threads. */
static volatile int go;

static unsigned char
value(enum writer w, size_t i)
{
	uint32_t h = (uint32_t)i * 0x9e3779b1u;

	return (unsigned char)((h >> 13) ^ (w * 0x35 + round_no * 0x11 + 1));
}

static unsigned char
expected(enum view v, size_t i)
{
	static const enum writer lanes[3][4] = {
		[V_PARENT] = { W_MAIN, W_THREAD1, W_THREAD2, W_BASE },
		[V_CHILD] = { W_BASE, W_CHILD, W_BASE, W_CHILD },
		[V_GRAND] = { W_GRAND, W_CHILD, W_BASE, W_CHILD },
	};

	return value(lanes[v][i % 4], i);
}

/*
 * Write writer W's values into LANE of every page from FIRST to LAST
 * (exclusive), visiting the pages in the order page = (start + k * step)
 * modulo the range; STEP must be coprime to the range's page count.
 */
static void
write_lane(enum writer w, int lane, size_t first, size_t last, size_t start,
    size_t step)
{
	size_t n = last - first;

	for (size_t k = 0; k < n; k++) {
		size_t page = first + (start + k * step) % n;
		size_t base = page * PAGE;

		for (size_t off = (size_t)lane; off < PAGE; off += 4)
			region[base + off] = value(w, base + off);
	}
}

/* Check the bytes of pages FIRST..LAST-1 against view V: one check. */
static void
check_view(enum view v, size_t first, size_t last, const char *what)
{
	for (size_t i = first * PAGE; i < last * PAGE; i++) {
		if (region[i] != expected(v, i)) {
			gt_eq(expected(v, i), region[i], "round %d: %s: byte %zu "
			    "(page %zu, lane %zu)", round_no, what, i, i / PAGE, i % 4);
			return;
		}
	}
	gt_ok(1, "round %d: %s", round_no, what);
}

static void *
writer_thread(void *arg)
{
	enum writer w = (enum writer)(intptr_t)arg;

	while (!go)
		sched_yield();
	if (w == W_THREAD1)
		write_lane(w, 1, 0, npages, npages - 1, npages - 1);
	else
		write_lane(w, 2, 0, npages, npages / 2, 1);
	return NULL;
}

/* Check the grandchild's copy of the child's memory, then write lane 0. */
static void
grandchild_round(void)
{
	check_view(V_CHILD, 0, npages, "grandchild starts with the child's view");
	write_lane(W_GRAND, 0, 0, npages, 0, 3);
	check_view(V_GRAND, 0, npages, "grandchild's own writes");
	_exit(0);
}

static void
child_round(void)
{
	size_t quarter = npages / 4;
	pid_t pid;

	write_lane(W_CHILD, 1, 0, npages, 1, 7);
	write_lane(W_CHILD, 3, 0, npages, 0, 1);
	check_view(V_CHILD, 0, npages, "child's view after concurrent writes");

	pid = fork();
	if (pid == 0)
		grandchild_round();
	if (gt_ok(pid > 0, "round %d: fork of the grandchild", round_no))
		gt_wait_status(pid, GT_EXITED(0), "round %d: grandchild", round_no);
	check_view(V_CHILD, 0, npages, "grandchild's writes invisible to the "
	    "child");

	/* Split the child's mapping; the parent may still be writing. */
	gt_eq(0, munmap(region, quarter * PAGE), "round %d: child munmaps the "
	    "first quarter", round_no);
	gt_eq(0, mprotect(region + quarter * PAGE, quarter * PAGE, PROT_READ),
	    "round %d: child mprotects the second quarter", round_no);
	check_view(V_CHILD, quarter, npages, "child's view after munmap and "
	    "mprotect");
	_exit(0);
}

/* Change the parent's mapping between rounds, then check what must hold. */
static void
parent_reshape(void)
{
	size_t eighth = npages / 8;
	unsigned char *tail = region + (npages - eighth) * PAGE;
	void *p;
	int zero = 1;

	gt_eq(0, mprotect(region + 4 * eighth * PAGE, eighth * PAGE, PROT_READ),
	    "round %d: parent mprotects PROT_READ", round_no);
	check_view(V_PARENT, 4 * eighth, 5 * eighth, "read-only part keeps the "
	    "parent's view");
	gt_eq(0, mprotect(region + 4 * eighth * PAGE, eighth * PAGE,
	    PROT_READ | PROT_WRITE), "round %d: parent mprotects back", round_no);

	gt_eq(0, munmap(tail, eighth * PAGE), "round %d: parent munmaps the last "
	    "eighth", round_no);
	p = mmap(tail, eighth * PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (!gt_ok(p == tail, "round %d: parent maps the last eighth again",
	    round_no))
		return;
	for (size_t i = 0; i < eighth * PAGE; i++)
		if (tail[i] != 0)
			zero = 0;
	gt_ok(zero, "round %d: mapped again, the last eighth is zero-filled",
	    round_no);
}

static void
run_round(void)
{
	pthread_t t1, t2;
	int threads = 0;
	pid_t pid;

	for (size_t i = 0; i < npages * PAGE; i++)
		region[i] = value(W_BASE, i);

	go = 0;
	if (gt_eq(0, pthread_create(&t1, NULL, writer_thread,
	    (void *)(intptr_t)W_THREAD1), "round %d: thread 1", round_no))
		threads |= 1;
	if (gt_eq(0, pthread_create(&t2, NULL, writer_thread,
	    (void *)(intptr_t)W_THREAD2), "round %d: thread 2", round_no))
		threads |= 2;

	pid = fork();
	if (pid == 0)
		child_round();
	gt_ok(pid > 0, "round %d: fork", round_no);

	go = 1;
	write_lane(W_MAIN, 0, 0, npages, 0, 5);
	if (threads & 1)
		pthread_join(t1, NULL);
	if (threads & 2)
		pthread_join(t2, NULL);
	if (threads == 3)
		check_view(V_PARENT, 0, npages, "parent's view after concurrent "
		    "writes");
	if (pid > 0)
		gt_wait_status(pid, GT_EXITED(0), "round %d: child", round_no);
	if (threads == 3)
		check_view(V_PARENT, 0, npages, "parent's view after the child "
		    "exited");
	parent_reshape();
}

int
main(int argc, char **argv)
{
	int rounds;

	gt_init(argc, argv);

	/* A power of two, so the odd page-order steps visit every page. */
	npages = gt_long ? 16384 : 1024;	/* 64 MiB or 4 MiB */
	rounds = gt_long ? 10 : 3;
	region = mmap(NULL, npages * PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (gt_ok(region != MAP_FAILED, "mmap of %zu pages", npages)) {
		for (round_no = 0; round_no < rounds; round_no++) {
			run_round();
			/* The first round brought every page and cache in. */
			if (round_no == 0)
				gt_leak_mark();
		}
		gt_leak_check("after the COW rounds");
		munmap(region, npages * PAGE);
	}
	return gt_finish();
}
