/*
 * t_oom: running out of memory in fork and in copy-on-write faults.
 *
 * With cow=copy a parent holding more than half of the free memory cannot
 * be copied: fork must fail with ENOMEM and leave the parent as it was.
 * With cow=cow and cow=odf the same fork succeeds, and the child's writes
 * then need more pages than exist: the fault that finds none must kill only
 * the child, with SIGKILL as wait4 reports it, while the parent's memory
 * stays intact and a bystander process keeps running.  Counters must come
 * back exactly after each part.
 *
 * Memory is exhausted on purpose, so this runs only on forklab, and only
 * with a small machine (the fk.t_oom test boots with --memory 256M); on
 * Linux, or with more than MAX_MIB of memory, it skips with the reason.
 */
#include "gtest.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096UL
/* Largest memory (MiB) this test will fill; more would take too long. */
#define MAX_MIB 1024
/* The parent takes this share of the free pages, in percent. */
#define PARENT_SHARE 60

#define STATS_PATH "/proc/forklab/stats"

struct oom_shared {
	long	bystander;	/* incremented by the bystander as it runs */
	int	stop;		/* tells the bystander to exit */
};

static struct oom_shared *sh;

/* Read the value of NAME from the stats file; -1 when it is missing. */
static long
stat_value(const char *name)
{
	static char buf[4096];
	size_t n = strlen(name), len = 0;
	int fd = open(STATS_PATH, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0)
		return -1;
	while (len < sizeof(buf) - 1 &&
	    (r = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)r;
	close(fd);
	buf[len] = '\0';
	for (char *line = buf; *line != '\0';) {
		char *end = strchr(line, '\n');

		if (strncmp(line, name, n) == 0 && line[n] == ' ')
			return strtol(line + n + 1, NULL, 10);
		if (end == NULL)
			break;
		line = end + 1;
	}
	return -1;
}

/* Map and fill NPAGES pages, each starting with its index.  NULL on failure. */
static long *
fill(size_t npages)
{
	char *p = mmap(NULL, npages * PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	for (size_t i = 0; i < npages; i++)
		*(long *)(p + i * PAGE) = (long)i;
	return (long *)p;
}

/* Count the pages whose first word is not their index. */
static size_t
damaged(const long *mem, size_t npages)
{
	size_t bad = 0;

	for (size_t i = 0; i < npages; i++)
		bad += mem[i * PAGE / sizeof(long)] != (long)i;
	return bad;
}

/* Runs in a child: the large parent whose copying fork must fail. */
static void __attribute__((noreturn))
copy_parent(size_t npages)
{
	long *mem = fill(npages);
	pid_t pid;

	if (!gt_ok(mem != NULL, "cow=copy: map %zu pages", npages))
		_exit(1);
	pid = fork();
	if (pid == 0)
		_exit(0);
	gt_eq(-1, pid, "cow=copy: fork of a parent with %zu pages fails", npages);
	gt_eq(ENOMEM, pid < 0 ? errno : 0, "cow=copy: its errno");
	if (pid > 0)
		gt_wait(pid, 0);
	gt_eq(0, (long long)damaged(mem, npages), "cow=copy: pages damaged after "
	    "the failed fork");

	/* vfork shares the address space, so it still works. */
	pid = vfork();
	if (pid == 0)
		_exit(5);
	if (gt_ok(pid > 0, "cow=copy: vfork after the failed fork"))
		gt_wait_status(pid, GT_EXITED(5), "cow=copy: vfork child");
	_exit(0);
}

/* Runs in a child: the large parent whose child dies in a fault. */
static void __attribute__((noreturn))
fault_parent(const char *mode, size_t npages)
{
	long *mem = fill(npages);
	pid_t pid;

	if (!gt_ok(mem != NULL, "cow=%s: map %zu pages", mode, npages))
		_exit(1);
	pid = fork();
	if (pid == 0) {
		/* Write every page: the copies cannot all fit. */
		for (size_t i = 0; i < npages; i++)
			mem[i * PAGE / sizeof(long)] = -1;
		_exit(0);
	}
	if (!gt_ok(pid > 0, "cow=%s: fork of a parent with %zu pages", mode,
	    npages))
		_exit(1);
	gt_wait_status(pid, GT_KILLED(SIGKILL), "cow=%s: child that writes more "
	    "than the free memory", mode);
	gt_eq(0, (long long)damaged(mem, npages), "cow=%s: parent's pages damaged "
	    "by the child's faults", mode);
	/* With the child gone, the parent may write all its pages in place. */
	for (size_t i = 0; i < npages; i++)
		mem[i * PAGE / sizeof(long)] = (long)i;
	_exit(0);
}

/* A small process that keeps running until the parent signals it to stop, then exits 7. */
static pid_t
bystander_start(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		volatile char own[8 * PAGE];
		struct timespec ms = { 0, 1000000 };

		while (!__atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE)) {
			own[(sh->bystander % 8) * PAGE]++;
			__atomic_add_fetch(&sh->bystander, 1, __ATOMIC_RELAXED);
			nanosleep(&ms, NULL);
		}
		_exit(7);
	}
	return pid;
}

