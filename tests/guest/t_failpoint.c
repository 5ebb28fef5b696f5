/*
 * t_failpoint: every allocation fork1 makes before its point of no return
 * can fail, and a failed fork undoes everything.
 *
 * For each copy mode (cow=copy, cow, odf) and each fault-injection site of
 * the forklab kernel, the program arms "failpoint=SITE:N" in
 * /proc/forklab/config and creates processes (fork, vfork, a clone that
 * shares the address space, a clone thread) until the armed allocation has
 * failed.  The N-th creation must fail with ENOMEM (fork1 gives EAGAIN only
 * for the process limits), the others must succeed, the parent must run on,
 * and free_pages, procs, lwps and uareas must come back exactly to their
 * values before the site was tried.  N is 1, 2 and 3, so the failure also
 * lands inside a loop of creations.
 *
 * Linux has no fault injection of this kind: there the program skips with
 * its reason.
 */
#include "gtest.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define CONFIG_PATH "/proc/forklab/config"
#define FUTEX_WAIT 0	/* musl has no <linux/futex.h> */

/* Ways of creating a process or thread. */
enum kind { K_FORK, K_VFORK, K_CLONE_VM, K_THREAD, K_NKINDS };
static const char *const kind_names[K_NKINDS] = {
	"fork", "vfork", "clone(CLONE_VM|CLONE_VFORK)", "clone thread",
};

/* Sites in the kernel's order; SITE_LIMITS needs a parent that called setrlimit. */
enum site { S_UAREA, S_PROC, S_LWP, S_PTP, S_PAGE, S_FILES, S_CWD, S_LIMITS,
	S_SIGACTS, S_NSITES };
static const char *const site_names[S_NSITES] = {
	"uarea", "proc", "lwp", "ptp", "page", "files", "cwd", "limits", "sigacts",
};

static const char *const modes[] = { "copy", "cow", "odf" };
static const char *const vfork_modes[] = { "share", "copy" };

/* Nonzero while vfork=copy (4.4BSD vfork: the address space is copied). */
static int vfork_copy;
#define NMODES (sizeof(modes) / sizeof(modes[0]))

#define THREAD_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | \
	CLONE_THREAD | CLONE_SYSVSEM | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)
#define CLONE_VM_FLAGS (CLONE_VM | CLONE_VFORK | SIGCHLD)

/* Creations per armed failpoint: one past the failing one. */
#define MAX_N 3

/* Injections that failed as expected, and the sites they covered (figures). */
static int injected;
static unsigned sites_hit;

/* Stack of the clone threads; they exit without touching it. */
static char thread_stack[4096] __attribute__((aligned(16)));
static volatile int thread_tid[MAX_N + 1];

/* Create one child of KIND; slot I keeps a thread's id word.  Returns the raw result. */
static long
create(enum kind kind, int i)
{
	switch (kind) {
	case K_FORK:
		return gt_spawn_exit0(SYS_fork, 0, 0, 0, 0, 0);
	case K_VFORK:
		return gt_spawn_exit0(SYS_vfork, 0, 0, 0, 0, 0);
	case K_CLONE_VM:
		return gt_spawn_exit0(SYS_clone, CLONE_VM_FLAGS, 0, 0, 0, 0);
	default:
		thread_tid[i] = -1;
		return gt_spawn_exit0(SYS_clone, THREAD_FLAGS,
		    (long)(thread_stack + sizeof(thread_stack)), 0, (long)&thread_tid[i], 0);
	}
}

/* Wait until the thread of slot I has exited (the kernel clears its id word). */
static void
join_thread(int i)
{
	int v;

	while ((v = thread_tid[i]) != 0)
		gt_syscall(SYS_futex, (long)&thread_tid[i], FUTEX_WAIT, v, 0, 0, 0);
}

/*
 * Whether a creation of KIND in copy mode MODE allocates at SITE.  The
 * page site is reached only when every page is copied; threads need only a
 * u-area and an LWP; vfork duplicates the address space only with
 * vfork=copy.
 */
static int
site_hit(enum site site, enum kind kind, const char *mode)
{
	switch (site) {
	case S_UAREA:
	case S_LWP:
		return 1;
	case S_PROC:
	case S_FILES:
	case S_CWD:
	case S_SIGACTS:
	case S_LIMITS:
		return kind != K_THREAD;
	case S_PTP:
		return kind == K_FORK || (kind == K_VFORK && vfork_copy);
	case S_PAGE:
		return (kind == K_FORK || (kind == K_VFORK && vfork_copy)) &&
		    strcmp(mode, "copy") == 0;
	default:
		return 0;
	}
}

/*
 * Arm SITE:N, make N+1 creations of KIND, and check that exactly the N-th
 * fails with ENOMEM when the site is on KIND's path (else that all succeed),
 * that the parent runs on, and that every child is reaped.
 */
