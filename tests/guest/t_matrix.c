/*
 * t_matrix: run the guest test programs under many forklab kernel
 * configurations in one boot.
 *
 * Meant to run as /init.  For each configuration (comma-joined key=value
 * words) it first checks that invalid words written to /proc/forklab/config
 * fail with EINVAL and change nothing, then writes the configuration's words,
 * reads the file back to see them in effect, and runs every test program:
 * fork, execve of DIR/NAME, wait.  One line is printed per configuration
 * check and per (configuration, test), then "N passed, N failed"; the exit
 * status is 0 only when everything passed.  Changing tunables at run time
 * costs one boot per group of configurations instead of one per
 * configuration, which is what makes a full matrix affordable under TCG.
 *
 * t_matrix is a child subreaper (as PID 1 on forklab it is init anyway), so
 * orphans a test leaves behind come back to it.  They are reaped before the
 * next test starts, so that no test finds the previous one's processes.
 *
 * Without /proc/forklab (Linux) no configuration can be applied: each test
 * runs once under the running kernel, which checks this runner itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MX_CONFIG_PATH "/proc/forklab/config"

/* Tunables and the values the matrix takes of each. */
struct mx_key {
	const char *mk_name;
	const char *mk_values[3];
	int mk_nvalues;
	bool mk_integer;	/* any decimal value is accepted in a config */
};

/*
 * uarea_pages takes the two ends of the range the kernel accepts (2..16):
 * the smallest kernel stack and the largest u-area allocation.
 */
static const struct mx_key mx_keys[] = {
	{ "cow", { "copy", "cow", "odf" }, 3, false },
	{ "vfork", { "share", "copy" }, 2, false },
	{ "uarea", { "alloc", "cache" }, 2, false },
	{ "uarea_pages", { "2", "16" }, 2, true },
	{ "lwp", { "alloc", "cache" }, 2, false },
	{ "fpu", { "eager", "lazy" }, 2, false },
	{ "childfirst", { "0", "1" }, 2, false },
	{ "trace", { "0", "1" }, 2, false },
};
#define MX_NKEYS (sizeof(mx_keys) / sizeof(mx_keys[0]))

/* The guest tests of the process-creation work, run in this order. */
static const char *const mx_default_tests[] = {
	"t_basic", "t_fork", "t_vfork", "t_clone", "t_thread", "t_wait",
	"t_fd", "t_limits", "t_spawn", "t_cowstress", "t_leak",
};
#define MX_NDEFAULT (sizeof(mx_default_tests) / sizeof(mx_default_tests[0]))

/*
 * Words that the kernel must reject.  The mixed write, a valid word followed
 * by an invalid one, is built at run time (see mx_check_rejects).
 */
static const char *const mx_bad_words[] = {
	"cow=bogus", "nosuchkey=1", "uarea_pages=1", "uarea_pages=17",
	"uarea_pages=x", "fpu=", "childfirst=2", "trace",
};
#define MX_NBAD (sizeof(mx_bad_words) / sizeof(mx_bad_words[0]))

extern char **environ;

static int mx_passed, mx_failed;

static void
mx_write_all(const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(1, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

/*
 * Print one line on fd 1 with write(2): no stdio buffer to be duplicated
 * by fork or interleaved out of order with the tests' own output.
 */
static void __attribute__((format(printf, 1, 2)))
mx_print(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	mx_write_all(buf, (size_t)n);
}

/* Bad usage: one line naming the value and what is accepted, status 2. */
static void __attribute__((format(printf, 1, 2), noreturn))
mx_usage_error(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "t_matrix: %s\n", buf);
	exit(2);
}

static void
mx_result(bool ok)
{
	if (ok)
		mx_passed++;
	else
		mx_failed++;
}

static double
mx_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
mx_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		continue;
}

/* ---- configurations ---- */

static const struct mx_key *
mx_key_find(const char *name, size_t len)
{
	for (size_t i = 0; i < MX_NKEYS; i++)
		if (strlen(mx_keys[i].mk_name) == len &&
		    strncmp(mx_keys[i].mk_name, name, len) == 0)
			return &mx_keys[i];
	return NULL;
}

static void
mx_accepted(const struct mx_key *k, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	if (k->mk_integer) {
		snprintf(buf, size, "a decimal integer");
		return;
	}
	for (int i = 0; i < k->mk_nvalues && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? ", " : "",
		    k->mk_values[i]);
}