/* One part: the large parent in mode MODE, with a bystander beside it. */
static void
run_part(const char *mode)
{
	char words[32], what[48];
	long free_pages, before;
	size_t npages;
	pid_t by, pid;

	snprintf(words, sizeof(words), "cow=%s", mode);
	if (!gt_eq(0, gt_config_write(words), "write %s", words))
		return;
	snprintf(what, sizeof(what), "cow=%s", mode);
	memset(sh, 0, sizeof(*sh));
	gt_leak_mark();
	free_pages = stat_value("free_pages");
	npages = (size_t)free_pages * PARENT_SHARE / 100;

	by = bystander_start();
	if (!gt_ok(by > 0, "%s: fork of the bystander", what))
		return;
	pid = fork();
	if (pid == 0) {
		if (strcmp(mode, "copy") == 0)
			copy_parent(npages);
		fault_parent(mode, npages);
	}
	if (gt_ok(pid > 0, "%s: fork of the large parent", what))
		gt_wait_status(pid, GT_EXITED(0), "%s: large parent", what);

	before = __atomic_load_n(&sh->bystander, __ATOMIC_RELAXED);
	{
		struct timespec ms = { 0, 50000000 };

		nanosleep(&ms, NULL);
	}
	gt_ok(sh->bystander > before && before > 0, "%s: the bystander runs on "
	    "(%ld, then %ld)", what, before, sh->bystander);
	__atomic_store_n(&sh->stop, 1, __ATOMIC_RELEASE);
	gt_wait_status(by, GT_EXITED(7), "%s: bystander", what);
	gt_leak_check(what);
	gt_note("%s: parent of %zu pages (%ld were free)", what, npages,
	    free_pages);
}

int
main(int argc, char **argv)
{
	char cow[16] = "";
	long total;

	gt_init(argc, argv);
	if (!gt_have_forklab()) {
		gt_skip("memory exhaustion runs only on the forklab kernel, never "
		    "on the host");
		return gt_finish();
	}
	total = stat_value("total_pages");
	if (!gt_ok(total > 0, "%s lists total_pages", STATS_PATH))
		return gt_finish();
	if (total * (long)PAGE > (long)MAX_MIB << 20) {
		gt_skip("memory exhaustion: %ld MiB is more than %d MiB; boot with "
		    "--memory 256M", total * (long)PAGE >> 20, MAX_MIB);
		return gt_finish();
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!gt_ok(sh != MAP_FAILED, "mmap of the shared counters"))
		return gt_finish();
	gt_config("cow", cow, sizeof(cow));

	run_part("copy");
	run_part("cow");
	run_part("odf");

	if (cow[0] != '\0') {
		char words[32];

		snprintf(words, sizeof(words), "cow=%s", cow);
		gt_eq(0, gt_config_write(words), "restore %s", words);
	}
	return gt_finish();
}
