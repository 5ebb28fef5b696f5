/*
 * Unit tests of bench/stats.c against values computed by hand or with R.
 *
 * Reference values come from R 4.2.2 (Debian's r-base-core); each check
 * quotes the R expression that produced its expected number.  A failed
 * check prints its name, the expected and the actual value, and the program
 * exits 1.
 */
#include "stats.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int failures, checks;

/* Checks that actual is within tol of expected (NAN matches only NAN). */
static void
check_near(const char *what, double expected, double actual, double tol)
{
	int ok = isnan(expected) ? isnan(actual) : fabs(expected - actual) <= tol;

	checks++;
	if (!ok) {
		failures++;
		printf("FAIL %s: expected %.15g, actual %.15g (tolerance %g)\n", what,
		       expected, actual, tol);
	}
}

static void
check_true(const char *what, int cond)
{
	checks++;
	if (!cond) {
		failures++;
		printf("FAIL %s\n", what);
	}
}

static void
test_quantiles(void)
{
	double v[10];

	for (int i = 0; i < 10; i++)
		v[i] = i + 1;
	/* R: quantile(1:10, c(0, .25, .5, .75, .9, .99, 1), type = 7) */
	check_near("quantile(1..10, 0)", 1, fb_quantile_sorted(v, 10, 0), 1e-12);
	check_near("quantile(1..10, 0.25)", 3.25, fb_quantile_sorted(v, 10, 0.25), 1e-12);
	check_near("quantile(1..10, 0.5)", 5.5, fb_quantile_sorted(v, 10, 0.5), 1e-12);
	check_near("quantile(1..10, 0.75)", 7.75, fb_quantile_sorted(v, 10, 0.75), 1e-12);
	check_near("quantile(1..10, 0.9)", 9.1, fb_quantile_sorted(v, 10, 0.9), 1e-12);
	check_near("quantile(1..10, 0.99)", 9.91, fb_quantile_sorted(v, 10, 0.99), 1e-12);
	check_near("quantile(1..10, 1)", 10, fb_quantile_sorted(v, 10, 1), 1e-12);
	check_near("quantile(1..10, q > 1 clamps)", 10, fb_quantile_sorted(v, 10, 7), 1e-12);
	check_near("quantile of one value", 4, fb_quantile_sorted(v + 3, 1, 0.3), 0);
	check_near("quantile of nothing", NAN, fb_quantile_sorted(v, 0, 0.5), 0);
}

static void
test_median_ci(void)
{
	/*
	 * Expected ranks from R:
	 *   k <- 0:n; l <- max(c(0, k[pbinom(k - 1, n, .5) <= .025])); c(l, n + 1 - l)
	 * For n = 100 this gives the textbook pair 40 and 61 (coverage 96.48%).
	 */
	static const struct {
		size_t n, lo, hi;
	} ranks[] = {
		{ 1, 1, 1 }, { 5, 1, 5 }, { 6, 1, 6 }, { 10, 2, 9 }, { 20, 6, 15 },
		{ 50, 18, 33 }, { 100, 40, 61 }, { 1000, 469, 532 }, { 10000, 4902, 5099 },
	};
	double v[100], lo, hi;
	char what[64];

	for (size_t i = 0; i < sizeof(ranks) / sizeof(ranks[0]); i++) {
		size_t l, u;

		fb_median_ci95_ranks(ranks[i].n, &l, &u);
		snprintf(what, sizeof(what), "median CI lower rank, n=%zu", ranks[i].n);
		check_near(what, (double)ranks[i].lo, (double)l, 0);
		snprintf(what, sizeof(what), "median CI upper rank, n=%zu", ranks[i].n);
		check_near(what, (double)ranks[i].hi, (double)u, 0);
	}

	/* The ranks are 1-based: x(40) of 1..100 is 40. */
	for (int i = 0; i < 100; i++)
		v[i] = i + 1;
	fb_median_ci95(v, 100, &lo, &hi);
	check_near("median CI of 1..100, lower", 40, lo, 0);
	check_near("median CI of 1..100, upper", 61, hi, 0);
	fb_median_ci95(v, 5, &lo, &hi);
	check_near("median CI of 1..5 is the range, lower", 1, lo, 0);
	check_near("median CI of 1..5 is the range, upper", 5, hi, 0);
	fb_median_ci95(v, 0, &lo, &hi);
	check_near("median CI of nothing", NAN, lo, 0);
}

