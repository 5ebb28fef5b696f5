/*
 * forkbench internals: options, the parent's memory region, the benchmark
 * case table and the shared timing harness.
 *
 * Every benchmark is one fb_case: an optional setup, an iteration function
 * that performs one operation and stores its time in nanoseconds, and an
 * optional teardown.  The harness in timing.c runs warm-up iterations, then
 * iterates until the median's confidence interval is narrow enough or a
 * limit is reached.
 */
#ifndef FORKLAB_BENCH_FORKBENCH_H
#define FORKLAB_BENCH_FORKBENCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "stats.h"

#define FB_MAX_RSS	16	/* sizes in one --rss list */
#define FB_MAX_ROWS	2	/* result rows of one case (fork_return has 2) */
#define FB_MAX_PROCS	256	/* upper bound of --procs, against fork bombs */
#define FB_MAX_PHASES	16	/* distinct phase names read from the trace */

/* Command-line options, after --quick defaults were applied. */
struct fb_opts {
	uint64_t rss[FB_MAX_RSS];	/* parent sizes in bytes */
	size_t nrss;
	unsigned bench_mask;		/* bit i selects fb_cases[i] */
	unsigned long warmup;		/* iterations before measuring */
	unsigned long min_iter;
	unsigned long max_iter;
	double max_time;		/* seconds per row at rss 0 */
	double ci_width;		/* percent of the median */
	unsigned long pages;		/* cow_touch pages, 0 = default */
	unsigned long procs;		/* throughput forking processes */
	const char *exec_path;
	int samples;			/* print every sample */
};

/* The parent's anonymous memory, touched page by page. */
struct fb_region {
	char *base;
	size_t bytes;			/* multiple of page */
	size_t page;			/* page size in bytes */
};

/* Per-phase samples of /proc/forklab/trace for the current fork row. */
struct fb_trace {
	int enabled;
	unsigned long long last_seq;
	size_t nphase;
	char name[FB_MAX_PHASES][32];
	double *ns[FB_MAX_PHASES];	/* ns[i][k]: phase i of sample k */
	size_t n, cap;
};

/* State of one benchmark row (one case at one parent size). */
struct fb_run {
	const struct fb_opts *opts;
	struct fb_region *region;
	struct fb_trace *trace;		/* NULL unless this case reads it */
	char err[256];			/* why the case failed */
	char param[FB_MAX_ROWS][32];	/* param column of each row */
	unsigned long touch_pages;	/* cow_touch: pages the child writes */
	void *shared;			/* MAP_SHARED page between parent and child */
	void *stack;			/* clone_vm child stack */
	size_t stack_size;
	pid_t workers[FB_MAX_PROCS];	/* throughput: running workers */
	size_t nworkers;
	int go_fd, done_fd;		/* throughput: command and reply pipes */
};

struct fb_case {
	const char *name;
	const char *desc;
	int nrows;
	int reads_trace;		/* per-phase rows from the forklab trace */
	/* Returns 0, 1 to skip the row, or -1 with run->err set on failure. */
	int (*setup)(struct fb_run *run);
	/* Stores nrows times in ns and returns 0, or returns -1 with run->err set. */
	int (*iter)(struct fb_run *run, double *ns);
	/* Releases what setup made, and kills and reaps any child left. */
	void (*teardown)(struct fb_run *run);
};

extern const struct fb_case fb_cases[];
extern const size_t fb_ncases;

/* Samples of one case at one size, filled by fb_measure. */
struct fb_result {
	double *ns[FB_MAX_ROWS];
	size_t n, cap;
	const char *stop;		/* why iterations stopped */
};

/* timing.c */
uint64_t fb_now_ns(void);
double fb_row_time_cap(const struct fb_opts *opts, uint64_t rss);
int fb_measure(const struct fb_case *c, struct fb_run *run, struct fb_result *res);
void fb_result_free(struct fb_result *res);
int fb_timer_overhead(double *samples, size_t n);

/* rss.c */
int fb_parse_size(const char *s, uint64_t *bytes);
int fb_region_map(struct fb_region *r, uint64_t bytes, char *err, size_t errlen);
void fb_region_unmap(struct fb_region *r);

/* trace.c */
int fb_trace_detect(void);
int fb_trace_sample(struct fb_trace *t, char *err, size_t errlen);
void fb_trace_reset(struct fb_trace *t);

/* report.c */
void fb_report_header(void);
void fb_report_rows(const struct fb_case *c, uint64_t rss, const struct fb_run *run,
		    const struct fb_result *res);
void fb_report_timer(const double *samples, size_t n);
void fb_report_phases(uint64_t rss, const struct fb_run *run, const struct fb_trace *t);
int fb_report_save_samples(const char *bench, uint64_t rss, const struct fb_run *run,
			   const struct fb_result *res, int nrows);
void fb_report_samples(void);

/* forkbench.c */
const char *fb_errno_name(int err);

/* bench_cases.c */
void fb_seterr(struct fb_run *run, const char *call, int err);
int fb_wait_child(struct fb_run *run, pid_t pid, const char *what);
void fb_kill_reap(pid_t pid);

#endif
