/*
 * forkbench: process-creation microbenchmarks, measured the same way as
 * /init of the forklab kernel, as /init of a Linux guest and as a host
 * program.
 *
 * As PID 1 it adopts orphans, so it reaps any child between rows, and it
 * ends by powering the machine off with its exit status as reboot's fourth
 * argument (forklab turns that into QEMU's exit status; Linux ignores it).
 * It relies on neither /proc nor /dev, which a Linux guest's initramfs may
 * lack.
 */
#include "forkbench.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* reboot(2)'s magic numbers; musl has no <linux/reboot.h>. */
#define REBOOT_MAGIC1		0xfee1deadL
#define REBOOT_MAGIC2		672274793L

#define EXIT_USAGE		2
#define TIMER_SAMPLES		1000
#define DEFAULT_EXEC		"/bin/nop"
#define DEFAULT_RSS		"0,1M,16M,256M,1G"
#define QUICK_RSS		"0,1M,16M"

/* Defaults: normal runs, then --quick runs (fast harness checks). */
struct defaults {
	const char *rss;
	unsigned long warmup, min_iter, max_iter;
	double max_time, ci_width;
};
static const struct defaults normal_defaults = { DEFAULT_RSS, 10, 50, 100000, 5.0, 2.0 };
static const struct defaults quick_defaults = { QUICK_RSS, 3, 10, 2000, 0.5, 5.0 };

const char *
fb_errno_name(int err)
{
	static char buf[24];

	switch (err) {
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case ESRCH: return "ESRCH";
	case EINTR: return "EINTR";
	case EIO: return "EIO";
	case E2BIG: return "E2BIG";
	case ENOEXEC: return "ENOEXEC";
	case EBADF: return "EBADF";
	case ECHILD: return "ECHILD";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case ENOTDIR: return "ENOTDIR";
	case EISDIR: return "EISDIR";
	case EINVAL: return "EINVAL";
	case EMFILE: return "EMFILE";
	case ENFILE: return "ENFILE";
	case ETXTBSY: return "ETXTBSY";
	case EPIPE: return "EPIPE";
	case ENOSYS: return "ENOSYS";
	case ELOOP: return "ELOOP";
	case ENAMETOOLONG: return "ENAMETOOLONG";
	default:
		snprintf(buf, sizeof(buf), "errno %d", err);
		return buf;
	}
}

static void __attribute__((noreturn)) finish(int status);

/*
 * Exits after --help, --list or bad usage.  PID 1 must not just exit (Linux
 * panics when init exits), so it powers off through finish.
 */
static void __attribute__((noreturn))
leave(int status)
{
	if (getpid() == 1)
		finish(status);
	exit(status);
}

static void
usage(FILE *f)
{
	fprintf(f,
"usage: forkbench [options]\n"
"Measures process and thread creation; CSV on stdout, a table in µs on stderr.\n"
"\n"
"  --bench LIST      comma-separated benchmarks (default: all; see --list)\n"
"  --rss LIST        parent sizes in bytes, suffixes K, M, G are binary; the\n"
"                    parent maps and writes this much anonymous memory\n"
"                    (default " DEFAULT_RSS ", --quick " QUICK_RSS ")\n"
"  --warmup N        unmeasured iterations before each row (default 10, --quick 3)\n"
"  --min-iter N      measured iterations at least, whatever the time cap\n"
"                    (default 50, --quick 10)\n"
"  --max-iter N      measured iterations at most (default 100000, --quick 2000)\n"
"  --ci-width PCT    stop when the 95%% CI of the median is at most PCT percent\n"
"                    of the median (default 2, --quick 5; 0 never stops early)\n"
"  --max-time SEC    time cap in seconds for one row with an empty parent; a\n"
"                    row gets SEC more for every 256 MiB of parent (default 5,\n"
"                    --quick 0.5); warm-up and parent setup are not counted\n"
"  --pages K         pages the cow_touch child writes (default: all pages of\n"
"                    the parent, at most 4096); the cow_touch row is ns per\n"
"                    page written, param pages=K; it is skipped at rss 0\n"
"  --procs N         forking processes of throughput (default 2, at most %d);\n"
"                    the row is wall-clock ns per fork, forks/s on stderr\n"
"  --exec PATH       program that fork_exec, vfork_exec and posix_spawn run\n"
"                    (default " DEFAULT_EXEC ")\n"
"  --samples         also print every sample after the summary rows\n"
"  --quick           small defaults for fast runs (options given win)\n"
"  --list            list the benchmarks and exit\n"
"  --help            print this help and exit\n"
"\n"
"Times are ns from clock_gettime(CLOCK_MONOTONIC); the timer_overhead row is\n"
"the cost of one clock read.  Exit status: 0 success, 1 a benchmark failed,\n"
"2 bad usage.  As PID 1 it powers the machine off with the exit status.\n",
		FB_MAX_PROCS);
}

