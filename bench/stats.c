/*
 * Statistics for benchmark samples: quantiles, the order-statistic
 * confidence interval of the median, the Mann-Whitney U test and a bootstrap
 * interval for a ratio of medians.  ISO C11 and libm only, because the same
 * file is built with musl-gcc for guests and with gcc for host tools.
 */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int
cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return (a > b) - (a < b);
}

void
fb_sort(double *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_double);
}

double
fb_quantile_sorted(const double *sorted, size_t n, double q)
{
	double h, frac;
	size_t lo;

	if (n == 0)
		return NAN;
	if (!(q > 0))
		q = 0;
	if (q > 1)
		q = 1;
	h = (double)(n - 1) * q;
	lo = (size_t)floor(h);
	if (lo >= n - 1)
		return sorted[n - 1];
	frac = h - (double)lo;
	return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
}

void
fb_median_ci95_ranks(size_t n, size_t *lo_rank, size_t *hi_rank)
{
	double logp, cdf = 0;
	size_t i, l = 0;

	if (n == 0) {
		*lo_rank = *hi_rank = 0;
		return;
	}

	/*
	 * Walk the Binomial(n, 1/2) probabilities P(B = i) upwards in log space
	 * (2^-n underflows for n > 1074) until the lower tail passes 0.025;
	 * l ends as the number of ranks i with P(B <= i - 1) <= 0.025.
	 */
	logp = -(double)n * log(2.0);
	for (i = 0; i < n / 2 + 1; i++) {
		cdf += exp(logp);
		if (cdf > 0.025)
			break;
		l = i + 1;
		logp += log((double)(n - i) / (double)(i + 1));
	}
	if (l == 0)
		l = 1;
	*lo_rank = l;
	*hi_rank = n + 1 - l;
}

void
fb_median_ci95(const double *sorted, size_t n, double *lo, double *hi)
{
	size_t l, u;

	if (n == 0) {
		*lo = *hi = NAN;
		return;
	}
	fb_median_ci95_ranks(n, &l, &u);
	*lo = sorted[l - 1];
	*hi = sorted[u - 1];
}

int
fb_summarize(const double *samples, size_t n, struct fb_summary *out)
{
	double *s, sum = 0, sq = 0, mean;
	size_t i;

	if (n == 0)
		return -1;
	s = malloc(n * sizeof(*s));
	if (s == NULL)
		return -1;
	memcpy(s, samples, n * sizeof(*s));
	fb_sort(s, n);

	for (i = 0; i < n; i++)
		sum += s[i];
	mean = sum / (double)n;
	/* Two passes, because sum of squares minus square of sums cancels. */
	for (i = 0; i < n; i++)
		sq += (s[i] - mean) * (s[i] - mean);

	out->n = n;
	out->min = s[0];
	out->max = s[n - 1];
	out->p25 = fb_quantile_sorted(s, n, 0.25);
	out->median = fb_quantile_sorted(s, n, 0.5);
	out->p75 = fb_quantile_sorted(s, n, 0.75);
	out->p90 = fb_quantile_sorted(s, n, 0.90);
	out->p99 = fb_quantile_sorted(s, n, 0.99);
	out->mean = mean;
	out->stddev = n > 1 ? sqrt(sq / (double)(n - 1)) : 0;
	fb_median_ci95(s, n, &out->ci95_lo, &out->ci95_hi);
	free(s);
	return 0;
}

/* A value and the sample it came from, for ranking the pooled samples. */
struct mw_item {
	double v;
	int from_a;
};

static int
cmp_item(const void *pa, const void *pb)
{
	const struct mw_item *a = pa, *b = pb;

	return (a->v > b->v) - (a->v < b->v);
}

double
fb_mann_whitney_p(const double *a, size_t na, const double *b, size_t nb)
{
	struct mw_item *items;
	double rank_sum_a = 0, ties = 0, n = (double)(na + nb);
	double u, d, var, sigma, z;
	size_t i, j, total = na + nb;

	if (na == 0 || nb == 0)
		return NAN;
	items = malloc(total * sizeof(*items));
	if (items == NULL)
		return NAN;
	for (i = 0; i < na; i++)
		items[i] = (struct mw_item){ a[i], 1 };
	for (i = 0; i < nb; i++)
		items[na + i] = (struct mw_item){ b[i], 0 };
	qsort(items, total, sizeof(*items), cmp_item);

	/* Tied values share the mean of the ranks i+1 .. j they occupy. */
	for (i = 0; i < total; i = j) {
		double t, mid_rank;

		for (j = i + 1; j < total && items[j].v == items[i].v; j++)
			;
		t = (double)(j - i);
		mid_rank = ((double)(i + 1) + (double)j) / 2;
		for (size_t k = i; k < j; k++)
			if (items[k].from_a)
				rank_sum_a += mid_rank;
		ties += t * t * t - t;
	}
	free(items);

	u = rank_sum_a - (double)na * ((double)na + 1) / 2;
	d = u - (double)na * (double)nb / 2;
	var = (double)na * (double)nb / 12 * ((n + 1) - ties / (n * (n - 1)));
	if (!(var > 0))
		return 1;
	sigma = sqrt(var);

	/* The correction moves U half a step towards its mean. */
	z = (d - (d > 0 ? 0.5 : d < 0 ? -0.5 : 0)) / sigma;
	return fmin(1.0, erfc(fabs(z) / sqrt(2.0)));
}

/* splitmix64: a small generator with a full 64-bit state, seeded directly. */
static unsigned long long
rng_next(unsigned long long *state)
{
	unsigned long long z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Returns a uniform index below n, free of modulo bias by rejection. */
static size_t
rng_index(unsigned long long *state, size_t n)
{
	unsigned long long limit = ~0ULL - (~0ULL % n), r;

	do
		r = rng_next(state);
	while (r >= limit);
	return (size_t)(r % n);
}

/* Fills buf with n draws from src (with replacement), returns their median. */
static double
resample_median(const double *src, size_t n, double *buf, unsigned long long *state)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = src[rng_index(state, n)];
	fb_sort(buf, n);
	return fb_quantile_sorted(buf, n, 0.5);
}

int
fb_bootstrap_ratio_ci(const double *a, size_t na, const double *b, size_t nb,
		      unsigned iterations, unsigned long long seed,
		      double *lo, double *hi)
{
	unsigned long long state = seed;
	double *buf, *ratios;
	int rc = -1;

	if (na == 0 || nb == 0 || iterations == 0)
		return -1;
	buf = malloc((na > nb ? na : nb) * sizeof(*buf));
	ratios = malloc(iterations * sizeof(*ratios));
	if (buf == NULL || ratios == NULL)
		goto out;

	for (unsigned it = 0; it < iterations; it++) {
		double ma = resample_median(a, na, buf, &state);
		double mb = resample_median(b, nb, buf, &state);

		if (ma == 0)
			goto out;
		ratios[it] = mb / ma;
	}
	fb_sort(ratios, iterations);
	*lo = fb_quantile_sorted(ratios, iterations, 0.025);
	*hi = fb_quantile_sorted(ratios, iterations, 0.975);
	rc = 0;
out:
	free(buf);
	free(ratios);
	return rc;
}