/*
 * Checks the syntax of CFG ("key=value,key=value") against the key table;
 * exits with status 2 on an invalid word.  The kernel makes the final
 * decision on values (e.g. the uarea_pages range), and its rejection counts
 * as a failed configuration.
 */
static void
mx_config_check(const char *cfg)
{
	bool seen[MX_NKEYS] = { false };
	const char *p = cfg;

	if (*cfg == '\0')
		mx_usage_error("empty configuration (accepted: key=value,...)");
	if (strlen(cfg) > 200)
		mx_usage_error("configuration '%.40s...' is longer than 200 characters", cfg);
	for (;;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		const struct mx_key *k;
		const char *val;
		size_t vlen;
		bool ok = false;
		char accepted[128];

		if (eq == NULL || eq == p)
			mx_usage_error("configuration word '%.*s' in '%s' is not key=value",
			    (int)len, p, cfg);
		if ((k = mx_key_find(p, (size_t)(eq - p))) == NULL)
			mx_usage_error("unknown key '%.*s' in configuration '%s' (accepted: cow, "
			    "vfork, uarea, uarea_pages, lwp, fpu, childfirst, trace)",
			    (int)(eq - p), p, cfg);
		if (seen[k - mx_keys])
			mx_usage_error("key '%s' given twice in configuration '%s'", k->mk_name, cfg);
		seen[k - mx_keys] = true;
		val = eq + 1;
		vlen = len - (size_t)(val - p);
		if (k->mk_integer) {
			ok = vlen > 0 && strspn(val, "0123456789") >= vlen;
		} else {
			for (int i = 0; i < k->mk_nvalues; i++)
				if (strlen(k->mk_values[i]) == vlen &&
				    strncmp(k->mk_values[i], val, vlen) == 0)
					ok = true;
		}
		if (!ok) {
			mx_accepted(k, accepted, sizeof(accepted));
			mx_usage_error("invalid value '%.*s' for %s in configuration '%s' (accepted: %s)",
			    (int)vlen, val, k->mk_name, cfg, accepted);
		}
		if (end == NULL)
			break;
		p = end + 1;
	}
}

static long
mx_product_size(void)
{
	long n = 1;

	for (size_t i = 0; i < MX_NKEYS; i++)
		n *= mx_keys[i].mk_nvalues;
	return n;
}

/*
 * The configuration with index IDX of the full product of the key table,
 * the last key varying fastest.  Returns a malloc'd string.
 */
static char *
mx_product_config(long idx)
{
	const char *vals[MX_NKEYS];
	char buf[256];
	size_t n = 0;

	for (size_t i = MX_NKEYS; i-- > 0;) {
		vals[i] = mx_keys[i].mk_values[idx % mx_keys[i].mk_nvalues];
		idx /= mx_keys[i].mk_nvalues;
	}
	for (size_t i = 0; i < MX_NKEYS; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s=%s", i ? "," : "",
		    mx_keys[i].mk_name, vals[i]);
	return strdup(buf);
}

/* ---- /proc/forklab/config ---- */

/*
 * Reads the effective configuration into BUF (one line, newline removed).
 * Returns 0 or an errno value.
 */
