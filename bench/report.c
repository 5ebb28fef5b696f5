/*
 * Output: CSV rows on stdout for scripts (format fixed by the forklab
 * interface contract) and a table in microseconds on stderr for people.
 * stdout is flushed after every row, so an interrupted run keeps its rows.
 */
#include "forkbench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLOCK_NAME	"monotonic"

/* Samples kept for --samples, printed after all summary rows. */
struct saved_samples {
	char bench[24];
	char param[32];
	uint64_t rss;
	double *ns;
	size_t n;
};

static struct saved_samples *saved;
static size_t nsaved, saved_cap;
static int table_started, phases_started;

void
fb_report_header(void)
{
	printf("# forkbench schema 1\n");
	printf("bench,rss_bytes,param,clock,n,min_ns,p25_ns,median_ns,p75_ns,p90_ns,"
	       "p99_ns,max_ns,mean_ns,stddev_ns,ci95_lo_ns,ci95_hi_ns\n");
	fflush(stdout);
}

/* Formats a byte count with the largest binary suffix that divides it. */
static const char *
format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char suffix[] = "KMG";
	int i = -1;

	while (i < 2 && bytes != 0 && bytes % 1024 == 0) {
		bytes /= 1024;
		i++;
	}
	if (i < 0)
		snprintf(buf, len, "%llu", (unsigned long long)bytes);
	else
		snprintf(buf, len, "%llu%c", (unsigned long long)bytes, suffix[i]);
	return buf;
}

static void
table_header(void)
{
	if (table_started)
		return;
	table_started = 1;
	fprintf(stderr, "%-14s %6s %-10s %7s %12s %25s %12s %12s %s\n", "bench", "rss",
		"param", "n", "median µs", "95% CI of median µs", "p99 µs", "min µs",
		"stop");
}

static void
print_row(const char *bench, uint64_t rss, const char *param, const struct fb_summary *s,
	  const char *stop)
{
	char size[24], ci[64];

	printf("%s,%llu,%s,%s,%zu,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f\n",
	       bench, (unsigned long long)rss, param, CLOCK_NAME, s->n, s->min, s->p25,
	       s->median, s->p75, s->p90, s->p99, s->max, s->mean, s->stddev,
	       s->ci95_lo, s->ci95_hi);
	fflush(stdout);

	table_header();
	snprintf(ci, sizeof(ci), "[%.3f, %.3f]", s->ci95_lo / 1e3, s->ci95_hi / 1e3);
	fprintf(stderr, "%-14s %6s %-10s %7zu %12.3f %25s %12.3f %12.3f %s\n", bench,
		format_size(rss, size, sizeof(size)), param, s->n, s->median / 1e3, ci,
		s->p99 / 1e3, s->min / 1e3, stop);
}

/* Prints the rows of one case at one size: one per param. */
void
fb_report_rows(const struct fb_case *c, uint64_t rss, const struct fb_run *run,
	       const struct fb_result *res)
{
	for (int r = 0; r < c->nrows; r++) {
		struct fb_summary s;

		if (fb_summarize(res->ns[r], res->n, &s) != 0) {
			fprintf(stderr, "forkbench: %s: no samples to summarize\n", c->name);
			continue;
		}
		print_row(c->name, rss, run->param[r], &s, res->stop);
		if (strcmp(c->name, "throughput") == 0 && s.median > 0)
			fprintf(stderr, "%-14s %s: %.0f forks/s (median %.3f µs per fork)\n",
				"", run->param[r], 1e9 / s.median, s.median / 1e3);
		else if (strcmp(c->name, "cow_touch") == 0)
			fprintf(stderr, "%-14s cow_touch times are per page written\n", "");
	}
}

void
fb_report_timer(const double *samples, size_t n)
{
	struct fb_summary s;

	if (fb_summarize(samples, n, &s) != 0)
		return;
	print_row("timer_overhead", 0, "-", &s, "fixed");
	fprintf(stderr, "%-14s clock_gettime(CLOCK_MONOTONIC) costs %.0f ns (median)\n",
		"", s.median);
}

/* Prints one phase row per phase: the median over the row's fork samples. */
void
fb_report_phases(uint64_t rss, const struct fb_run *run, const struct fb_trace *t)
{
	double *s;

	if (t->n == 0 || t->nphase == 0)
		return;
	s = malloc(t->n * sizeof(*s));
	if (s == NULL) {
		fprintf(stderr, "forkbench: phases: out of memory\n");
		return;
	}
	if (!phases_started) {
		printf("# phases: kind,bench,rss_bytes,param,phase,median_ns\n");
		phases_started = 1;
	}
	for (size_t i = 0; i < t->nphase; i++) {
		double median;

		memcpy(s, t->ns[i], t->n * sizeof(*s));
		fb_sort(s, t->n);
		median = fb_quantile_sorted(s, t->n, 0.5);
		printf("phase,fork,%llu,%s,%s,%.1f\n", (unsigned long long)rss,
		       run->param[0], t->name[i], median);
		fprintf(stderr, "%-14s phase %-16s median %10.3f µs\n", "", t->name[i],
			median / 1e3);
	}
	fflush(stdout);
	free(s);
}

/* Keeps a copy of each row's samples for fb_report_samples; returns 0 or -1. */
int
fb_report_save_samples(const char *bench, uint64_t rss, const struct fb_run *run,
		       const struct fb_result *res, int nrows)
{
	for (int r = 0; r < nrows; r++) {
		struct saved_samples *ss;

		if (nsaved == saved_cap) {
			size_t cap = saved_cap ? saved_cap * 2 : 32;
			void *p = realloc(saved, cap * sizeof(*saved));

			if (p == NULL)
				return -1;
			saved = p;
			saved_cap = cap;
		}
		ss = &saved[nsaved];
		ss->ns = malloc((res->n ? res->n : 1) * sizeof(double));
		if (ss->ns == NULL)
			return -1;
		memcpy(ss->ns, res->ns[r], res->n * sizeof(double));
		ss->n = res->n;
		ss->rss = rss;
		snprintf(ss->bench, sizeof(ss->bench), "%s", bench);
		snprintf(ss->param, sizeof(ss->param), "%s", run->param[r]);
		nsaved++;
	}
	return 0;
}

void
fb_report_samples(void)
{
	if (nsaved == 0)
		return;
	printf("# samples: kind,bench,rss_bytes,param,index,ns\n");
	for (size_t i = 0; i < nsaved; i++) {
		for (size_t k = 0; k < saved[i].n; k++)
			printf("sample,%s,%llu,%s,%zu,%.1f\n", saved[i].bench,
			       (unsigned long long)saved[i].rss, saved[i].param, k,
			       saved[i].ns[k]);
		free(saved[i].ns);
	}
	free(saved);
	saved = NULL;
	nsaved = saved_cap = 0;
	fflush(stdout);
}
