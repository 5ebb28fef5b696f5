/*
 * t_thread: threads as musl's pthreads use them: create and join with return
 * values, a mutex under contention, thread ids, the futex operations
 * (FUTEX_WAIT value mismatch and timeout, FUTEX_WAKE counts), pthread_exit,
 * and exit_group from a thread ending the whole process.
 */
#include "gtest.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_PRIVATE_FLAG 128

#define NCOUNTERS 8

static long
futex(volatile int *uaddr, int op, int val, const struct timespec *timeout)
{
	return gt_syscall(SYS_futex, (long)uaddr, op, val, (long)timeout, 0, 0);
}

static long
gettid_raw(void)
{
	return gt_syscall(SYS_gettid, 0, 0, 0, 0, 0, 0);
}

static long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void *
triple(void *arg)
{
	return (void *)((intptr_t)arg * 3);
}

static void
test_create_join(void)
{
	pthread_t t[4];
	void *ret;

	for (int i = 0; i < 4; i++)
		gt_eq(0, pthread_create(&t[i], NULL, triple, (void *)(intptr_t)(i + 1)),
		    "pthread_create %d", i);
	for (int i = 0; i < 4; i++) {
		ret = NULL;
		gt_eq(0, pthread_join(t[i], &ret), "pthread_join %d", i);
		gt_eq(3 * (i + 1), (intptr_t)ret, "return value of thread %d", i);
	}
}

static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;			/* count_lock */
static long counter_iterations;
static long thread_tids[NCOUNTERS];
static long thread_pids[NCOUNTERS];

static void *
count_thread(void *arg)
{
	int slot = (int)(intptr_t)arg;

	thread_tids[slot] = gettid_raw();
	thread_pids[slot] = getpid();
	for (long i = 0; i < counter_iterations; i++) {
		pthread_mutex_lock(&count_lock);
		counter++;
		pthread_mutex_unlock(&count_lock);
	}
	return NULL;
}

static void
test_mutex_counter(void)
{
	pthread_t t[NCOUNTERS];
	long pid = getpid();
	int created = 0, distinct = 1;

	counter = 0;
	counter_iterations = gt_long ? 200000 : 10000;
	for (int i = 0; i < NCOUNTERS; i++) {
		if (!gt_eq(0, pthread_create(&t[i], NULL, count_thread,
		    (void *)(intptr_t)i), "pthread_create counter thread %d", i))
			break;
		created++;
	}
	for (int i = 0; i < created; i++)
		pthread_join(t[i], NULL);
	gt_eq(created * counter_iterations, counter,
	    "%d threads x %ld increments under a mutex", created,
	    counter_iterations);

	for (int i = 0; i < created; i++) {
		gt_eq(pid, thread_pids[i], "getpid in thread %d", i);
		if (thread_tids[i] == pid)
			distinct = gt_ok(0, "tid of thread %d equals the pid %ld", i,
			    pid);
		for (int j = 0; j < i; j++)
			if (thread_tids[i] == thread_tids[j])
				distinct = gt_ok(0, "threads %d and %d share tid %ld", j,
				    i, thread_tids[i]);
	}
	gt_ok(distinct, "thread ids distinct from each other and the pid");
	gt_eq(pid, gettid_raw(), "main thread's tid equals the pid");
}

static volatile int futex_word;
static volatile int waiters_ready;

/* Waits once; the 10 s timeout turns a lost wake-up into a failed check. */
static void *
futex_waiter(void *arg)
{
	struct timespec timeout = { 10, 0 };
	long r;

	(void)arg;
	__atomic_add_fetch(&waiters_ready, 1, __ATOMIC_SEQ_CST);
	r = futex(&futex_word, FUTEX_WAIT, 0, &timeout);
	return (void *)r;
}