static int
mx_config_read(char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;
	int fd, error = 0;

	if ((fd = open(MX_CONFIG_PATH, O_RDONLY)) < 0)
		return errno;
	while (len + 1 < size) {
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			error = errno;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		buf[--len] = '\0';
	return error;
}

/*
 * Writes TEXT to /proc/forklab/config in one write(2).  Returns 0, an errno
 * value, or EIO for a short write, which would have split the words.
 */
static int
mx_config_write(const char *text)
{
	size_t len = strlen(text);
	ssize_t n;
	int fd, error = 0;

	if ((fd = open(MX_CONFIG_PATH, O_WRONLY)) < 0)
		return errno;
	n = write(fd, text, len);
	if (n < 0)
		error = errno;
	else if ((size_t)n != len)
		error = EIO;
	close(fd);
	return error;
}

/* Returns true when LINE contains WORD (LEN bytes) as a whole space-separated word. */
static bool
mx_has_word(const char *line, const char *word, size_t len)
{
	const char *p = line;

	while (*p != '\0') {
		size_t wl;

		p += strspn(p, " ");
		wl = strcspn(p, " ");
		if (wl == len && wl > 0 && strncmp(p, word, len) == 0)
			return true;
		p += wl;
	}
	return false;
}

/*
 * Writes each invalid word, then a valid change followed by an invalid word,
 * and checks that each write fails with EINVAL and leaves the configuration
 * as it was.  Returns true when all writes were rejected that way.
 */
static bool
mx_check_rejects(const char *cfg)
{
	char before[512], after[512], mixed[64];
	const char *cur;
	const char *words[MX_NBAD + 1];
	int error;
	bool ok = true;

	if ((error = mx_config_read(before, sizeof(before))) != 0) {
		mx_print("t_matrix: FAIL %s config: read %s: %s\n", cfg, MX_CONFIG_PATH,
		    strerror(error));
		return false;
	}

	/* A cow value other than the current one, so that applying it would show. */
	cur = strstr(before, "cow=");
	snprintf(mixed, sizeof(mixed), "cow=%s nosuchkey=1",
	    cur != NULL && strncmp(cur + 4, "copy", 4) == 0 ? "odf" : "copy");
	for (size_t i = 0; i < MX_NBAD; i++)
		words[i] = mx_bad_words[i];
	words[MX_NBAD] = mixed;

	for (size_t i = 0; i < MX_NBAD + 1; i++) {
		error = mx_config_write(words[i]);
		if (error != EINVAL) {
			mx_print("t_matrix: FAIL %s config: write \"%s\": %s, expected EINVAL\n",
			    cfg, words[i], error ? strerror(error) : "succeeded");
			ok = false;
		}
		if ((error = mx_config_read(after, sizeof(after))) != 0) {
			mx_print("t_matrix: FAIL %s config: read %s: %s\n", cfg,
			    MX_CONFIG_PATH, strerror(error));
			return false;
		}
		if (strcmp(before, after) != 0) {
			mx_print("t_matrix: FAIL %s config: write \"%s\" changed \"%s\" to \"%s\"\n",
			    cfg, words[i], before, after);
			ok = false;
			/* Put the old configuration back so later checks mean something. */
			mx_config_write(before);
		}
	}
	return ok;
}

/*
 * Reads the configuration in effect and checks that it contains every word
 * of CFG; WHAT names the check in failure lines.  Returns true when it does.
 */
static bool
mx_config_shows(const char *what, const char *cfg)
{
	char back[512];
	const char *p = cfg;
	int error;
	bool ok = true;

	if ((error = mx_config_read(back, sizeof(back))) != 0) {
		mx_print("t_matrix: FAIL %s: read %s: %s\n", what, MX_CONFIG_PATH,
		    strerror(error));
		return false;
	}
	for (;;) {
		size_t len = strcspn(p, ",");

		if (!mx_has_word(back, p, len)) {
			mx_print("t_matrix: FAIL %s: read back \"%s\", lacks %.*s\n", what,
			    back, (int)len, p);
			ok = false;
		}
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	return ok;
}

/*
 * Applies CFG and checks that reading the file back shows every one of its
 * words.  Returns true when the configuration is in effect.
 */
static bool
mx_config_apply(const char *cfg)
{
	char text[256], what[256];
	int error;

	snprintf(text, sizeof(text), "%s", cfg);
	for (char *c = text; *c != '\0'; c++)
		if (*c == ',')
			*c = ' ';
	if ((error = mx_config_write(text)) != 0) {
		mx_print("t_matrix: FAIL %s config: write \"%s\": %s\n", cfg, text,
		    strerror(error));
		return false;
	}
	snprintf(what, sizeof(what), "%s config", cfg);
	return mx_config_shows(what, cfg);
}

/* ---- running one test ---- */

static void
mx_describe(int status, char *buf, size_t size)
{
	if (WIFEXITED(status))
		snprintf(buf, size, "exit status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "killed by signal %d (%s)", WTERMSIG(status),
		    strsignal(WTERMSIG(status)));
	else
		snprintf(buf, size, "wait status 0x%x", status);
}

/*
 * Reaps the orphans that came back to us, waiting for live ones until
 * DEADLINE (monotonic seconds).  Returns true when none is left.
 */
static bool
mx_reap_orphans(const char *cfg, const char *test, double deadline)
{
	char how[64];
	long ms = 1;
	int status;

	for (;;) {
		pid_t r = waitpid(-1, &status, WNOHANG);

		if (r > 0) {
			mx_describe(status, how, sizeof(how));
			mx_print("t_matrix: note: %s %s left orphan pid %d, reaped (%s)\n",
			    cfg, test, (int)r, how);
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == ECHILD)
			return true;
		if (r < 0) {
			mx_print("t_matrix: FAIL %s %s: waitpid(-1): %s\n", cfg, test,
			    strerror(errno));
			return false;
		}
		if (mx_now() > deadline) {
			mx_print("t_matrix: FAIL %s %s: orphans still running at the deadline\n",
			    cfg, test);
			return false;
		}
		mx_sleep_ms(ms);
		if (ms < 50)
			ms *= 2;
	}
}

/*
 * Runs DIR/TEST in its own process group and waits for it, for at most
 * TIMEOUT seconds (then the group is killed).  Prints the result line and
 * returns true when the test passed and left nothing running.
 */
static bool
mx_run_test(const char *cfg, const char *dir, const char *test, long timeout)
{
	char path[PATH_MAX], how[96];
	double start, deadline;
	bool timed_out = false, clean;
	long ms = 1;
	int status = 0;
	pid_t pid, r;

	snprintf(path, sizeof(path), "%s/%s", dir, test);
	start = mx_now();
	deadline = start + (double)timeout;
	if ((pid = fork()) < 0) {
		mx_print("t_matrix: FAIL %s %s: fork: %s\n", cfg, test, strerror(errno));
		return false;
	}
	if (pid == 0) {
		char *argv[] = { path, NULL };

		/* Own group: a timeout kills the test with all its children. */
		setpgid(0, 0);
		execve(path, argv, environ);
		mx_print("t_matrix: execve %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);	/* also from here: whichever runs first */

	/*
	 * Poll rather than block: forklab has no alarm(2) or setitimer(2) to
	 * interrupt a blocking wait at the timeout.  The back-off from 1 ms to 10 ms keeps
	 * the added latency and the wake-ups taken from the test small.
	 */
	for (;;) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			mx_print("t_matrix: FAIL %s %s: waitpid(%d): %s\n", cfg, test, (int)pid,
			    strerror(errno));
			return false;
		}
		if (mx_now() > deadline) {
			timed_out = true;
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			while ((r = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
				continue;
			break;
		}
		mx_sleep_ms(ms);
		if (ms < 10)
			ms *= 2;
	}
	mx_describe(status, how, sizeof(how));
	if (timed_out)
		mx_print("t_matrix: FAIL %s %s (timed out after %ld s, %s)\n", cfg, test,
		    timeout, how);
	else
		mx_print("t_matrix: %s %s %s (%s, %.0f ms)\n",
		    status == 0 ? "pass" : "FAIL", cfg, test, how, (mx_now() - start) * 1e3);

	/* Orphans get a 30 s window of their own, apart from the test's timeout. */
	clean = mx_reap_orphans(cfg, test, mx_now() + 30.0);
	return !timed_out && status == 0 && clean;
}

/* ---- arguments ---- */

static long
mx_number(const char *opt, const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		mx_usage_error("%s: invalid value '%s' (accepted: an integer from %ld to %ld)",
		    opt, s, min, max);
	return v;
}

/*
 * Parses "I/K" and appends slice I (1..K) of the full product cut into K
 * nearly equal slices: [(I-1)*N/K, I*N/K).  Slices rather than index
 * ranges let a build split the matrix without knowing its size N.
 */
static void
mx_add_slice(const char *arg, char **cfgs, int *ncfg)
{
	long n = mx_product_size(), part, parts;
	char buf[64], *slash;

	snprintf(buf, sizeof(buf), "%s", arg);
	if ((slash = strchr(buf, '/')) == NULL)
		mx_usage_error("--slice: invalid value '%s' (accepted: I/K with 1 <= I <= K <= %ld)",
		    arg, n);
	*slash = '\0';
	parts = mx_number("--slice K", slash + 1, 1, n);
	part = mx_number("--slice I", buf, 1, parts);
	for (long i = (part - 1) * n / parts; i < part * n / parts; i++)
		cfgs[(*ncfg)++] = mx_product_config(i);
}

/*
 * Checks that the configuration in effect before any write contains every
 * word of CFG, which the kernel can only have taken from its command line.
 */
static bool
mx_check_boot(const char *cfg)
{
	bool ok = mx_config_shows("boot config", cfg);

	mx_print("t_matrix: %s %s boot config (%s)\n", ok ? "pass" : "FAIL", cfg,
	    ok ? "in effect from the kernel command line" : "not in effect");
	return ok;
}

/* Splits "a,b,c" into TESTS (pointers into a copy of ARG). */
static int
mx_parse_tests(const char *arg, const char **tests, int max)
{
	char *copy = strdup(arg), *save = NULL, *name;
	int n = 0;

	if (*arg == '\0' || arg[strlen(arg) - 1] == ',' || strstr(arg, ",,") || *arg == ',')
		mx_usage_error("--tests: invalid list '%s' (accepted: NAME,NAME,... of programs "
		    "in the test directory)", arg);
	for (name = strtok_r(copy, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		if (strchr(name, '/') != NULL || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			mx_usage_error("--tests: invalid name '%s' (accepted: a program name without '/')",
			    name);
		if (n == max)
			mx_usage_error("--tests: more than %d names", max);
		tests[n++] = name;
	}
	return n;
}

static void
mx_print_keys(void)
{
	for (size_t i = 0; i < MX_NKEYS; i++) {
		printf("%s", mx_keys[i].mk_name);
		for (int j = 0; j < mx_keys[i].mk_nvalues; j++)
			printf(" %s", mx_keys[i].mk_values[j]);
		printf("\n");
	}
}

static void
mx_usage(FILE *f)
{
	fprintf(f,
	    "usage: t_matrix [--dir DIR] [--tests NAME,...] [--timeout S]\n"
	    "                [--expect CONFIG] [--slice I/K] [CONFIG...]\n"
	    "       t_matrix --keys\n"
	    "       t_matrix --list [--slice I/K] [CONFIG...]\n"
	    "CONFIG is key=value,key=value (forklab tunables).  --expect checks that\n"
	    "CONFIG is in effect at start (from the kernel command line).  --slice adds\n"
	    "slice I of K of the full product of the values --keys prints (%ld\n"
	    "configurations, the last key varying fastest).  Without configurations the\n"
	    "tests run once under the current one.  Tests are found in DIR (default /bin\n"
	    "on forklab, else the directory of this program).  --list prints the\n"
	    "configurations instead of running them; --keys prints the key table.\n", mx_product_size());
}

/* The directory this program was started from (host runs). */
static void
mx_self_dir(char *buf, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);
	char *slash;

	if (n <= 0) {
		snprintf(buf, size, ".");
		return;
	}
	buf[n] = '\0';
	if ((slash = strrchr(buf, '/')) != NULL && slash != buf)
		*slash = '\0';
}

/* Options and configurations from the command line. */
struct mx_opts {
	const char *mo_tests[64];
	int mo_ntests;
	const char *mo_dir;		/* NULL: the default directory */
	const char *mo_expect;		/* --expect CONFIG, or NULL */
	long mo_timeout;		/* seconds a test may run */
	char **mo_cfgs;
	int mo_ncfg;
	bool mo_list;
};

/*
 * Parses the command line into O.  Exits with status 2 on bad usage, and
 * with 0 after --keys or --help.
 */
static void
mx_parse_args(int argc, char **argv, struct mx_opts *o)
{
	bool sliced = false;

	o->mo_timeout = 300;
	o->mo_cfgs = calloc((size_t)(mx_product_size() + argc), sizeof(*o->mo_cfgs));
	if (o->mo_cfgs == NULL)
		mx_usage_error("out of memory");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--keys") == 0) {
			if (argc != 2)
				mx_usage_error("--keys takes no other argument");
			mx_print_keys();
			exit(0);
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			mx_usage(stdout);
			exit(0);
		} else if (strcmp(a, "--list") == 0) {
			o->mo_list = true;
		} else if (strcmp(a, "--dir") == 0 || strcmp(a, "--tests") == 0 ||
		    strcmp(a, "--timeout") == 0 || strcmp(a, "--slice") == 0 ||
		    strcmp(a, "--expect") == 0) {
			if (i + 1 >= argc)
				mx_usage_error("%s: missing value", a);
			if (strcmp(a, "--dir") == 0) {
				o->mo_dir = argv[++i];
			} else if (strcmp(a, "--tests") == 0) {
				o->mo_ntests = mx_parse_tests(argv[++i], o->mo_tests, 64);
			} else if (strcmp(a, "--timeout") == 0) {
				o->mo_timeout = mx_number("--timeout", argv[++i], 1, 86400);
			} else if (strcmp(a, "--expect") == 0) {
				o->mo_expect = argv[++i];
				mx_config_check(o->mo_expect);
			} else if (sliced) {
				mx_usage_error("--slice: given more than once");
			} else {
				sliced = true;
				mx_add_slice(argv[++i], o->mo_cfgs, &o->mo_ncfg);
			}
		} else if (a[0] == '-') {
			mx_usage_error("unknown option '%s' (accepted: --dir, --tests, --timeout, "
			    "--expect, --slice, --list, --keys, --help)", a);
		} else {
			mx_config_check(a);
			o->mo_cfgs[o->mo_ncfg++] = argv[i];
		}
	}
	if (o->mo_ntests == 0) {
		for (size_t t = 0; t < MX_NDEFAULT; t++)
			o->mo_tests[o->mo_ntests++] = mx_default_tests[t];
	}
}

/*
 * Checks the rejection of invalid words, applies configuration C of O and
 * runs every test under it.  Tests of a configuration not in effect are
 * counted as failed without running.
 */
static void
mx_run_config(const struct mx_opts *o, int c)
{
	const char *cfg = o->mo_cfgs[c];
	bool rejects = mx_check_rejects(cfg);
	bool applied = mx_config_apply(cfg);

	mx_result(rejects && applied);
	mx_print("t_matrix: %s %s config (%d/%d: %s)\n", rejects && applied ? "pass" : "FAIL",
	    cfg, c + 1, o->mo_ncfg, !applied ? "not in effect" :
	    !rejects ? "invalid writes not rejected" : "applied, invalid writes rejected");
	for (int i = 0; i < o->mo_ntests; i++) {
		if (!applied) {
			mx_print("t_matrix: FAIL %s %s (not run: configuration not in effect)\n",
			    cfg, o->mo_tests[i]);
			mx_result(false);
			continue;
		}
		mx_result(mx_run_test(cfg, o->mo_dir, o->mo_tests[i], o->mo_timeout));
	}
}

int
main(int argc, char **argv)
{
	struct mx_opts o = { 0 };
	char dirbuf[PATH_MAX];
	bool forklab;

	mx_parse_args(argc, argv, &o);
	if (o.mo_list) {
		for (int c = 0; c < o.mo_ncfg; c++)
			printf("%s\n", o.mo_cfgs[c]);
		return 0;
	}

	forklab = access(MX_CONFIG_PATH, F_OK) == 0;
	if (o.mo_dir == NULL && forklab) {
		o.mo_dir = "/bin";
	} else if (o.mo_dir == NULL) {
		mx_self_dir(dirbuf, sizeof(dirbuf));
		o.mo_dir = dirbuf;
	}
	if (!forklab && (o.mo_ncfg > 0 || o.mo_expect != NULL)) {
		mx_print("t_matrix: note: no %s: configurations ignored, each test "
		    "runs once under this kernel\n", MX_CONFIG_PATH);
		o.mo_ncfg = 0;
		o.mo_expect = NULL;
	}

	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
		mx_print("t_matrix: FAIL prctl(PR_SET_CHILD_SUBREAPER): %s\n", strerror(errno));
		mx_result(false);
	}
	mx_print("t_matrix: %d configuration%s x %d test%s from %s\n",
	    o.mo_ncfg ? o.mo_ncfg : 1, o.mo_ncfg > 1 ? "s" : "", o.mo_ntests,
	    o.mo_ntests > 1 ? "s" : "", o.mo_dir);

	if (o.mo_expect != NULL)
		mx_result(mx_check_boot(o.mo_expect));
	if (o.mo_ncfg == 0) {
		for (int i = 0; i < o.mo_ntests; i++)
			mx_result(mx_run_test(forklab ? "current" : "host", o.mo_dir,
			    o.mo_tests[i], o.mo_timeout));
	}
	for (int c = 0; c < o.mo_ncfg; c++)
		mx_run_config(&o, c);
	mx_print("%d passed, %d failed\n", mx_passed, mx_failed);
	return mx_failed == 0 ? 0 : 1;
}
