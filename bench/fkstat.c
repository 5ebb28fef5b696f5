/*
 * fkstat: the harness's host tool for forkbench results.
 *
 *   fkstat import --target T --config C --clock K --summary F --samples F
 *                 --phases F CONSOLE
 *       Extracts forkbench's CSV from a console log (a Linux guest mixes its
 *       own messages in) and appends rows, prefixed with target, config and
 *       clock, to the three result files.
 *   fkstat check summary|samples|phases FILE
 *       Validates a result file; prints its row count.
 *   fkstat table SUMMARY
 *       Prints medians with their 95% CI per benchmark, size and parameter,
 *       one line per target and configuration, the best one marked.
 *   fkstat compare [--fail-above PCT] [--csv OUT] A_SAMPLES B_SAMPLES
 *   fkstat compare --base TARGET:CONFIG [--fail-above PCT] [--csv OUT] SAMPLES
 *       Ratio of medians (B/A) with a bootstrap 95% CI and a Mann-Whitney U
 *       verdict; only rows of the same clock are paired.
 *   fkstat cdf --bench B --clock K --rss BYTES SAMPLES
 *       Empirical distribution per series as gnuplot data blocks.
 *
 * Exit status: 0 success, 1 a comparison slower than --fail-above, 2 bad
 * usage or input (one line on stderr naming the file, line and value).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

#define FK_MAXF		32	/* fields of one CSV line */
#define FK_BOOT_ITER	2000	/* bootstrap resamples per comparison */
#define FK_SEED		0x666f726b6c6162ULL	/* fixed: equal input, equal CI */
#define FK_CDF_POINTS	200	/* points per distribution curve */

static const char SUMMARY_HDR[] =
    "target,config,bench,rss_bytes,param,clock,n,min_ns,p25_ns,median_ns,p75_ns,"
    "p90_ns,p99_ns,max_ns,mean_ns,stddev_ns,ci95_lo_ns,ci95_hi_ns,timer";
static const char SAMPLES_HDR[] =
    "target,config,bench,rss_bytes,param,clock,index,ns";
static const char PHASES_HDR[] =
    "target,config,rss_bytes,param,clock,phase,median_ns";
static const char FB_HDR[] =
    "bench,rss_bytes,param,clock,n,min_ns,p25_ns,median_ns,p75_ns,p90_ns,p99_ns,"
    "max_ns,mean_ns,stddev_ns,ci95_lo_ns,ci95_hi_ns";

static const char *progname = "fkstat";

static void __attribute__((noreturn, format(printf, 1, 2)))
fk_die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void *
fk_xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (p == NULL)
		fk_die("out of memory");
	return p;
}

static char *
fk_xstrdup(const char *s)
{
	char *d = strdup(s);

	if (d == NULL)
		fk_die("out of memory");
	return d;
}

/*
 * Splits line at commas in place.  Returns the number of fields, or -1 when
 * there are more than max.
 */
static int
fk_split(char *line, char **f, int max)
{
	int n = 0;

	for (;;) {
		if (n == max)
			return -1;
		f[n++] = line;
		line = strchr(line, ',');
		if (line == NULL)
			return n;
		*line++ = '\0';
	}
}

/* Returns 1 when s is a whole non-negative decimal integer. */
static int
fk_is_uint(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

/* Returns 1 when s is a whole finite non-negative number; stores it in v. */
static int
fk_is_num(const char *s, double *v)
{
	char *end;

	if (*s == '\0' || isspace((unsigned char)*s))
		return 0;
	errno = 0;
	*v = strtod(s, &end);
	return *end == '\0' && errno == 0 && isfinite(*v) && *v >= 0;
}

/* Returns 1 when s is a name: lowercase letters, digits, '_' and '-'. */
static int
fk_is_name(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) &&
		    *s != '_' && *s != '-')
			return 0;
	return 1;
}

/*
 * A result file read whole.  Lines are NUL-terminated in place; a file that
 * does not end in a newline was cut short and is refused.
 */
struct fk_file {
	const char *path;
	char *buf;
	char **line;
	size_t nline;
};

