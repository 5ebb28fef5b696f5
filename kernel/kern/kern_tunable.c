/*
 * Tunables of the process-creation path, fault injection, and the fork
 * phase trace.  The same key=value words come from the kernel command
 * line and from writes to /proc/forklab/config.
 */
#include <sys/types.h>
#include <sys/systm.h>
#include <sys/tunable.h>

struct tunables tun = {
	.cow = COW_COW,
	.vfork = VFORK_SHARE,
	.uarea = ALLOC_CACHE,
	.uarea_pages = 4,
	.lwp = ALLOC_CACHE,
	.fpu = FPU_EAGER,
	.childfirst = 0,
	.trace = 0,
};

struct fork_trace fork_trace;
const char *const fork_phase_names[PH_NPHASES] = {
	"limits", "uarea", "proc", "files", "cwd_limits_sigs", "vmspace",
	"lwp_create", "hooks_lists", "runnable", "vfork_wait",
};

static const char *const cow_names[] = { "copy", "cow", "odf" };
static const char *const vfork_names[] = { "share", "copy" };
static const char *const cache_names[] = { "alloc", "cache" };
static const char *const fpu_names[] = { "eager", "lazy" };
static const char *const bool_names[] = { "0", "1" };
static const char *const failsite_names[FP_NSITES] = {
	"uarea", "proc", "lwp", "ptp", "page", "files", "cwd", "limits", "sigacts",
};

/* Fault injection state: the site armed and how many allocations remain before it fails. */
static int failpoint_site = -1;
static uint64_t failpoint_countdown;
/* Set by the boot-time key panic_at=boot (harness tests of the panic path). */
bool panic_at_boot;

/* Set while the kernel builds init, whose allocations are not part of any fork. */
static bool failpoint_held;

void
failpoint_hold(bool hold)
{
	failpoint_held = hold;
}

bool
failpoint_hit(enum failsite site)
{
	if (failpoint_site != (int)site || failpoint_held)
		return false;
	if (--failpoint_countdown > 0)
		return false;
	failpoint_site = -1;
	return true;
}

struct tunable_key {
	const char	*tk_name;
	const char *const *tk_values;	/* NULL: an integer */
	int		tk_nvalues;
	int		*tk_ptr;
	int		tk_min, tk_max;
};

static const struct tunable_key keys[] = {
	{ "cow", cow_names, 3, (int *)&tun.cow, 0, 0 },
	{ "vfork", vfork_names, 2, (int *)&tun.vfork, 0, 0 },
	{ "uarea", cache_names, 2, (int *)&tun.uarea, 0, 0 },
	{ "uarea_pages", NULL, 0, &tun.uarea_pages, UAREA_PAGES_MIN, UAREA_PAGES_MAX },
	{ "lwp", cache_names, 2, (int *)&tun.lwp, 0, 0 },
	{ "fpu", fpu_names, 2, (int *)&tun.fpu, 0, 0 },
	{ "childfirst", bool_names, 2, &tun.childfirst, 0, 0 },
	{ "trace", bool_names, 2, &tun.trace, 0, 0 },
};

static void
accepted_values(const struct tunable_key *k, char *buf, size_t size)
{
	size_t n = 0;

	if (k->tk_values == NULL) {
		snprintf(buf, size, "an integer from %d to %d", k->tk_min, k->tk_max);
		return;
	}
	buf[0] = '\0';
	for (int i = 0; i < k->tk_nvalues; i++)
		n += snprintf(buf + n, n < size ? size - n : 0, "%s%s",
		    i ? ", " : "", k->tk_values[i]);
}

/* Parses "SITE:N" for failpoint=; returns 0 or -1. */
static int
parse_failpoint(const char *v, int *site, uint64_t *count)
{
	const char *colon = strchr(v, ':');

	if (colon == NULL)
		return -1;
	for (int i = 0; i < FP_NSITES; i++) {
		size_t len = strlen(failsite_names[i]);

		if ((size_t)(colon - v) == len && strncmp(v, failsite_names[i], len) == 0) {
			*site = i;
			return parse_u64(colon + 1, count) == 0 && *count > 0 ? 0 : -1;
		}
	}
	return -1;
}

/*
 * Checks one word, and applies it when `apply` is set.  Returns 0 or
 * EINVAL with a message in `err`.
 */
