/*
 * The parent's memory for the size sweep: anonymous private memory that the
 * parent writes page by page, so that every page is really mapped (not the
 * shared zero page) and fork has page tables and pages to duplicate.
 */
#include "forkbench.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/*
 * Parses a size: decimal digits with an optional binary suffix K, M or G
 * (upper or lower case).  Returns 0, or -1 when s is not such a size or
 * does not fit in 64 bits.
 */
int
fb_parse_size(const char *s, uint64_t *bytes)
{
	uint64_t v = 0, mult = 1;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	switch (*p) {
	case '\0':
		break;
	case 'K': case 'k':
		mult = 1ULL << 10;
		p++;
		break;
	case 'M': case 'm':
		mult = 1ULL << 20;
		p++;
		break;
	case 'G': case 'g':
		mult = 1ULL << 30;
		p++;
		break;
	default:
		return -1;
	}
	if (*p != '\0' || (v != 0 && mult > UINT64_MAX / v))
		return -1;
	*bytes = v * mult;
	return 0;
}

/*
 * Maps bytes (rounded up to whole pages) of anonymous memory and writes one
 * byte in each page.  Returns 0, or -1 with err naming the failed call.
 * Zero bytes map nothing and succeed.
 */
int
fb_region_map(struct fb_region *r, uint64_t bytes, char *err, size_t errlen)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t len;
	void *p;

	memset(r, 0, sizeof(*r));
	/* musl takes the page size from the auxiliary vector; 4 KiB is x86-64's. */
	r->page = page > 0 ? (size_t)page : 4096;
	len = (bytes + r->page - 1) / r->page * r->page;
	if (len < bytes || len > SIZE_MAX) {
		snprintf(err, errlen, "size %llu bytes is too large for this machine",
			 (unsigned long long)bytes);
		return -1;
	}
	if (len == 0)
		return 0;
	p = mmap(NULL, (size_t)len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (p == MAP_FAILED) {
		int e = errno;

		snprintf(err, errlen, "mmap(%llu bytes): %s (%s)", (unsigned long long)len,
			 strerror(e), fb_errno_name(e));
		return -1;
	}
	r->base = p;
	r->bytes = (size_t)len;
	for (size_t off = 0; off < r->bytes; off += r->page)
		r->base[off] = 1;
	return 0;
}

void
fb_region_unmap(struct fb_region *r)
{
	if (r->base != NULL)
		(void)munmap(r->base, r->bytes);
	memset(r, 0, sizeof(*r));
}