static void
list_benchmarks(void)
{
	for (size_t i = 0; i < fb_ncases; i++)
		printf("%-12s %s\n", fb_cases[i].name, fb_cases[i].desc);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
bad_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("forkbench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n", stderr);
	leave(EXIT_USAGE);
}

/* Parses a non-negative decimal count no larger than max. */
static unsigned long
parse_count(const char *opt, const char *s, unsigned long min, unsigned long max)
{
	unsigned long long v;
	char *end;

	errno = 0;
	if (*s < '0' || *s > '9' || (v = strtoull(s, &end, 10), *end != '\0') ||
	    errno != 0 || v < min || v > max) {
		if (max == ULONG_MAX)
			bad_usage("%s: bad value '%s' (accepted: an integer >= %lu)", opt, s, min);
		bad_usage("%s: bad value '%s' (accepted: an integer from %lu to %lu)", opt, s,
			  min, max);
	}
	return (unsigned long)v;
}

/* Parses a decimal number in [min, max]. */
static double
parse_number(const char *opt, const char *s, double min, double max, const char *unit)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end != '\0' || errno != 0 || !isfinite(v) || v < min || v > max)
		bad_usage("%s: bad value '%s' (accepted: %s from %g to %g)", opt, s, unit,
			  min, max);
	return v;
}

static void
parse_rss(struct fb_opts *o, const char *list)
{
	char buf[512], *tok, *save = NULL;

	if (strlen(list) >= sizeof(buf))
		bad_usage("--rss: list too long (accepted: at most %d sizes)", FB_MAX_RSS);
	snprintf(buf, sizeof(buf), "%s", list);
	o->nrss = 0;
	if (buf[0] == '\0' || buf[strlen(buf) - 1] == ',' || strstr(buf, ",,") != NULL)
		bad_usage("--rss: bad list '%s' (accepted: sizes like 0,1M,16M separated by commas)",
			  list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (o->nrss == FB_MAX_RSS)
			bad_usage("--rss: too many sizes (accepted: at most %d)", FB_MAX_RSS);
		if (fb_parse_size(tok, &o->rss[o->nrss]) != 0)
			bad_usage("--rss: bad size '%s' (accepted: bytes with an optional K, M or G suffix)",
				  tok);
		o->nrss++;
	}
}

static void
parse_bench(struct fb_opts *o, const char *list)
{
	char buf[512], *tok, *save = NULL;
	size_t i;

	if (strlen(list) >= sizeof(buf) || list[0] == '\0')
		bad_usage("--bench: bad list '%s' (see --list)", list);
	snprintf(buf, sizeof(buf), "%s", list);
	o->bench_mask = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < fb_ncases; i++)
			if (strcmp(tok, fb_cases[i].name) == 0)
				break;
		if (i == fb_ncases) {
			char names[256] = "";

			for (i = 0; i < fb_ncases; i++) {
				strcat(names, i ? "," : "");
				strcat(names, fb_cases[i].name);
			}
			bad_usage("--bench: unknown benchmark '%s' (accepted: %s)", tok, names);
		}
		o->bench_mask |= 1u << i;
	}
	if (o->bench_mask == 0)
		bad_usage("--bench: bad list '%s' (see --list)", list);
}

enum {
	OPT_BENCH = 256, OPT_RSS, OPT_WARMUP, OPT_MIN_ITER, OPT_MAX_ITER, OPT_CI_WIDTH,
	OPT_MAX_TIME, OPT_PAGES, OPT_PROCS, OPT_EXEC, OPT_SAMPLES, OPT_QUICK, OPT_LIST,
	OPT_HELP,
};

