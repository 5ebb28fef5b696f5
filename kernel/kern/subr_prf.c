/*
 * Kernel printf, panic and the string and memory primitives a
 * freestanding kernel must bring itself.
 */
#include <sys/types.h>
#include <sys/systm.h>
#include <sys/file.h>
#include <machine/cpufunc.h>

void	cpu_backtrace(uint64_t rbp);

struct outbuf {
	char	*buf;
	size_t	size;
	size_t	len;
};

static void
out_char(struct outbuf *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void
out_number(struct outbuf *o, uint64_t v, int base, bool neg, int width, char pad, bool alt)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v != 0);
	if (alt && base == 16) {
		out_char(o, '0');
		out_char(o, 'x');
	}
	if (neg)
		tmp[n++] = '-';
	while (width-- > n)
		out_char(o, pad);
	while (n > 0)
		out_char(o, tmp[--n]);
}

int
vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct outbuf o = { buf, size, 0 };

	for (; *fmt != '\0'; fmt++) {
		if (*fmt != '%') {
			out_char(&o, *fmt);
			continue;
		}
		bool alt = false, is_long = false;
		char pad = ' ';
		int width = 0;

		fmt++;
		if (*fmt == '#') {
			alt = true;
			fmt++;
		}
		if (*fmt == '0') {
			pad = '0';
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z') {
			is_long = true;
			fmt++;
		}
		switch (*fmt) {
		case 'd': {
			int64_t v = is_long ? va_arg(ap, int64_t) : va_arg(ap, int);

			out_number(&o, v < 0 ? -(uint64_t)v : (uint64_t)v, 10, v < 0, width, pad, false);
			break;
		}
		case 'u':
			out_number(&o, is_long ? va_arg(ap, uint64_t) : va_arg(ap, unsigned),
			    10, false, width, pad, false);
			break;
		case 'x':
			out_number(&o, is_long ? va_arg(ap, uint64_t) : va_arg(ap, unsigned),
			    16, false, width, pad, alt);
			break;
		case 'p':
			out_number(&o, (uint64_t)va_arg(ap, void *), 16, false, 0, ' ', true);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);

			if (s == NULL)
				s = "(null)";
			int len = strlen(s);
			while (width-- > len)
				out_char(&o, ' ');
			while (*s)
				out_char(&o, *s++);
			break;
		}
		case 'c':
			out_char(&o, (char)va_arg(ap, int));
			break;
		case '%':
			out_char(&o, '%');
			break;
		default:
			out_char(&o, '%');
			out_char(&o, *fmt);
			break;
		}
	}
	if (size > 0)
		buf[MIN(o.len, size - 1)] = '\0';
	return o.len;
}

int
snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int
vprintf(const char *fmt, va_list ap)
{
	char buf[512];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);

	cons_write(2, buf, MIN((size_t)n, sizeof(buf) - 1));
	return n;
}

int
printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

static volatile int panicking;

void
panic(const char *fmt, ...)
{
	va_list ap;
	char buf[400];

	cli();
	if (panicking++)
		cpu_halt_machine(HALT_PANIC);
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printf("forklab: panic: %s\n", buf);
	cpu_backtrace((uint64_t)__builtin_frame_address(0));
	cpu_halt_machine(HALT_PANIC);
}

bool
ratecheck(struct ratelimit *rl, uint64_t interval_ms)
{
	uint64_t now = nanouptime();

	if (rl->rl_last_ns != 0 && now - rl->rl_last_ns < interval_ms * 1000000) {
		rl->rl_suppressed++;
		return false;
	}
	if (rl->rl_suppressed)
		printf("forklab: %u similar messages suppressed\n", rl->rl_suppressed);
	rl->rl_last_ns = now ? now : 1;
	rl->rl_suppressed = 0;
	return true;
}

void *
memcpy(void *dst, const void *src, size_t n)
{
	void *ret = dst;
	size_t words = n / 8, bytes = n & 7;

	__asm volatile("rep movsq" : "+D"(dst), "+S"(src), "+c"(words) :: "memory");
	__asm volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(bytes) :: "memory");
	return ret;
}

void *
memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d < s || d >= s + n)
		return memcpy(dst, src, n);
	while (n-- > 0)
		d[n] = s[n];
	return dst;
}

void *
memset(void *dst, int c, size_t n)
{
	void *ret = dst;
	uint64_t v = 0x0101010101010101ULL * (uint8_t)c;

	size_t words = n / 8, bytes = n & 7;

	__asm volatile("rep stosq" : "+D"(dst), "+c"(words) : "a"(v) : "memory");
	__asm volatile("rep stosb" : "+D"(dst), "+c"(bytes) : "a"(v) : "memory");
	return ret;
}

int
memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] - y[i];
	return 0;
}

size_t
strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

size_t
strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int
strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int
strncmp(const char *a, const char *b, size_t n)
{
	for (; n > 0; n--, a++, b++) {
		if (*a != *b || *a == '\0')
			return (unsigned char)*a - (unsigned char)*b;
	}
	return 0;
}

char *
strchr(const char *s, int c)
{
	for (; *s; s++)
		if (*s == (char)c)
			return (char *)s;
	return c == 0 ? (char *)s : NULL;
}

size_t
strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size > 0) {
		size_t n = MIN(len, size - 1);

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

int
parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (*s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	*out = v;
	return 0;
}