static void
inject(enum site site, enum kind kind, const char *mode, int n)
{
	char words[64];
	long ids[MAX_N + 1];
	int hit = site_hit(site, kind, mode);
	volatile int after = 0;

	snprintf(words, sizeof(words), "failpoint=%s:%d", site_names[site], n);
	if (!gt_eq(0, gt_config_write(words), "write %s", words))
		return;
	for (int i = 0; i <= n; i++) {
		ids[i] = create(kind, i);
		if (hit && i == n - 1) {
			if (gt_sys(ENOMEM, ids[i], "cow=%s vfork=%s %s:%d: %s "
			    "number %d", mode, vfork_modes[vfork_copy],
			    site_names[site], n, kind_names[kind], i + 1)) {
				injected++;
				sites_hit |= 1u << site;
			}
		} else {
			gt_ok(ids[i] > 0, "cow=%s %s:%d: %s number %d succeeds "
			    "(got %ld)", mode, site_names[site], n, kind_names[kind],
			    i + 1, ids[i]);
		}
	}
	/* The site may not have been reached; never leave it armed. */
	gt_eq(0, gt_config_write("failpoint=off"), "write failpoint=off");

	/* The parent runs on: its memory and system calls still work. */
	after = getpid();
	gt_eq(getpid(), after, "cow=%s %s:%d: parent runs on after %s", mode,
	    site_names[site], n, kind_names[kind]);

	for (int i = 0; i <= n; i++) {
		if (ids[i] <= 0)
			continue;
		if (kind == K_THREAD)
			join_thread(i);
		else
			gt_wait_status((pid_t)ids[i], GT_EXITED(0), "cow=%s %s:%d: "
			    "%s child %d", mode, site_names[site], n,
			    kind_names[kind], i + 1);
	}
}

/* Bring caches and page tables to the state the leak checks compare against. */
static void
warm_up(void)
{
	for (int k = 0; k < K_NKINDS; k++) {
		long id = create((enum kind)k, 0);

		if (!gt_ok(id > 0, "warm-up %s (got %ld)", kind_names[k], id))
			continue;
		if (k == K_THREAD)
			join_thread(0);
		else
			gt_wait_status((pid_t)id, GT_EXITED(0), "warm-up %s child",
			    kind_names[k]);
	}
}

/* Try SITE with every kind and N under MODE, then check the counters. */
static void
walk_site(enum site site, const char *mode)
{
	char what[64];

	warm_up();
	gt_leak_mark();
	for (int k = 0; k < K_NKINDS; k++)
		for (int n = 1; n <= MAX_N; n++)
			inject(site, (enum kind)k, mode, n);
	snprintf(what, sizeof(what), "after site %s with cow=%s",
	    site_names[site], mode);
	gt_leak_check(what);
}

/*
 * The limits site is reached only when the parent's limit set was changed
 * in place, so it is walked in a child that called setrlimit first.  The
 * counters are compared in the body after the child is reaped.
 */
static void
walk_limits(const char *mode)
{
	int before = injected, status;
	pid_t pid;

	gt_leak_mark();
	pid = fork();
	if (pid == 0) {
		struct rlimit rl;

		getrlimit(RLIMIT_NOFILE, &rl);
		if (!gt_eq(0, setrlimit(RLIMIT_NOFILE, &rl), "setrlimit before "
		    "the limits site"))
			_exit(1);
		walk_site(S_LIMITS, mode);
		/* Hand the count to the parent through the exit status. */
		_exit(injected - before > 0 ? 100 + injected - before : 0);
	}
	if (!gt_ok(pid > 0, "fork for the limits site"))
		return;
	status = gt_wait(pid, 0);
	if (gt_ok(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) > 100,
	    "cow=%s: limits-site child injected failures (status %#x)", mode,
	    status)) {
		injected += WEXITSTATUS(status) - 100;
		sites_hit |= 1u << S_LIMITS;
	}
	gt_leak_check("after the limits-site child");
}

int
main(int argc, char **argv)
{
	char cow[16] = "", vfork[16] = "";
	long pid;
	int nsites = 0;

	gt_init(argc, argv);
	if (!gt_have_forklab()) {
		gt_skip("fault injection needs the forklab kernel's %s",
		    CONFIG_PATH);
		return gt_finish();
	}
	if (gt_config("cow", cow, sizeof(cow)) != 0 ||
	    gt_config("vfork", vfork, sizeof(vfork)) != 0)
		gt_ok(0, "read cow and vfork from %s", CONFIG_PATH);

	/* Bad input to the failpoint key is refused and changes nothing. */
	gt_eq(-EINVAL, gt_config_write("failpoint=nosuchsite:1"), "unknown site");
	gt_eq(-EINVAL, gt_config_write("failpoint=proc:0"), "failpoint count 0");
	gt_eq(-EINVAL, gt_config_write("failpoint=proc"), "failpoint without count");
	pid = gt_spawn_exit0(SYS_fork, 0, 0, 0, 0, 0);
	if (gt_ok(pid > 0, "fork after refused failpoints (got %ld)", pid))
		gt_wait_status((pid_t)pid, GT_EXITED(0), "child of that fork");

	for (vfork_copy = 0; vfork_copy < 2; vfork_copy++) {
		for (size_t m = 0; m < NMODES; m++) {
			char words[48];

			snprintf(words, sizeof(words), "cow=%s vfork=%s", modes[m],
			    vfork_modes[vfork_copy]);
			if (!gt_eq(0, gt_config_write(words), "write %s", words))
				continue;
			for (int s = 0; s < S_NSITES; s++) {
				if (s == S_LIMITS)
					walk_limits(modes[m]);
				else
					walk_site((enum site)s, modes[m]);
			}
		}
	}
	if (cow[0] != '\0' && vfork[0] != '\0') {
		char words[48];

		snprintf(words, sizeof(words), "cow=%s vfork=%s", cow, vfork);
		gt_eq(0, gt_config_write(words), "restore %s", words);
	}
	for (int s = 0; s < S_NSITES; s++)
		nsites += (sites_hit >> s) & 1;
	gt_eq(S_NSITES, nsites, "sites where an injected failure was seen");
	gt_note("sites injected: %d of %d (%d injected failures)", nsites,
	    S_NSITES, injected);
	return gt_finish();
}