static const struct option long_options[] = {
	{ "bench", required_argument, NULL, OPT_BENCH },
	{ "rss", required_argument, NULL, OPT_RSS },
	{ "warmup", required_argument, NULL, OPT_WARMUP },
	{ "min-iter", required_argument, NULL, OPT_MIN_ITER },
	{ "max-iter", required_argument, NULL, OPT_MAX_ITER },
	{ "ci-width", required_argument, NULL, OPT_CI_WIDTH },
	{ "max-time", required_argument, NULL, OPT_MAX_TIME },
	{ "pages", required_argument, NULL, OPT_PAGES },
	{ "procs", required_argument, NULL, OPT_PROCS },
	{ "exec", required_argument, NULL, OPT_EXEC },
	{ "samples", no_argument, NULL, OPT_SAMPLES },
	{ "quick", no_argument, NULL, OPT_QUICK },
	{ "list", no_argument, NULL, OPT_LIST },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

/*
 * Parses argv into o.  Options given explicitly override the --quick
 * defaults wherever they appear.  Exits 0 after --help or --list and 2 on
 * bad usage.
 */
static void
parse_options(int argc, char **argv, struct fb_opts *o)
{
	const struct defaults *d;
	int given_rss = 0, given_warmup = 0, given_min = 0, given_max = 0;
	int given_ci = 0, given_time = 0, quick = 0, opt;
	unsigned long max_procs = FB_MAX_PROCS;

	memset(o, 0, sizeof(*o));
	o->bench_mask = (1u << fb_ncases) - 1;
	o->procs = 2;
	o->exec_path = DEFAULT_EXEC;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
		switch (opt) {
		case OPT_BENCH: parse_bench(o, optarg); break;
		case OPT_RSS: parse_rss(o, optarg); given_rss = 1; break;
		case OPT_WARMUP:
			o->warmup = parse_count("--warmup", optarg, 0, ULONG_MAX);
			given_warmup = 1;
			break;
		case OPT_MIN_ITER:
			o->min_iter = parse_count("--min-iter", optarg, 1, ULONG_MAX);
			given_min = 1;
			break;
		case OPT_MAX_ITER:
			o->max_iter = parse_count("--max-iter", optarg, 1, ULONG_MAX);
			given_max = 1;
			break;
		case OPT_CI_WIDTH:
			o->ci_width = parse_number("--ci-width", optarg, 0, 1000, "a percentage");
			given_ci = 1;
			break;
		case OPT_MAX_TIME:
			o->max_time = parse_number("--max-time", optarg, 0.001, 86400, "seconds");
			given_time = 1;
			break;
		case OPT_PAGES:
			o->pages = parse_count("--pages", optarg, 1, ULONG_MAX);
			break;
		case OPT_PROCS:
			o->procs = parse_count("--procs", optarg, 1, max_procs);
			break;
		case OPT_EXEC:
			if (optarg[0] == '\0')
				bad_usage("--exec: empty path (accepted: the path of a program)");
			o->exec_path = optarg;
			break;
		case OPT_SAMPLES: o->samples = 1; break;
		case OPT_QUICK: quick = 1; break;
		case OPT_LIST: list_benchmarks(); leave(0);
		case OPT_HELP: usage(stdout); leave(0);
		case ':':
			bad_usage("%s: missing value (see --help)", argv[optind - 1]);
		default:
			if (optopt != 0)
				bad_usage("%s: missing value (see --help)", argv[optind - 1]);
			bad_usage("unknown option '%s' (see --help)", argv[optind - 1]);
		}
	}
	if (optind < argc)
		bad_usage("unexpected argument '%s' (options start with --; see --help)",
			  argv[optind]);

	d = quick ? &quick_defaults : &normal_defaults;
	if (!given_rss)
		parse_rss(o, d->rss);
	if (!given_warmup)
		o->warmup = d->warmup;
	if (!given_min)
		o->min_iter = d->min_iter;
	if (!given_max)
		o->max_iter = d->max_iter;
	if (!given_ci)
		o->ci_width = d->ci_width;
	if (!given_time)
		o->max_time = d->max_time;
	if (o->max_iter < o->min_iter)
		bad_usage("--max-iter %lu is below --min-iter %lu (accepted: max-iter >= min-iter)",
			  o->max_iter, o->min_iter);
}

/* As PID 1, collects orphans reparented to us; no-op when none are left. */
static void
reap_orphans(void)
{
	int status;

	if (getpid() != 1)
		return;
	while (waitpid(-1, &status, WNOHANG) > 0)
		;
}

/*
 * Gives PID 1 a console when the kernel started it with fds 0-2 closed (a
 * Linux initramfs without /dev/console).  Best effort: every step may fail
 * and is then left alone, because there is nowhere to report it.
 */
static void
open_console_if_closed(void)
{
	int fd;

	if (getpid() != 1 || fcntl(1, F_GETFD) >= 0 || fcntl(2, F_GETFD) >= 0)
		return;
	(void)mkdir("/dev", 0755);
	(void)mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	fd = open("/dev/console", O_RDWR | O_NOCTTY);
	if (fd < 0)
		return;
	while (fd >= 0 && fd < 2)
		fd = dup(fd);
	for (int i = 0; i < 3; i++)
		if (fcntl(i, F_GETFD) < 0)
			(void)dup2(fd, i);
	if (fd > 2)
		(void)close(fd);
}