static void
fk_file_read(struct fk_file *ff, const char *path, int need_newline)
{
	FILE *fp;
	size_t len = 0, cap = 0, n;
	char chunk[65536];

	memset(ff, 0, sizeof(*ff));
	ff->path = path;
	fp = fopen(path, "r");
	if (fp == NULL)
		fk_die("%s: cannot open: %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		if (len + n + 1 > cap) {
			cap = (len + n + 1) * 2;
			ff->buf = fk_xrealloc(ff->buf, cap);
		}
		memcpy(ff->buf + len, chunk, n);
		len += n;
	}
	if (ferror(fp))
		fk_die("%s: read error", path);
	fclose(fp);
	if (len == 0)
		fk_die("%s: empty file", path);
	if (need_newline && ff->buf[len - 1] != '\n')
		fk_die("%s: truncated (no newline at the end of the last line)", path);
	ff->buf[len] = '\0';
	for (char *p = ff->buf, *nl; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		if ((ff->nline & 1023) == 0)
			ff->line = fk_xrealloc(ff->line, (ff->nline + 1024) * sizeof(char *));
		ff->line[ff->nline++] = p;
		if (nl == NULL)
			break;
		*nl = '\0';
		if (nl > p && nl[-1] == '\r')
			nl[-1] = '\0';
	}
}

/*
 * Samples grouped by series: target, config, bench, size, param and clock.
 */
struct fk_series {
	char *target, *config, *bench, *param, *clock;
	unsigned long long rss;
	double *v;
	size_t n, cap;
};

struct fk_set {
	struct fk_series *s;
	size_t n;
};

static struct fk_series *
fk_set_find(struct fk_set *set, char **f, unsigned long long rss, int create)
{
	/* f: target, config, bench, rss, param, clock */
	for (size_t i = set->n; i-- > 0;) {
		struct fk_series *s = &set->s[i];

		if (s->rss == rss && strcmp(s->bench, f[2]) == 0 &&
		    strcmp(s->config, f[1]) == 0 && strcmp(s->target, f[0]) == 0 &&
		    strcmp(s->param, f[4]) == 0 && strcmp(s->clock, f[5]) == 0)
			return s;
	}
	if (!create)
		return NULL;
	if ((set->n & 63) == 0)
		set->s = fk_xrealloc(set->s, (set->n + 64) * sizeof(*set->s));
	struct fk_series *s = &set->s[set->n++];
	memset(s, 0, sizeof(*s));
	s->target = fk_xstrdup(f[0]);
	s->config = fk_xstrdup(f[1]);
	s->bench = fk_xstrdup(f[2]);
	s->param = fk_xstrdup(f[4]);
	s->clock = fk_xstrdup(f[5]);
	s->rss = rss;
	return s;
}

static void
fk_series_add(struct fk_series *s, double v)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		s->v = fk_xrealloc(s->v, s->cap * sizeof(double));
	}
	s->v[s->n++] = v;
}

/* Checks the header line of a result file against the expected one. */
static void
fk_check_header(const struct fk_file *ff, const char *want)
{
	if (ff->nline == 0 || strcmp(ff->line[0], want) != 0)
		fk_die("%s:1: header is not '%s'", ff->path, want);
}

/*
 * Validates one row of a result file; kind is 's' summary, 'S' samples or
 * 'p' phases.  f holds nf fields.  Dies with the line number on error.
 */
