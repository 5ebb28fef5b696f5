/*
 * The shared timing harness: clock reads, warm-up, and the adaptive
 * iteration loop that stops on a narrow confidence interval of the median,
 * a time cap or an iteration cap.
 */
#include "forkbench.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A parent this large doubles the time cap of its rows (256 MiB). */
#define TIME_CAP_RSS_UNIT	(256.0 * 1024 * 1024)

/*
 * Returns CLOCK_MONOTONIC in nanoseconds.  clock_gettime can only fail here
 * on a kernel without the call; main checks it once at start, so a failure
 * later is fatal to the process (parent or child) that sees it.
 */
uint64_t
fb_now_ns(void)
{
	static const char msg[] = "forkbench: clock_gettime(CLOCK_MONOTONIC) failed\n";
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
		(void)!write(2, msg, sizeof(msg) - 1);
		_exit(1);
	}
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * Returns the time cap in seconds for one row: --max-time for an empty
 * parent, plus --max-time for every 256 MiB of parent, because each
 * iteration of a large parent costs more (page tables to copy or share).
 */
double
fb_row_time_cap(const struct fb_opts *opts, uint64_t rss)
{
	return opts->max_time * (1.0 + (double)rss / TIME_CAP_RSS_UNIT);
}

/* Fills samples with n back-to-back clock read differences in ns. */
int
fb_timer_overhead(double *samples, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t t0 = fb_now_ns();
		uint64_t t1 = fb_now_ns();

		samples[i] = (double)(t1 - t0);
	}
	return 0;
}

static int
result_append(struct fb_result *res, int nrows, const double *ns)
{
	if (res->n == res->cap) {
		size_t cap = res->cap ? res->cap * 2 : 256;

		for (int r = 0; r < nrows; r++) {
			double *p = realloc(res->ns[r], cap * sizeof(*p));

			if (p == NULL)
				return -1;
			res->ns[r] = p;
		}
		res->cap = cap;
	}
	for (int r = 0; r < nrows; r++)
		res->ns[r][res->n] = ns[r];
	res->n++;
	return 0;
}

void
fb_result_free(struct fb_result *res)
{
	for (int r = 0; r < FB_MAX_ROWS; r++)
		free(res->ns[r]);
	memset(res, 0, sizeof(*res));
}

/*
 * Returns 1 when every row's 95% confidence interval of the median is at
 * most ci_width percent of that median, 0 when not, -1 when out of memory.
 */
static int
ci_narrow_enough(const struct fb_result *res, int nrows, double ci_width)
{
	double *s = malloc(res->n * sizeof(*s));
	int narrow = 1;

	if (s == NULL)
		return -1;
	for (int r = 0; r < nrows && narrow; r++) {
		double lo, hi, median;

		memcpy(s, res->ns[r], res->n * sizeof(*s));
		fb_sort(s, res->n);
		median = fb_quantile_sorted(s, res->n, 0.5);
		fb_median_ci95(s, res->n, &lo, &hi);
		if (hi - lo > 0 && (median <= 0 || (hi - lo) / median * 100 > ci_width))
			narrow = 0;
	}
	free(s);
	return narrow;
}

/*
 * Runs case c for one row: setup, --warmup iterations, then measured
 * iterations.  At least --min-iter run; after that the loop stops at
 * --max-iter, when the row's time cap has passed, or when the median's
 * confidence interval is narrow enough (checked as n grows by an eighth,
 * because each check sorts every sample).  Samples go to res, and res->stop
 * records which limit ended the loop.  Returns 0; 1 when the case skips this
 * row; -1 with run->err set when the case failed.
 */
int
fb_measure(const struct fb_case *c, struct fb_run *run, struct fb_result *res)
{
	const struct fb_opts *o = run->opts;
	double ns[FB_MAX_ROWS];
	size_t next_check = o->min_iter;
	uint64_t start, cap_ns;
	int rc = 0;

	if (c->setup != NULL && (rc = c->setup(run)) != 0)
		return rc;

	for (unsigned long i = 0; i < o->warmup; i++)
		if (c->iter(run, ns) != 0) {
			rc = -1;
			goto out;
		}
	if (run->trace != NULL)
		fb_trace_reset(run->trace);

	cap_ns = (uint64_t)(fb_row_time_cap(o, run->region->bytes) * 1e9);
	start = fb_now_ns();
	for (;;) {
		if (c->iter(run, ns) != 0) {
			rc = -1;
			break;
		}
		if (result_append(res, c->nrows, ns) != 0) {
			fb_seterr(run, "realloc(samples)", ENOMEM);
			rc = -1;
			break;
		}
		if (run->trace != NULL &&
		    fb_trace_sample(run->trace, run->err, sizeof(run->err)) != 0) {
			rc = -1;
			break;
		}
		if (res->n >= o->max_iter) {
			res->stop = "max-iter";
			break;
		}
		if (res->n < o->min_iter)
			continue;
		if (fb_now_ns() - start >= cap_ns) {
			res->stop = "time";
			break;
		}
		if (res->n >= next_check) {
			int narrow = ci_narrow_enough(res, c->nrows, o->ci_width);

			if (narrow < 0) {
				fb_seterr(run, "malloc(samples)", ENOMEM);
				rc = -1;
				break;
			}
			if (narrow) {
				res->stop = "ci";
				break;
			}
			next_check = res->n + (res->n / 8 > 5 ? res->n / 8 : 5);
		}
	}
out:
	if (c->teardown != NULL)
		c->teardown(run);
	return rc;
}
