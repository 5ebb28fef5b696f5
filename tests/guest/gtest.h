/*
 * gtest: the check and leak-check helpers shared by the guest test programs.
 *
 * A guest test program runs natively on Linux and as /init on the forklab
 * kernel.  gt_init() splits it in two processes: a supervisor that stays
 * behind and a child, the "body", that returns from gt_init() and runs the
 * checks.  The supervisor reaps the body and every orphan left behind, then
 * compares /proc/forklab/stats with the values it read before the fork and
 * prints the final line "N passed, N failed".  This keeps the body an ordinary
 * process even when the program is PID 1 (Linux shields PID 1 from signals
 * with a default action), and all memory the body touched is freed when it
 * exits, so the leak check is exact.
 *
 * The pass and fail counters live in a MAP_SHARED page, so checks made in
 * forked children and vfork children count too.  Output goes straight to
 * write(2), never through stdio buffers that fork would duplicate.
 */
#ifndef GTEST_H
#define GTEST_H

#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>

/* Nonzero when the program was started with --long. */
extern int gt_long;

/* Program name (last component of argv[0]) used in messages. */
extern const char *gt_prog;

/*
 * Parse the common arguments and start the body.  "--nop" makes the program
 * exit 0 at once, so that it can stand in for /bin/nop.  Any argument other
 * than --long or --nop is rejected with exit status 2.  Returns only in the
 * body process.
 */
void gt_init(int argc, char **argv);

/* Flush stdio and return the body's exit status (0 when no check failed). */
int gt_finish(void);

/*
 * Checks.  Each returns nonzero when the check passed.  NAME is a printf
 * format naming the check; a failure prints one line with the name and the
 * expected and actual values.
 */
int gt_ok(int cond, const char *name, ...)
    __attribute__((format(printf, 2, 3)));
int gt_eq(long long expected, long long actual, const char *name, ...)
    __attribute__((format(printf, 3, 4)));
int gt_streq(const char *expected, const char *actual, const char *name, ...)
    __attribute__((format(printf, 3, 4)));
/* Checks that a raw system call returned -ERR (ERR 0: returned 0). */
int gt_sys(int err, long ret, const char *name, ...)
    __attribute__((format(printf, 3, 4)));
/* Checks a wait status exactly; the message decodes both values. */
int gt_status(int expected, int actual, const char *name, ...)
    __attribute__((format(printf, 3, 4)));

/* Report a skipped check with its reason; it counts neither way. */
void gt_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print one informational line prefixed with the program name. */
void gt_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Expected wait statuses: normal exit with CODE, death by signal SIG. */
#define GT_EXITED(code) (((code) & 0xff) << 8)
#define GT_KILLED(sig) ((sig) & 0x7f)

/*
 * Wait for PID with wait4(2) (retrying on EINTR) and return its raw status,
 * or -1 (after counting a failed check) when wait4 fails.  OPTIONS go to
 * wait4 unchanged.
 */
int gt_wait(pid_t pid, int options);

/* Wait for PID (options 0) and check its raw status against EXPECTED. */
int gt_wait_status(pid_t pid, int expected, const char *name, ...)
    __attribute__((format(printf, 3, 4)));

/* Raw system calls that return -errno instead of setting errno. */
long gt_syscall(long nr, long a1, long a2, long a3, long a4, long a5,
                long a6);

/*
 * Kernel statistics from /proc/forklab/stats.  gt_leak_mark() records the
 * current values, gt_leak_check() compares free_pages, procs, lwps and
 * uareas with the last mark and counts one check per value.  Both do nothing
 * when the file does not exist (Linux).  The file is read without stdio or
 * malloc, so reading it does not itself change free_pages.
 */
int gt_have_forklab(void);
void gt_leak_mark(void);
void gt_leak_check(const char *what);

/*
 * Read the effective forklab tunable KEY from /proc/forklab/config into BUF.
 * Returns 0 on success, -1 when the file or the key does not exist.
 */
int gt_config(const char *key, char *buf, size_t size);

/* Write WORDS to /proc/forklab/config; returns 0 or -errno (EINVAL for a rejected word). */
int gt_config_write(const char *words);

/*
 * Make raw system call NR (fork, vfork or clone) with arguments A1..A5; a
 * child it creates calls exit(0) at once without touching memory, so it is
 * safe after vfork or with a shared address space.  Returns the raw result.
 */
long gt_spawn_exit0(long nr, long a1, long a2, long a3, long a4, long a5);

/*
 * Paths for exec tests.  gt_self_path() is a path that executes this very
 * program (/proc/self/exe when it exists, else argv[0]).  gt_nop_path() is
 * $FORKLAB_NOP, /bin/nop, or ../../bench/nop next to this program when one
 * of them exists; otherwise NULL, and the caller runs gt_self_path() with
 * the argument "--nop".
 */
const char *gt_self_path(void);
const char *gt_nop_path(void);

#endif /* GTEST_H */
