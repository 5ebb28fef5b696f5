/*
 * t_stress: fork under concurrency.
 *
 * 1. One process runs threads that fork (children check a region no one
 *    writes and exit), threads that are created and exit, a thread that
 *    maps, writes and unmaps memory, and a thread that keeps writing to
 *    pages the forks copy, all for STRESS_MS (ten times longer with
 *    --long).  Every fork must succeed and every child must see its
 *    parent's stable memory intact.
 * 2. The main thread vforks (and execs nop, or exits) while those threads
 *    run.
 * 3. A parent is killed with SIGKILL while its vfork child runs; the
 *    parent must die with SIGKILL, and the child, handed to us, must still
 *    run, write to memory and exit with its own status.
 * Counters must be back at the end.  The figure printed is the stress
 * duration in milliseconds and the operations done.
 */
#include "gtest.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define STRESS_MS 2000
#define NFORKERS 3
#define STABLE_PAGES 64
#define HOT_PAGES 64
#define PAGE 4096

struct stress_counts {
	long	forks, fork_fail, bad_child;
	long	threads, thread_fail;
	long	maps, map_fail;
	long	writes;
	long	vforks, vfork_fail, vfork_bad;
};

static struct stress_counts cnt;
static volatile int stop;
static char *stable;	/* written once, before the threads start */
static char *hot;	/* written all the time by the writer thread */
static const char *nop;

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void
add(long *c)
{
	__atomic_add_fetch(c, 1, __ATOMIC_RELAXED);
}

/* Exit status of a child that checks the stable region: 0 intact, 1 not. */
static int
stable_ok(void)
{
	for (int i = 0; i < STABLE_PAGES * PAGE; i += 512)
		if (stable[i] != (char)(i / 512))
			return 1;
	return 0;
}

static void *
forker(void *arg)
{
	(void)arg;
	while (!stop) {
		int status;
		pid_t pid = fork(), r;

		if (pid == 0)
			_exit(stable_ok());
		if (pid < 0) {
			add(&cnt.fork_fail);
			continue;
		}
		do
			r = waitpid(pid, &status, 0);
		while (r < 0 && errno == EINTR);
		if (r != pid || status != GT_EXITED(0))
			add(&cnt.bad_child);
		add(&cnt.forks);
	}
	return NULL;
}

static void *
short_thread(void *arg)
{
	hot[((uintptr_t)arg % HOT_PAGES) * PAGE + 8]++;
	return arg;
}

static void *
spawner(void *arg)
{
	(void)arg;
	for (uintptr_t i = 0; !stop; i++) {
		pthread_t t;

		if (pthread_create(&t, NULL, short_thread, (void *)i) != 0) {
			add(&cnt.thread_fail);
			continue;
		}
		pthread_join(t, NULL);
		add(&cnt.threads);
	}
	return NULL;
}

static void *
mapper(void *arg)
{
	(void)arg;
	while (!stop) {
		char *p = mmap(NULL, 16 * PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			add(&cnt.map_fail);
			continue;
		}
		for (int i = 0; i < 16; i++)
			p[i * PAGE] = (char)i;
		if (munmap(p, 16 * PAGE) != 0)
			add(&cnt.map_fail);
		add(&cnt.maps);
	}
	return NULL;
}

static void *
writer(void *arg)
{
	(void)arg;
	for (long i = 0; !stop; i++) {
		hot[(i % HOT_PAGES) * PAGE]++;
		if ((i & 1023) == 0)
			add(&cnt.writes);
	}
	return NULL;
}

/* vfork from the main thread while the others run: exec nop, or exit 3. */
static void
vfork_once(long i)
{
	int status;
	pid_t pid = vfork();

	if (pid == 0) {
		if (nop && (i & 1)) {
			char *argv[] = { (char *)nop, NULL };

			execve(nop, argv, NULL);
			_exit(120);
		}
		_exit(3);
	}
	if (pid < 0) {
		add(&cnt.vfork_fail);
		return;
	}
	if (waitpid(pid, &status, 0) != pid ||
	    status != GT_EXITED(nop && (i & 1) ? 0 : 3))
		add(&cnt.vfork_bad);
	add(&cnt.vforks);
}