static int
tunable_word(const char *word, bool apply, char *err, size_t errlen)
{
	char key[32], accepted[96];
	const char *eq = strchr(word, '=');
	const char *val;
	size_t klen;

	if (eq == NULL || eq == word || (size_t)(eq - word) >= sizeof(key)) {
		snprintf(err, errlen, "invalid tunable word '%s': expected key=value", word);
		return EINVAL;
	}
	klen = eq - word;
	memcpy(key, word, klen);
	key[klen] = '\0';
	val = eq + 1;

	if (strcmp(key, "failpoint") == 0) {
		int site;
		uint64_t count;

		if (strcmp(val, "off") == 0) {
			if (apply)
				failpoint_site = -1;
			return 0;
		}
		if (parse_failpoint(val, &site, &count) != 0) {
			snprintf(err, errlen, "invalid value '%s' for failpoint: expected SITE:N "
			    "with N >= 1 and SITE one of uarea, proc, lwp, ptp, page, files, cwd, "
			    "limits, sigacts, or off", val);
			return EINVAL;
		}
		if (apply) {
			failpoint_site = site;
			failpoint_countdown = count;
		}
		return 0;
	}
	if (strcmp(key, "panic_at") == 0) {
		if (strcmp(val, "boot") != 0) {
			snprintf(err, errlen, "invalid value '%s' for panic_at: accepted: boot", val);
			return EINVAL;
		}
		if (apply)
			panic_at_boot = true;
		return 0;
	}
	for (size_t i = 0; i < nitems(keys); i++) {
		const struct tunable_key *k = &keys[i];

		if (strcmp(key, k->tk_name) != 0)
			continue;
		if (k->tk_values == NULL) {
			uint64_t n;

			if (parse_u64(val, &n) == 0 && n >= (uint64_t)k->tk_min && n <= (uint64_t)k->tk_max) {
				if (apply)
					*k->tk_ptr = (int)n;
				return 0;
			}
		} else {
			for (int j = 0; j < k->tk_nvalues; j++) {
				if (strcmp(val, k->tk_values[j]) == 0) {
					if (apply)
						*k->tk_ptr = j;
					return 0;
				}
			}
		}
		accepted_values(k, accepted, sizeof(accepted));
		snprintf(err, errlen, "invalid value '%s' for tunable %s: accepted: %s",
		    val, key, accepted);
		return EINVAL;
	}
	snprintf(err, errlen, "unknown tunable '%s': accepted keys: cow, vfork, uarea, "
	    "uarea_pages, lwp, fpu, childfirst, trace, failpoint", key);
	return EINVAL;
}

/*
 * Checks, or applies, each word of buf[0..len).  Words are separated by
 * spaces, tabs, newlines or commas, so a harness configuration name
 * (cow=odf,uarea=alloc) can be written as it is.
 */
static bool
is_separator(char c)
{
	return c == ' ' || c == '\n' || c == '\t' || c == ',' || c == '\0';
}

static int
foreach_word(const char *buf, size_t len, bool apply, char *err, size_t errlen)
{
	char word[96];
	size_t i = 0;

	while (i < len) {
		size_t n = 0;

		while (i < len && is_separator(buf[i]))
			i++;
		while (i < len && !is_separator(buf[i])) {
			if (n + 1 >= sizeof(word)) {
				snprintf(err, errlen, "invalid tunable word: longer than %zu bytes",
				    sizeof(word) - 1);
				return EINVAL;
			}
			word[n++] = buf[i++];
		}
		if (n == 0)
			break;
		word[n] = '\0';
		int error = tunable_word(word, apply, err, errlen);
		if (error)
			return error;
	}
	return 0;
}

int
tunables_apply(const char *words, size_t len, char *err, size_t errlen)
{
	int error = foreach_word(words, len, false, err, errlen);

	if (error == 0)
		foreach_word(words, len, true, err, errlen);
	return error;
}

size_t
tunables_format(char *buf, size_t size)
{
	size_t n = snprintf(buf, size,
	    "cow=%s vfork=%s uarea=%s uarea_pages=%d lwp=%s fpu=%s childfirst=%d trace=%d",
	    cow_names[tun.cow], vfork_names[tun.vfork], cache_names[tun.uarea],
	    tun.uarea_pages, cache_names[tun.lwp], fpu_names[tun.fpu],
	    tun.childfirst, tun.trace);

	/* An armed failpoint shows with the allocations still to go before it fails. */
	if (failpoint_site >= 0)
		n += snprintf(buf + n, n < size ? size - n : 0, " failpoint=%s:%lu",
		    failsite_names[failpoint_site], failpoint_countdown);
	n += snprintf(buf + n, n < size ? size - n : 0, "\n");
	return n;
}