static void
test_futex(void)
{
	struct timespec timeout = { 0, 20 * 1000 * 1000 };
	pthread_t t[3];
	long long start, elapsed;
	int created = 0;
	void *ret;

	futex_word = 5;
	gt_sys(EAGAIN, futex(&futex_word, FUTEX_WAIT, 6, NULL),
	    "FUTEX_WAIT with a stale value");
	gt_sys(EAGAIN, futex(&futex_word, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 6,
	    NULL), "FUTEX_WAIT_PRIVATE with a stale value");

	start = now_ns();
	gt_sys(ETIMEDOUT, futex(&futex_word, FUTEX_WAIT, 5, &timeout),
	    "FUTEX_WAIT with a 20 ms timeout");
	elapsed = now_ns() - start;
	gt_ok(elapsed >= 20000000LL, "FUTEX_WAIT timeout waits >= 20 ms (got "
	    "%lld ns)", elapsed);
	gt_sys(0, futex(&futex_word, FUTEX_WAKE, 1, NULL),
	    "FUTEX_WAKE without waiters wakes 0");

	/*
	 * Three threads each wait once.  The pause after they announce
	 * themselves lets each reach the kernel's wait queue.
	 */
	futex_word = 0;
	waiters_ready = 0;
	for (int i = 0; i < 3; i++) {
		if (!gt_eq(0, pthread_create(&t[i], NULL, futex_waiter, NULL),
		    "pthread_create futex waiter %d", i))
			break;
		created++;
	}
	while (waiters_ready < created)
		sched_yield();
	sleep_ms(50);
	if (created == 3) {
		gt_eq(2, futex(&futex_word, FUTEX_WAKE, 2, NULL),
		    "FUTEX_WAKE 2 of 3 waiters returns 2");
		gt_eq(1, futex(&futex_word, FUTEX_WAKE, INT_MAX, NULL),
		    "FUTEX_WAKE of the rest returns 1");
	} else {
		futex(&futex_word, FUTEX_WAKE, INT_MAX, NULL);
	}
	for (int i = 0; i < created; i++) {
		pthread_join(t[i], &ret);
		gt_sys(0, (long)ret, "FUTEX_WAIT of waiter %d returns 0 on wake",
		    i);
	}
}

static void __attribute__((noreturn))
leave_nested(int depth)
{
	if (depth == 0)
		pthread_exit((void *)77);
	leave_nested(depth - 1);
}

static void *
exiting_thread(void *arg)
{
	leave_nested((int)(intptr_t)arg);
}

static void
test_pthread_exit(void)
{
	pthread_t t;
	void *ret = NULL;

	if (!gt_eq(0, pthread_create(&t, NULL, exiting_thread, (void *)3),
	    "pthread_create for pthread_exit"))
		return;
	gt_eq(0, pthread_join(t, &ret), "join of a pthread_exit thread");
	gt_eq(77, (intptr_t)ret, "pthread_exit value");
}

static void *
exit_group_thread(void *arg)
{
	sleep_ms(10);
	gt_syscall(SYS_exit_group, (intptr_t)arg, 0, 0, 0, 0, 0);
	return NULL;
}

static void *
late_exit_thread(void *arg)
{
	sleep_ms(20);
	exit((int)(intptr_t)arg);
}

/* Each case runs in a forked child whose status the parent checks. */
static void
test_process_exit_from_thread(void)
{
	pthread_t t;
	pid_t pid;

	/* exit_group from a thread while the main thread blocks in join. */
	pid = fork();
	if (pid == 0) {
		if (pthread_create(&t, NULL, exit_group_thread, (void *)33) != 0)
			_exit(100);
		pthread_join(t, NULL);
		_exit(101);
	}
	if (gt_ok(pid > 0, "fork for exit_group from a thread"))
		gt_wait_status(pid, GT_EXITED(33), "exit_group(33) from a thread");

	/* exit_group from a thread while the main thread spins. */
	pid = fork();
	if (pid == 0) {
		if (pthread_create(&t, NULL, exit_group_thread, (void *)44) != 0)
			_exit(100);
		for (;;)
			__asm__ volatile("pause");
	}
	if (gt_ok(pid > 0, "fork for exit_group with a spinning main thread"))
		gt_wait_status(pid, GT_EXITED(44),
		    "exit_group(44) from a thread while main spins");

	/* The main thread leaves first; the last thread's exit(5) counts. */
	pid = fork();
	if (pid == 0) {
		if (pthread_create(&t, NULL, late_exit_thread, (void *)5) != 0)
			_exit(100);
		pthread_exit(NULL);
	}
	if (gt_ok(pid > 0, "fork for pthread_exit of the main thread"))
		gt_wait_status(pid, GT_EXITED(5),
		    "exit(5) from the last thread after main's pthread_exit");
}

int
main(int argc, char **argv)
{
	gt_init(argc, argv);

	test_create_join();
	test_mutex_counter();
	test_futex();
	test_pthread_exit();
	test_process_exit_from_thread();
	return gt_finish();
}
