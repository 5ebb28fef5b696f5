/*
 * t_leak: resources come back after many process and thread lifetimes.
 * The program forks, waits for and reaps 10,000 children (100,000 with
 * --long), then creates and joins 1,000 threads.  After each part the
 * kernel's counters (free_pages, procs, lwps, uareas from
 * /proc/forklab/stats) must equal the values taken after a warm-up.  On
 * Linux, which has no such file, only the statuses are checked.
 */
#include "gtest.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

#define NTHREADS 1000
#define THREAD_BATCH 10

/* Fork and reap N children that exit with i & 0x7f; count mismatches. */
static void
fork_children(long n, const char *what)
{
	long fork_failures = 0, bad_status = 0, first_bad = -1;
	int last_errno = 0, bad_value = 0;

	for (long i = 0; i < n; i++) {
		int code = (int)(i & 0x7f), status;
		pid_t pid = fork(), r;

		if (pid == 0)
			_exit(code);
		if (pid < 0) {
			fork_failures++;
			last_errno = errno;
			continue;
		}
		do
			r = waitpid(pid, &status, 0);
		while (r < 0 && errno == EINTR);
		if (r != pid || status != GT_EXITED(code)) {
			if (bad_status++ == 0) {
				first_bad = i;
				bad_value = r != pid ? -1 : status;
			}
		}
	}
	gt_eq(0, fork_failures, "%s: failed forks of %ld (last errno %d)", what,
	    n, last_errno);
	gt_eq(0, bad_status, "%s: wrong statuses of %ld (first: child %ld, "
	    "status %#x)", what, n, first_bad, bad_value);
}

static void *
thread_body(void *arg)
{
	return (void *)((intptr_t)arg + 1);
}

/* Create and join N threads, THREAD_BATCH alive at a time. */
static void
run_threads(int n, const char *what)
{
	int create_failures = 0, bad_returns = 0;

	for (int i = 0; i < n; i += THREAD_BATCH) {
		pthread_t t[THREAD_BATCH];
		int created = 0;

		for (int j = 0; j < THREAD_BATCH && i + j < n; j++) {
			if (pthread_create(&t[created], NULL, thread_body,
			    (void *)(intptr_t)(i + j)) != 0) {
				create_failures++;
				continue;
			}
			created++;
		}
		for (int j = 0; j < created; j++) {
			void *ret;

			pthread_join(t[j], &ret);
			if ((intptr_t)ret < 1 || (intptr_t)ret > n)
				bad_returns++;
		}
	}
	gt_eq(0, create_failures, "%s: failed pthread_create calls of %d", what,
	    n);
	gt_eq(0, bad_returns, "%s: wrong thread return values", what);
}

int
main(int argc, char **argv)
{
	long nforks;

	gt_init(argc, argv);
	nforks = gt_long ? 100000 : 10000;

	/* Bring stacks, caches and page tables to their steady state. */
	fork_children(100, "warm-up forks");
	run_threads(2 * THREAD_BATCH, "warm-up threads");
	gt_leak_mark();

	fork_children(nforks, "fork loop");
	gt_leak_check("after the fork loop");

	run_threads(NTHREADS, "thread loop");
	gt_leak_check("after the thread loop");
	return gt_finish();
}
