/*
 * Per-phase fork times from the forklab kernel's /proc/forklab/trace.
 *
 * With the kernel's trace=1 the file shows the last fork's phases as lines
 * `seq N`, `phase NAME NS` and `counter NAME VALUE`.  Linux has no such
 * file, and then forkbench reads nothing and prints no phase rows.
 */
#include "forkbench.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CONFIG_PATH	"/proc/forklab/config"
#define TRACE_PATH	"/proc/forklab/trace"

/*
 * Reads the whole file path into buf as a string.  Returns the length, or
 * -1 with errno set.  Plain open/read, because stdio buffering could split
 * one snapshot of the trace across two reads.
 */
static ssize_t
read_file(const char *path, char *buf, size_t len)
{
	size_t have = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while (have < len - 1) {
		ssize_t got = read(fd, buf + have, len - 1 - have);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int e = errno;

			(void)close(fd);
			errno = e;
			return -1;
		}
		if (got == 0)
			break;
		have += (size_t)got;
	}
	(void)close(fd);
	buf[have] = '\0';
	return (ssize_t)have;
}

/*
 * Returns 1 when the kernel records fork phases: the config line contains
 * the word trace=1.  Returns 0 on Linux, where the file does not exist, and
 * whenever it cannot be read.
 */
int
fb_trace_detect(void)
{
	char buf[1024];
	const char *p;

	if (read_file(CONFIG_PATH, buf, sizeof(buf)) < 0)
		return 0;
	for (p = strstr(buf, "trace=1"); p != NULL; p = strstr(p + 1, "trace=1")) {
		char after = p[strlen("trace=1")];

		if ((p == buf || p[-1] == ' ') &&
		    (after == '\0' || after == ' ' || after == '\n'))
			return 1;
	}
	return 0;
}

void
fb_trace_reset(struct fb_trace *t)
{
	for (size_t i = 0; i < t->nphase; i++)
		free(t->ns[i]);
	memset(t->ns, 0, sizeof(t->ns));
	t->nphase = 0;
	t->n = t->cap = 0;
}

static int
grow(struct fb_trace *t)
{
	size_t cap = t->cap ? t->cap * 2 : 256;

	for (size_t i = 0; i < t->nphase; i++) {
		double *p = realloc(t->ns[i], cap * sizeof(*p));

		if (p == NULL)
			return -1;
		t->ns[i] = p;
	}
	t->cap = cap;
	return 0;
}

/*
 * Returns the index of phase name, adding it when new with 0 ns for the
 * samples before it appeared; -1 when the table is full or out of memory.
 */
static int
phase_index(struct fb_trace *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->nphase; i++)
		if (strcmp(t->name[i], name) == 0)
			return (int)i;
	if (t->nphase == FB_MAX_PHASES)
		return -1;
	t->ns[i] = calloc(t->cap, sizeof(double));
	if (t->ns[i] == NULL)
		return -1;
	snprintf(t->name[i], sizeof(t->name[i]), "%s", name);
	t->nphase++;
	return (int)i;
}

/*
 * Copies the line starting at *pos into line (cut to its size) and moves
 * *pos past it.  Returns 0 at the end of the text.
 */
static int
next_line(const char **pos, char *line, size_t len)
{
	const char *p = *pos, *end;
	size_t n;

	if (*p == '\0')
		return 0;
	end = strchr(p, '\n');
	if (end == NULL)
		end = p + strlen(p);
	n = (size_t)(end - p) < len - 1 ? (size_t)(end - p) : len - 1;
	memcpy(line, p, n);
	line[n] = '\0';
	*pos = *end == '\n' ? end + 1 : end;
	return 1;
}

/*
 * Reads the last fork's phases and appends them as sample t->n; a phase
 * missing from this snapshot counts 0 ns.  A snapshot whose seq equals the
 * previous one recorded no new fork and is not appended.  Returns 0, or -1
 * with err set.
 */
int
fb_trace_sample(struct fb_trace *t, char *err, size_t errlen)
{
	char buf[4096], line[128], name[32];
	const char *pos;
	unsigned long long seq, v;
	int have_seq = 0;

	if (read_file(TRACE_PATH, buf, sizeof(buf)) < 0) {
		int e = errno;

		snprintf(err, errlen, "read %s: %s (%s)", TRACE_PATH, strerror(e),
			 fb_errno_name(e));
		return -1;
	}
	for (pos = buf; !have_seq && next_line(&pos, line, sizeof(line));)
		have_seq = sscanf(line, "seq %llu", &seq) == 1;
	if (have_seq) {
		if (t->n > 0 && seq == t->last_seq)
			return 0;
		t->last_seq = seq;
	}

	if (t->n == t->cap && grow(t) != 0)
		goto nomem;
	for (size_t i = 0; i < t->nphase; i++)
		t->ns[i][t->n] = 0;
	for (pos = buf; next_line(&pos, line, sizeof(line));) {
		int i;

		if (sscanf(line, "phase %31s %llu", name, &v) != 2)
			continue;
		i = phase_index(t, name);
		if (i < 0)
			goto nomem;
		t->ns[i][t->n] = (double)v;
	}
	t->n++;
	return 0;
nomem:
	snprintf(err, errlen, "reading %s: out of memory or more than %d phases",
		 TRACE_PATH, FB_MAX_PHASES);
	return -1;
}
