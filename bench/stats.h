/*
 * Descriptive and comparative statistics for benchmark samples.
 *
 * Shared by forkbench (built with musl-gcc, runs inside guests) and the host
 * comparison tool (built with gcc), so it uses only ISO C and libm.  Samples
 * are plain doubles in any unit; every result is in the unit of the input.
 */
#ifndef FORKLAB_BENCH_STATS_H
#define FORKLAB_BENCH_STATS_H

#include <stddef.h>

/* Summary of one sample set; ci95_lo and ci95_hi bound the median. */
struct fb_summary {
	size_t n;
	double min, p25, median, p75, p90, p99, max, mean, stddev, ci95_lo, ci95_hi;
};

/*
 * Summarizes n samples.  Sorts a private copy, so samples is left as it is.
 * stddev is the sample standard deviation (divisor n - 1, 0 when n == 1).
 * Returns 0, or -1 when n == 0 or allocation fails.
 */
int fb_summarize(const double *samples, size_t n, struct fb_summary *out);

/*
 * Returns the linear-interpolation quantile (Hyndman-Fan type 7, R's default)
 * of an ascending array; q is clamped to [0, 1].  Returns NAN when n == 0.
 */
double fb_quantile_sorted(const double *sorted, size_t n, double q);

/*
 * Stores the distribution-free 95% confidence interval of the median of an
 * ascending array: the order statistics x(l) and x(n+1-l) (1-based), with l
 * the largest rank such that P(Binomial(n, 1/2) <= l - 1) <= 0.025.  For
 * n <= 5 no pair of order statistics reaches 95%, and the interval is
 * [min, max].  Stores NAN in both when n == 0.
 */
void fb_median_ci95(const double *sorted, size_t n, double *lo, double *hi);

/*
 * Stores the 1-based ranks (l, u) used by fb_median_ci95 for n samples;
 * both are 0 when n == 0.
 */
void fb_median_ci95_ranks(size_t n, size_t *lo_rank, size_t *hi_rank);

/*
 * Returns the two-sided p-value of the Mann-Whitney U test (Wilcoxon rank
 * sum) of a against b, by the normal approximation with tie correction of
 * the variance and a continuity correction of 0.5, as R's
 * wilcox.test(a, b, exact = FALSE, correct = TRUE) computes it.  Returns 1
 * when every value is tied, and NAN when a sample is empty or allocation
 * fails.
 */
double fb_mann_whitney_p(const double *a, size_t na, const double *b, size_t nb);

/*
 * Computes the percentile bootstrap 95% confidence interval of
 * median(b) / median(a): each of the iterations resamples a and b with
 * replacement, and lo and hi are the type-7 quantiles 0.025 and 0.975 of the
 * ratios.  The generator is seeded with seed, so equal inputs give equal
 * intervals.  Returns 0, or -1 when a sample is empty, iterations == 0, a
 * resampled median of a is 0, or allocation fails.
 */
int fb_bootstrap_ratio_ci(const double *a, size_t na, const double *b, size_t nb,
			  unsigned iterations, unsigned long long seed,
			  double *lo, double *hi);

/* Sorts n doubles in ascending order in place. */
void fb_sort(double *v, size_t n);

#endif