/*
 * Ends forkbench with status: prints `forkbench: exit N` as the last line of
 * stderr and, as PID 1, powers the machine off with reboot(POWER_OFF, N).
 */
static void __attribute__((noreturn))
finish(int status)
{
	fflush(stdout);
	fprintf(stderr, "forkbench: exit %d\n", status);
	fflush(stderr);
	if (getpid() == 1) {
		reap_orphans();
		/* The raw call, because libc's reboot() has no argument slot. */
		syscall(SYS_reboot, REBOOT_MAGIC1, REBOOT_MAGIC2, (long)RB_POWER_OFF,
			(long)status);
		fprintf(stderr, "forkbench: reboot(POWER_OFF): %s (%s)\nforkbench: exit %d\n",
			strerror(errno), fb_errno_name(errno), status);
	}
	_exit(status);
}

/*
 * Runs case c at one parent size and prints its rows.  Returns 0, or 1
 * when the case failed (its message is on stderr).
 */
static int
run_case(const struct fb_opts *o, const struct fb_case *c, struct fb_region *region,
	 uint64_t rss, struct fb_trace *trace)
{
	struct fb_result res;
	struct fb_run run;
	int rc;

	memset(&res, 0, sizeof(res));
	memset(&run, 0, sizeof(run));
	run.opts = o;
	run.region = region;
	run.go_fd = run.done_fd = -1;
	for (int r = 0; r < FB_MAX_ROWS; r++)
		snprintf(run.param[r], sizeof(run.param[r]), "-");
	if (c->reads_trace && trace->enabled) {
		fb_trace_reset(trace);
		run.trace = trace;
	}

	rc = fb_measure(c, &run, &res);
	if (rc == 1)
		fprintf(stderr, "%-14s %6llu %s\n", c->name, (unsigned long long)rss, run.err);
	else if (rc != 0)
		fprintf(stderr, "forkbench: %s at rss %llu failed: %s\n", c->name,
			(unsigned long long)rss, run.err);
	else {
		fb_report_rows(c, rss, &run, &res);
		if (run.trace != NULL)
			fb_report_phases(rss, &run, trace);
		if (o->samples &&
		    fb_report_save_samples(c->name, rss, &run, &res, c->nrows) != 0) {
			fprintf(stderr, "forkbench: %s: out of memory keeping samples\n", c->name);
			rc = -1;
		}
	}
	if (run.trace != NULL)
		fb_trace_reset(trace);
	fb_result_free(&res);
	reap_orphans();
	return rc < 0;
}

int
main(int argc, char **argv)
{
	static struct fb_trace trace;
	double timer[TIMER_SAMPLES];
	struct timespec ts;
	struct fb_opts o;
	int failed = 0;

	open_console_if_closed();
	parse_options(argc, argv, &o);

	/*
	 * An inherited SIG_IGN for SIGCHLD would make the kernel reap children
	 * itself and wait4 fail with ECHILD; a closed pipe must be an EPIPE
	 * error, not a fatal signal.
	 */
	if (signal(SIGCHLD, SIG_DFL) == SIG_ERR || signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
		fprintf(stderr, "forkbench: signal: %s\n", strerror(errno));
		finish(1);
	}
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
		fprintf(stderr, "forkbench: clock_gettime(CLOCK_MONOTONIC): %s (%s)\n",
			strerror(errno), fb_errno_name(errno));
		finish(1);
	}
	trace.enabled = fb_trace_detect();

	fb_report_header();
	fb_timer_overhead(timer, TIMER_SAMPLES);
	fb_report_timer(timer, TIMER_SAMPLES);

	/* Sizes outermost, so that each parent region is mapped and written once. */
	for (size_t i = 0; i < o.nrss; i++) {
		struct fb_region region;
		char err[256];

		if (fb_region_map(&region, o.rss[i], err, sizeof(err)) != 0) {
			fprintf(stderr, "forkbench: rss %llu: %s\n",
				(unsigned long long)o.rss[i], err);
			failed = 1;
			continue;
		}
		for (size_t k = 0; k < fb_ncases; k++)
			if (o.bench_mask & (1u << k))
				failed |= run_case(&o, &fb_cases[k], &region, region.bytes,
						   &trace);
		fb_region_unmap(&region);
	}
	fb_report_samples();
	finish(failed ? 1 : 0);
}