static void
fk_check_row(const struct fk_file *ff, size_t ln, char kind, char **f, int nf)
{
	static const int want[] = { ['s'] = 19, ['S'] = 8, ['p'] = 7 };
	double v;
	int first_num, last_num;

	if (nf != want[(int)kind])
		fk_die("%s:%zu: %d fields, expected %d (malformed or truncated row)",
		       ff->path, ln + 1, nf < 0 ? FK_MAXF : nf, want[(int)kind]);
	if (!fk_is_name(f[0]) || f[1][0] == '\0')
		fk_die("%s:%zu: bad target or config '%s,%s'", ff->path, ln + 1, f[0], f[1]);
	if (kind == 'p') {
		if (!fk_is_uint(f[2]) || !fk_is_name(f[4]) || !fk_is_name(f[5]))
			fk_die("%s:%zu: bad rss_bytes, clock or phase", ff->path, ln + 1);
		if (!fk_is_num(f[6], &v))
			fk_die("%s:%zu: median_ns '%s' is not a number", ff->path, ln + 1, f[6]);
		return;
	}
	if (!fk_is_name(f[2]))
		fk_die("%s:%zu: bench '%s' is not a name", ff->path, ln + 1, f[2]);
	if (!fk_is_uint(f[3]))
		fk_die("%s:%zu: rss_bytes '%s' is not an integer", ff->path, ln + 1, f[3]);
	if (!fk_is_name(f[5]))
		fk_die("%s:%zu: clock '%s' is not a name", ff->path, ln + 1, f[5]);
	if (!fk_is_uint(f[6]))
		fk_die("%s:%zu: field 7 (%s) '%s' is not an integer", ff->path, ln + 1,
		       kind == 's' ? "n" : "index", f[6]);
	first_num = 7;
	last_num = kind == 's' ? 17 : 7;
	for (int i = first_num; i <= last_num; i++)
		if (!fk_is_num(f[i], &v))
			fk_die("%s:%zu: field %d '%s' is not a non-negative number",
			       ff->path, ln + 1, i + 1, f[i]);
}

/* Reads and validates a result file of the given kind ('s', 'S', 'p'). */
static void
fk_read_checked(struct fk_file *ff, const char *path, char kind)
{
	char *f[FK_MAXF];
	char tmp[4096];

	fk_file_read(ff, path, 1);
	fk_check_header(ff, kind == 's' ? SUMMARY_HDR : kind == 'S' ? SAMPLES_HDR : PHASES_HDR);
	for (size_t i = 1; i < ff->nline; i++) {
		if (strlen(ff->line[i]) >= sizeof(tmp))
			fk_die("%s:%zu: line too long", path, i + 1);
		strcpy(tmp, ff->line[i]);
		fk_check_row(ff, i, kind, f, fk_split(tmp, f, FK_MAXF));
	}
}

/* Loads a samples file into series. */
static void
fk_load_samples(const char *path, struct fk_set *set)
{
	struct fk_file ff;
	char *f[FK_MAXF];

	fk_read_checked(&ff, path, 'S');
	for (size_t i = 1; i < ff.nline; i++) {
		double v;

		fk_split(ff.line[i], f, FK_MAXF);
		fk_is_num(f[7], &v);
		fk_series_add(fk_set_find(set, f, strtoull(f[3], NULL, 10), 1), v);
	}
	if (set->n == 0)
		fk_die("%s: no samples", path);
}

/* ---- import ---- */

struct fk_import {
	const char *target, *config, *clock;
	FILE *summary, *samples, *phases;
	size_t nsummary, nsamples, nphases;
};

/* Returns 1 when line is a Linux kernel message ("[    1.234] ..."). */
static int
fk_is_printk(const char *line)
{
	const char *p = line;

	if (*p++ != '[')
		return 0;
	while (*p == ' ')
		p++;
	if (!isdigit((unsigned char)*p))
		return 0;
	while (isdigit((unsigned char)*p) || *p == '.')
		p++;
	return *p == ']';
}

/*
 * Returns 1 when line looks like a CSV data row (a name, then a comma) and
 * so must parse; other console lines are noise.
 */