static void
test_summarize(void)
{
	/* Given unsorted, so that fb_summarize has to sort its copy. */
	const double x[] = { 9, 4, 2, 5, 4, 7, 5, 4 };
	double copy[8];
	struct fb_summary s;

	memcpy(copy, x, sizeof(x));
	check_true("fb_summarize returns 0", fb_summarize(copy, 8, &s) == 0);
	check_true("fb_summarize leaves its input unsorted", memcmp(copy, x, sizeof(x)) == 0);
	check_near("summary n", 8, (double)s.n, 0);
	check_near("summary min", 2, s.min, 0);
	check_near("summary max", 9, s.max, 0);
	/* R: x <- c(2,4,4,4,5,5,7,9); quantile(x, c(.25,.5,.75,.9,.99)) */
	check_near("summary p25", 4, s.p25, 1e-12);
	check_near("summary median", 4.5, s.median, 1e-12);
	check_near("summary p75", 5.5, s.p75, 1e-12);
	check_near("summary p90", 7.6, s.p90, 1e-12);
	check_near("summary p99", 8.86, s.p99, 1e-12);
	/* R: mean(x) = 5; sd(x) = sqrt(32 / 7) = 2.1380899352994 */
	check_near("summary mean", 5, s.mean, 1e-12);
	check_near("summary stddev", 2.1380899352994, s.stddev, 1e-12);
	/* n = 8 gives ranks 1 and 8 (P(B <= 1) = 9/256 > 0.025). */
	check_near("summary ci95_lo", 2, s.ci95_lo, 0);
	check_near("summary ci95_hi", 9, s.ci95_hi, 0);

	check_true("fb_summarize of one value", fb_summarize(x, 1, &s) == 0 &&
		   s.median == 9 && s.stddev == 0 && s.ci95_lo == 9 && s.ci95_hi == 9);
	check_true("fb_summarize of nothing returns -1", fb_summarize(x, 0, &s) == -1);
}

static void
test_mann_whitney(void)
{
	const double a1[] = { 1, 2, 3, 4, 5 }, b1[] = { 6, 7, 8, 9, 10 };
	const double a2[] = { 1.1, 2.2, 2.2, 3.3, 4.4, 5.5, 5.5 };
	const double b2[] = { 2.2, 3.3, 5.5, 6.6, 7.7, 7.7, 8.8, 9.9 };
	const double a3[] = { 3, 1, 2 }, b3[] = { 2, 3, 1, 2 };
	const double same[] = { 7, 7, 7 };

	/*
	 * No ties: U = 0, mean 12.5, variance 5 * 5 * 11 / 12, so
	 * z = (0 - 12.5 + 0.5) / sqrt(22.9167) = -2.50672, p = 2 * pnorm(z).
	 * R: wilcox.test(1:5, 6:10, exact = FALSE, correct = TRUE)$p.value
	 */
	check_near("Mann-Whitney 1:5 vs 6:10", 0.0121857803553448,
		   fb_mann_whitney_p(a1, 5, b1, 5), 1e-12);
	check_near("Mann-Whitney is symmetric", 0.0121857803553448,
		   fb_mann_whitney_p(b1, 5, a1, 5), 1e-12);
	/*
	 * Ties within and across samples (W = 9.5).
	 * R: wilcox.test(c(1.1,2.2,2.2,3.3,4.4,5.5,5.5),
	 *                c(2.2,3.3,5.5,6.6,7.7,7.7,8.8,9.9),
	 *                exact = FALSE, correct = TRUE)$p.value
	 */
	check_near("Mann-Whitney with ties", 0.035557905699921,
		   fb_mann_whitney_p(a2, 7, b2, 8), 1e-12);
	/* W = 6 equals its mean n1 * n2 / 2, so R gives p = 1. */
	check_near("Mann-Whitney at the mean", 1, fb_mann_whitney_p(a3, 3, b3, 4), 1e-12);
	check_near("Mann-Whitney all tied", 1, fb_mann_whitney_p(same, 3, same, 2), 0);
	check_near("Mann-Whitney empty sample", NAN, fb_mann_whitney_p(a1, 0, b1, 5), 0);
}

static void
test_bootstrap(void)
{
	double a[200], b[200], lo1, hi1, lo2, hi2;

	/*
	 * Two clearly separated samples whose medians are 100 and 200: a spread
	 * of +-5% around each centre, so the ratio of medians is 2.
	 */
	for (int i = 0; i < 200; i++) {
		double spread = (double)((i * 37) % 101 - 50) / 1000;

		a[i] = 100 * (1 + spread);
		b[i] = 200 * (1 + spread);
	}
	check_true("bootstrap returns 0",
		   fb_bootstrap_ratio_ci(a, 200, b, 200, 2000, 42, &lo1, &hi1) == 0);
	check_true("bootstrap repeats for one seed",
		   fb_bootstrap_ratio_ci(a, 200, b, 200, 2000, 42, &lo2, &hi2) == 0 &&
		   lo1 == lo2 && hi1 == hi2);
	if (!(lo1 <= 2 && 2 <= hi1))
		printf("bootstrap interval [%g, %g]\n", lo1, hi1);
	check_true("bootstrap interval contains the true ratio 2", lo1 <= 2 && 2 <= hi1);
	check_true("bootstrap interval excludes 1.9 and 2.1", lo1 > 1.9 && hi1 < 2.1);
	check_true("bootstrap lower bound is not above upper", lo1 <= hi1);
	check_true("bootstrap of an empty sample returns -1",
		   fb_bootstrap_ratio_ci(a, 0, b, 200, 100, 1, &lo1, &hi1) == -1);
	check_true("bootstrap with zero iterations returns -1",
		   fb_bootstrap_ratio_ci(a, 200, b, 200, 0, 1, &lo1, &hi1) == -1);
}

int
main(void)
{
	test_quantiles();
	test_median_ci();
	test_summarize();
	test_mann_whitney();
	test_bootstrap();
	printf("test_stats: %d checks, %d failed\n", checks, failures);
	return failures != 0;
}