static void
stress(long ms)
{
	pthread_t t[NFORKERS + 3];
	int n = 0;
	long long start, elapsed;

	stable = mmap(NULL, STABLE_PAGES * PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	hot = mmap(NULL, HOT_PAGES * PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!gt_ok(stable != MAP_FAILED && hot != MAP_FAILED, "map the regions"))
		return;
	for (int i = 0; i < STABLE_PAGES * PAGE; i += 512)
		stable[i] = (char)(i / 512);

	start = now_ms();
	for (int i = 0; i < NFORKERS; i++)
		n += pthread_create(&t[n], NULL, forker, NULL) == 0;
	n += pthread_create(&t[n], NULL, spawner, NULL) == 0;
	n += pthread_create(&t[n], NULL, mapper, NULL) == 0;
	n += pthread_create(&t[n], NULL, writer, NULL) == 0;
	gt_eq(NFORKERS + 3, n, "stress threads started");

	for (long i = 0; now_ms() - start < ms; i++)
		vfork_once(i);
	stop = 1;
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	elapsed = now_ms() - start;

	gt_ok(cnt.forks > 0, "forks from threads were made");
	gt_eq(0, cnt.fork_fail, "failed forks from threads");
	gt_eq(0, cnt.bad_child, "children that saw damaged memory or bad status");
	gt_eq(0, cnt.thread_fail, "failed thread creations");
	gt_eq(0, cnt.map_fail, "failed mmap or munmap");
	gt_ok(cnt.vforks > 0, "vforks from the multi-threaded process were made");
	gt_eq(0, cnt.vfork_fail, "failed vforks");
	gt_eq(0, cnt.vfork_bad, "vfork children with a wrong status");
	gt_note("stress duration: %lld ms (%ld forks, %ld threads, %ld maps, "
	    "%ld vforks, %ld kwrites)", elapsed, cnt.forks, cnt.threads,
	    cnt.maps, cnt.vforks, cnt.writes);
	munmap(stable, STABLE_PAGES * PAGE);
	munmap(hot, HOT_PAGES * PAGE);
}

/* Shared between the body, the parent to be killed and its vfork child. */
struct vk_shared {
	int	child_pid;
	int	parent_killed;
};

/*
 * Kill a parent while its vfork child runs.  The child waits until the
 * parent was killed, writes to the (possibly shared) memory it runs on,
 * and exits 7; as an orphan it comes to us, the subreaper.
 */
static void
vfork_parent_killed(void)
{
	struct vk_shared *vk = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	long long deadline;
	pid_t parent, child;
	int status;

	if (!gt_ok(vk != MAP_FAILED, "map the vfork-kill page"))
		return;
	parent = fork();
	if (parent == 0) {
		volatile char buf[2 * PAGE];

		if (vfork() == 0) {
			struct timespec ms = { 0, 1000000 };

			vk->child_pid = (int)getpid();
			for (int i = 0; i < 5000 && !vk->parent_killed; i++)
				nanosleep(&ms, NULL);
			nanosleep(&ms, NULL);
			buf[0] = 1;
			buf[PAGE] = 2;
			_exit(buf[0] + buf[PAGE] + 4);
		}
		_exit(0);	/* not reached when the kill comes first */
	}
	if (!gt_ok(parent > 0, "fork of the parent to kill"))
		return;
	deadline = now_ms() + 10000;
	while (__atomic_load_n(&vk->child_pid, __ATOMIC_ACQUIRE) == 0 &&
	    now_ms() < deadline)
		sched_yield();
	child = vk->child_pid;
	if (!gt_ok(child > 0, "the vfork child started"))
		return;
	gt_eq(0, kill(parent, SIGKILL), "kill of the parent in vfork");
	__atomic_store_n(&vk->parent_killed, 1, __ATOMIC_RELEASE);
	gt_wait_status(parent, GT_KILLED(SIGKILL), "parent killed in vfork");
	status = gt_wait(child, 0);
	gt_status(GT_EXITED(7), status, "vfork child of the killed parent");
	munmap(vk, PAGE);
}

int
main(int argc, char **argv)
{
	gt_init(argc, argv);
	nop = gt_nop_path();
	/* The vfork child of a killed parent is handed to the body. */
	gt_eq(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), "PR_SET_CHILD_SUBREAPER");

	stress(gt_long ? 10 * STRESS_MS : STRESS_MS);
	for (int i = 0; i < (gt_long ? 50 : 5); i++)
		vfork_parent_killed();
	return gt_finish();
}