static int
fk_looks_like_row(const char *line)
{
	const char *p = line;

	while (islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_')
		p++;
	return p > line && *p == ',';
}

static void
fk_import_row(struct fk_import *im, const char *path, size_t ln, char *line)
{
	char *f[FK_MAXF];
	int nf = fk_split(line, f, FK_MAXF);
	double v;

	if (strcmp(f[0], "sample") == 0) {
		if (nf != 6 || !fk_is_name(f[1]) || !fk_is_uint(f[2]) || !fk_is_uint(f[4]) ||
		    !fk_is_num(f[5], &v))
			fk_die("%s:%zu: malformed sample row", path, ln);
		fprintf(im->samples, "%s,%s,%s,%s,%s,%s,%s,%s\n", im->target, im->config,
			f[1], f[2], f[3], im->clock, f[4], f[5]);
		im->nsamples++;
	} else if (strcmp(f[0], "phase") == 0) {
		if (nf != 6 || !fk_is_uint(f[2]) || !fk_is_name(f[4]) || !fk_is_num(f[5], &v))
			fk_die("%s:%zu: malformed phase row", path, ln);
		fprintf(im->phases, "%s,%s,%s,%s,%s,%s,%s\n", im->target, im->config,
			f[2], f[3], im->clock, f[4], f[5]);
		im->nphases++;
	} else {
		if (nf != 16 || !fk_is_uint(f[1]) || !fk_is_name(f[3]) || !fk_is_uint(f[4]))
			fk_die("%s:%zu: malformed result row (%d fields, expected 16)",
			       path, ln, nf < 0 ? FK_MAXF : nf);
		for (int i = 5; i < 16; i++)
			if (!fk_is_num(f[i], &v))
				fk_die("%s:%zu: field %d '%s' is not a number", path, ln, i + 1, f[i]);
		fprintf(im->summary, "%s,%s,%s,%s,%s,%s,%s", im->target, im->config,
			f[0], f[1], f[2], im->clock, f[4]);
		for (int i = 5; i < 16; i++)
			fprintf(im->summary, ",%s", f[i]);
		fprintf(im->summary, ",%s\n", f[3]);
		im->nsummary++;
	}
}

static FILE *
fk_open_append(const char *path)
{
	FILE *fp;

	if (path == NULL)
		fk_die("import: --summary, --samples and --phases are required");
	fp = fopen(path, "a");
	if (fp == NULL)
		fk_die("%s: cannot open for appending: %s", path, strerror(errno));
	return fp;
}

static int
fk_cmd_import(int argc, char **argv)
{
	struct fk_import im = { 0 };
	const char *ps = NULL, *pS = NULL, *pp = NULL, *console = NULL;
	struct fk_file ff;
	int schema = 0, header = 0;

	for (int i = 1; i < argc; i++) {
		const char **dst = NULL;

		if (strcmp(argv[i], "--target") == 0)
			dst = &im.target;
		else if (strcmp(argv[i], "--config") == 0)
			dst = &im.config;
		else if (strcmp(argv[i], "--clock") == 0)
			dst = &im.clock;
		else if (strcmp(argv[i], "--summary") == 0)
			dst = &ps;
		else if (strcmp(argv[i], "--samples") == 0)
			dst = &pS;
		else if (strcmp(argv[i], "--phases") == 0)
			dst = &pp;
		else if (console == NULL && argv[i][0] != '-')
			console = argv[i];
		else
			fk_die("import: unknown argument '%s'", argv[i]);
		if (dst != NULL) {
			if (++i == argc)
				fk_die("import: %s needs a value", argv[i - 1]);
			*dst = argv[i];
		}
	}
	if (im.target == NULL || im.config == NULL || im.clock == NULL || console == NULL)
		fk_die("import: --target, --config, --clock and a console file are required");
	if (!fk_is_name(im.target) || !fk_is_name(im.clock) || strchr(im.config, ',') != NULL ||
	    im.config[0] == '\0')
		fk_die("import: target and clock must be names and config must not contain ','");

	/* Parse everything before writing anything, so a bad log adds no rows. */
	im.summary = im.samples = im.phases = fopen("/dev/null", "w");
	if (im.summary == NULL)
		fk_die("cannot open /dev/null: %s", strerror(errno));
	fk_file_read(&ff, console, 0);
	for (size_t i = 0; i < ff.nline; i++) {
		char *l = ff.line[i];
		char tmp[4096];

		if (fk_is_printk(l))
			continue;
		if (strncmp(l, "# forkbench schema ", 19) == 0) {
			if (strcmp(l + 19, "1") != 0)
				fk_die("%s:%zu: unsupported forkbench schema '%s' (this tool reads 1)",
				       console, i + 1, l + 19);
			schema = 1;
			continue;
		}
		if (strcmp(l, FB_HDR) == 0) {
			if (!schema)
				fk_die("%s:%zu: CSV header before the schema line", console, i + 1);
			header = 1;
			continue;
		}
		if (!header || !fk_looks_like_row(l))
			continue;
		if (strlen(l) >= sizeof(tmp))
			fk_die("%s:%zu: line too long", console, i + 1);
		strcpy(tmp, l);
		fk_import_row(&im, console, i + 1, tmp);
	}
	if (!schema)
		fk_die("%s: no forkbench output (line '# forkbench schema 1' missing)", console);
	if (!header)
		fk_die("%s: forkbench CSV header missing", console);
	if (im.nsummary == 0)
		fk_die("%s: no forkbench result rows", console);

	fclose(im.summary);
	im.summary = fk_open_append(ps);
	im.samples = fk_open_append(pS);
	im.phases = fk_open_append(pp);
	im.nsummary = im.nsamples = im.nphases = 0;
	header = 0;
	for (size_t i = 0; i < ff.nline; i++) {
		char *l = ff.line[i];

		if (strcmp(l, FB_HDR) == 0)
			header = 1;
		else if (header && !fk_is_printk(l) && fk_looks_like_row(l))
			fk_import_row(&im, console, i + 1, l);
	}
	if (fclose(im.summary) != 0 || fclose(im.samples) != 0 || fclose(im.phases) != 0)
		fk_die("write error: %s", strerror(errno));
	printf("%zu result rows, %zu samples, %zu phase rows\n", im.nsummary, im.nsamples,
	       im.nphases);
	return 0;
}

/* ---- check ---- */

static int
fk_cmd_check(int argc, char **argv)
{
	struct fk_file ff;
	char kind;

	if (argc != 3)
		fk_die("usage: fkstat check summary|samples|phases FILE");
	if (strcmp(argv[1], "summary") == 0)
		kind = 's';
	else if (strcmp(argv[1], "samples") == 0)
		kind = 'S';
	else if (strcmp(argv[1], "phases") == 0)
		kind = 'p';
	else
		fk_die("check: unknown kind '%s' (summary, samples or phases)", argv[1]);
	fk_read_checked(&ff, argv[2], kind);
	printf("%zu\n", ff.nline - 1);
	return 0;
}

/* ---- table ---- */

/* Formats ns with a unit that keeps 3-4 significant digits. */
static const char *
fk_fmt_ns(double ns, char *buf, size_t len)
{
	if (ns >= 1e9)
		snprintf(buf, len, "%.3g s", ns / 1e9);
	else if (ns >= 1e6)
		snprintf(buf, len, "%.4g ms", ns / 1e6);
	else if (ns >= 1e3)
		snprintf(buf, len, "%.4g us", ns / 1e3);
	else
		snprintf(buf, len, "%.4g ns", ns);
	return buf;
}

static const char *
fk_fmt_bytes(unsigned long long b, char *buf, size_t len)
{
	if (b >= (1ULL << 30) && b % (1ULL << 30) == 0)
		snprintf(buf, len, "%lluG", b >> 30);
	else if (b >= (1ULL << 20) && b % (1ULL << 20) == 0)
		snprintf(buf, len, "%lluM", b >> 20);
	else if (b >= (1ULL << 10) && b % (1ULL << 10) == 0)
		snprintf(buf, len, "%lluK", b >> 10);
	else
		snprintf(buf, len, "%llu", b);
	return buf;
}

static int
fk_cmd_table(int argc, char **argv)
{
	struct fk_file ff;
	char *f[FK_MAXF];
	size_t nrow;
	char *done;

	if (argc != 2)
		fk_die("usage: fkstat table SUMMARY");
	fk_read_checked(&ff, argv[1], 's');
	nrow = ff.nline;
	if (nrow < 2)
		fk_die("%s: no rows", argv[1]);
	/* Split every row once; rows keep their order of appearance. */
	char *(*rows)[19] = fk_xrealloc(NULL, nrow * sizeof(*rows));
	for (size_t i = 1; i < nrow; i++) {
		fk_split(ff.line[i], f, FK_MAXF);
		memcpy(rows[i], f, sizeof(rows[i]));
	}
	done = calloc(nrow, sizeof(*done));
	if (done == NULL)
		fk_die("out of memory");
	/* The name column fits the longest target:config. */
	int w = (int)strlen("target:config");
	for (size_t i = 1; i < nrow; i++) {
		int l = (int)(strlen(rows[i][0]) + 1 + strlen(rows[i][1]));

		if (l > w)
			w = l;
	}
	for (size_t i = 1; i < nrow; i++) {
		char b1[32], b2[32], b3[32], b4[32];

		if (done[i])
			continue;
		int has_param = rows[i][4][0] != '\0' && strcmp(rows[i][4], "-") != 0;

		printf("\n%s  rss=%s%s%s\n", rows[i][2],
		       fk_fmt_bytes(strtoull(rows[i][3], NULL, 10), b1, sizeof(b1)),
		       has_param ? "  " : "", has_param ? rows[i][4] : "");
		printf("  %-7s %-*s %12s  %s\n", "clock", w, "target:config", "median",
		       "95% CI of the median");
		/* Same bench, size and param: group by clock, lowest median wins. */
		for (size_t j = i; j < nrow; j++) {
			double best = INFINITY;

			if (done[j] || strcmp(rows[j][2], rows[i][2]) != 0 ||
			    strcmp(rows[j][3], rows[i][3]) != 0 || strcmp(rows[j][4], rows[i][4]) != 0)
				continue;
			for (size_t k = j; k < nrow; k++)
				if (!done[k] && strcmp(rows[k][2], rows[j][2]) == 0 &&
				    strcmp(rows[k][3], rows[j][3]) == 0 &&
				    strcmp(rows[k][4], rows[j][4]) == 0 &&
				    strcmp(rows[k][5], rows[j][5]) == 0 && atof(rows[k][9]) < best)
					best = atof(rows[k][9]);
			const char *clock = rows[j][5];
			for (size_t k = j; k < nrow; k++) {
				char name[256];

				if (done[k] || strcmp(rows[k][2], rows[j][2]) != 0 ||
				    strcmp(rows[k][3], rows[j][3]) != 0 ||
				    strcmp(rows[k][4], rows[j][4]) != 0 || strcmp(rows[k][5], clock) != 0)
					continue;
				done[k] = 1;
				snprintf(name, sizeof(name), "%s:%s", rows[k][0], rows[k][1]);
				printf("  %-7s %-*s %12s  [%s, %s]%s\n", clock, w, name,
				       fk_fmt_ns(atof(rows[k][9]), b2, sizeof(b2)),
				       fk_fmt_ns(atof(rows[k][16]), b3, sizeof(b3)),
				       fk_fmt_ns(atof(rows[k][17]), b4, sizeof(b4)),
				       atof(rows[k][9]) == best ? "  * best" : "");
			}
		}
	}
	printf("\n(* best: lowest median among rows of the same clock; rows of different "
	       "clocks are not compared)\n");
	return 0;
}

/* ---- compare ---- */

struct fk_cmp_out {
	FILE *csv;
	double fail_above;	/* percent; < 0 when not given */
	int failed, compared;
};

static double
fk_median(const double *v, size_t n)
{
	double *s = fk_xrealloc(NULL, n * sizeof(double)), m;

	memcpy(s, v, n * sizeof(double));
	fb_sort(s, n);
	m = fb_quantile_sorted(s, n, 0.5);
	free(s);
	return m;
}

/* Compares series b against series a and prints one line and one CSV row. */
static void
fk_compare_pair(struct fk_cmp_out *o, const struct fk_series *a, const struct fk_series *b)
{
	double ma = fk_median(a->v, a->n), mb = fk_median(b->v, b->n);
	double lo = NAN, hi = NAN, p, ratio;
	const char *verdict;
	char rb[32], an[200], bn[200];

	if (ma == 0 || fb_bootstrap_ratio_ci(a->v, a->n, b->v, b->n, FK_BOOT_ITER, FK_SEED,
					     &lo, &hi) != 0)
		lo = hi = NAN;
	ratio = ma > 0 ? mb / ma : NAN;
	p = fb_mann_whitney_p(a->v, a->n, b->v, b->n);
	if (!(p < 0.05))
		verdict = "same";
	else
		verdict = mb > ma ? "slower" : "faster";
	if (strcmp(verdict, "slower") == 0 && o->fail_above >= 0 &&
	    ratio > 1 + o->fail_above / 100)
		o->failed++;
	o->compared++;
	snprintf(an, sizeof(an), "%s:%s", a->target, a->config);
	snprintf(bn, sizeof(bn), "%s:%s", b->target, b->config);
	printf("  %-12s %6s %-10s %-7s %-26s %-26s %7.3f [%6.3f, %6.3f] p=%-8.2g %s\n",
	       b->bench, fk_fmt_bytes(b->rss, rb, sizeof(rb)), b->param[0] ? b->param : "-",
	       b->clock, an, bn, ratio, lo, hi, p,
	       strcmp(verdict, "same") == 0 ? "no significant difference" : verdict);
	if (o->csv != NULL)
		fprintf(o->csv, "%s,%s,%s,%s,%s,%llu,%s,%s,%zu,%zu,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%s\n",
			a->target, a->config, b->target, b->config, b->bench, b->rss, b->param,
			b->clock, a->n, b->n, ma, mb, ratio, lo, hi, p, verdict);
}

static int
fk_cmd_compare(int argc, char **argv)
{
	struct fk_cmp_out o = { .fail_above = -1 };
	const char *base = NULL, *csv = NULL, *files[2];
	int nfiles = 0;
	struct fk_set a = { 0 }, b = { 0 };

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--fail-above") == 0 && i + 1 < argc) {
			double v;

			if (!fk_is_num(argv[++i], &v))
				fk_die("--fail-above '%s' is not a percentage (a number >= 0)", argv[i]);
			o.fail_above = v;
		} else if (strcmp(argv[i], "--base") == 0 && i + 1 < argc) {
			base = argv[++i];
		} else if (strcmp(argv[i], "--csv") == 0 && i + 1 < argc) {
			csv = argv[++i];
		} else if (argv[i][0] != '-' && nfiles < 2) {
			files[nfiles++] = argv[i];
		} else {
			fk_die("compare: unexpected argument '%s'", argv[i]);
		}
	}
	if (nfiles != (base ? 1 : 2))
		fk_die("usage: fkstat compare A_SAMPLES B_SAMPLES | --base TARGET:CONFIG SAMPLES");

	fk_load_samples(files[0], &a);
	if (base == NULL)
		fk_load_samples(files[1], &b);
	if (csv != NULL) {
		o.csv = fopen(csv, "w");
		if (o.csv == NULL)
			fk_die("%s: cannot create: %s", csv, strerror(errno));
		fprintf(o.csv, "a_target,a_config,b_target,b_config,bench,rss_bytes,param,clock,"
			"a_n,b_n,a_median_ns,b_median_ns,ratio,ratio_ci95_lo,ratio_ci95_hi,"
			"p_value,verdict\n");
	}
	printf("  %-12s %6s %-10s %-7s %-26s %-26s %7s %-16s %-10s %s\n", "bench", "rss",
	       "param", "clock", "A", "B", "B/A", " 95% CI", "U test", "verdict");
	if (base == NULL) {
		/* Same series in both runs, matched on every key column. */
		for (size_t i = 0; i < a.n; i++) {
			struct fk_series *sa = &a.s[i];
			char rss[32];
			char *key[6] = { sa->target, sa->config, sa->bench, rss, sa->param, sa->clock };
			struct fk_series *sb;

			snprintf(rss, sizeof(rss), "%llu", sa->rss);
			sb = fk_set_find(&b, key, sa->rss, 0);
			if (sb != NULL)
				fk_compare_pair(&o, sa, sb);
		}
	} else {
		const char *colon = strchr(base, ':');
		size_t tl;
		int found = 0;

		if (colon == NULL)
			fk_die("--base '%s' is not TARGET:CONFIG (e.g. fk:default)", base);
		tl = (size_t)(colon - base);
		for (size_t i = 0; i < a.n; i++) {
			struct fk_series *sa = &a.s[i];

			if (strlen(sa->target) != tl || strncmp(sa->target, base, tl) != 0 ||
			    strcmp(sa->config, colon + 1) != 0)
				continue;
			found = 1;
			for (size_t j = 0; j < a.n; j++) {
				struct fk_series *sb = &a.s[j];

				if (sb == sa || sb->rss != sa->rss || strcmp(sb->bench, sa->bench) != 0 ||
				    strcmp(sb->param, sa->param) != 0 ||
				    strcmp(sb->clock, sa->clock) != 0 ||
				    (strcmp(sb->target, sa->target) == 0 &&
				     strcmp(sb->config, sa->config) == 0))
					continue;
				fk_compare_pair(&o, sa, sb);
			}
		}
		if (!found)
			fk_die("--base '%s': no such target:config in %s", base, files[0]);
	}
	if (o.csv != NULL && fclose(o.csv) != 0)
		fk_die("%s: write error", csv);
	if (o.compared == 0)
		fk_die("nothing to compare: no series with the same target, config, bench, size, "
		       "param and clock in both (rows of different clocks are never compared)");
	printf("(B/A: ratio of medians; CI: percentile bootstrap, %d resamples; verdict: "
	       "Mann-Whitney U, p < 0.05)\n", FK_BOOT_ITER);
	if (o.failed > 0) {
		printf("%d comparison(s) slower by more than %g%%\n", o.failed, o.fail_above);
		return 1;
	}
	return 0;
}

/* ---- cdf ---- */

static int
fk_cmd_cdf(int argc, char **argv)
{
	const char *bench = NULL, *clock = NULL, *rss = NULL, *path = NULL;
	struct fk_set set = { 0 };
	int nout = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--bench") == 0 && i + 1 < argc)
			bench = argv[++i];
		else if (strcmp(argv[i], "--clock") == 0 && i + 1 < argc)
			clock = argv[++i];
		else if (strcmp(argv[i], "--rss") == 0 && i + 1 < argc)
			rss = argv[++i];
		else if (path == NULL && argv[i][0] != '-')
			path = argv[i];
		else
			fk_die("cdf: unexpected argument '%s'", argv[i]);
	}
	if (bench == NULL || clock == NULL || rss == NULL || path == NULL)
		fk_die("usage: fkstat cdf --bench B --clock K --rss BYTES SAMPLES");
	fk_load_samples(path, &set);
	for (size_t i = 0; i < set.n; i++) {
		struct fk_series *s = &set.s[i];

		if (strcmp(s->bench, bench) != 0 || strcmp(s->clock, clock) != 0 ||
		    s->rss != strtoull(rss, NULL, 10))
			continue;
		fb_sort(s->v, s->n);
		/* One block per series, titled in its first line for columnheader. */
		printf("%s%s:%s%s%s\n", nout ? "\n\n" : "", s->target, s->config,
		       s->param[0] ? " " : "", s->param);
		for (int k = 0; k <= FK_CDF_POINTS; k++) {
			double q = (double)k / FK_CDF_POINTS;

			printf("%.6g %.6g\n", fb_quantile_sorted(s->v, s->n, q) / 1e3, q);
		}
		nout++;
	}
	if (nout == 0)
		fk_die("%s: no samples of %s at rss %s with clock %s", path, bench, rss, clock);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{ "import", fk_cmd_import }, { "check", fk_cmd_check },
		{ "table", fk_cmd_table }, { "compare", fk_cmd_compare },
		{ "cdf", fk_cmd_cdf },
	};

	if (argc < 2)
		fk_die("usage: fkstat import|check|table|compare|cdf ...");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].fn(argc - 1, argv + 1);
	fk_die("unknown command '%s' (import, check, table, compare or cdf)", argv[1]);
}
