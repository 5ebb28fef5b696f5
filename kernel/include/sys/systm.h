/*
 * Kernel-wide services: console output, panics and assertions, memory and
 * string primitives, and copying to and from user space.
 */
#ifndef _SYS_SYSTM_H_
#define _SYS_SYSTM_H_

#include <sys/types.h>
#include <sys/errno.h>

/* Console output goes to the kernel log port, never to a program's stdout or stderr. */
int	printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int	vprintf(const char *fmt, va_list ap);
int	snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int	vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
void	panic(const char *fmt, ...) __noreturn __attribute__((format(printf, 1, 2)));

/*
 * Rate-limited warnings: at most one message per `interval_ms` per call
 * site, with a count of the messages suppressed in between.
 */
struct ratelimit {
	uint64_t	rl_last_ns;	/* time of the last message printed */
	uint32_t	rl_suppressed;	/* messages dropped since then */
};
bool	ratecheck(struct ratelimit *, uint64_t interval_ms);

/* Assertions stay enabled in every build: a research kernel trades speed for trust. */
#define KASSERT(e) do {							\
	if (__predict_false(!(e)))					\
		panic("kernel assertion \"%s\" failed: %s:%d",		\
		    #e, __FILE__, __LINE__);				\
} while (0)
#define KASSERTMSG(e, fmt, ...) do {					\
	if (__predict_false(!(e)))					\
		panic("kernel assertion \"%s\" failed: %s:%d: " fmt,	\
		    #e, __FILE__, __LINE__, ##__VA_ARGS__);		\
} while (0)

void	*memcpy(void *dst, const void *src, size_t n);
void	*memmove(void *dst, const void *src, size_t n);
void	*memset(void *dst, int c, size_t n);
int	memcmp(const void *a, const void *b, size_t n);
size_t	strlen(const char *s);
size_t	strnlen(const char *s, size_t max);
int	strcmp(const char *a, const char *b);
int	strncmp(const char *a, const char *b, size_t n);
char	*strchr(const char *s, int c);
size_t	strlcpy(char *dst, const char *src, size_t size);
/* Parses a decimal number; returns 0, or -1 if `s` is not one or does not fit. */
int	parse_u64(const char *s, uint64_t *out);

/*
 * User memory access.  Each returns 0 or EFAULT; a bad or kernel-space
 * address never faults the kernel.  copyinstr also returns ENAMETOOLONG.
 */
int	copyin(const void *uaddr, void *kaddr, size_t len);
int	copyout(const void *kaddr, void *uaddr, size_t len);
int	copyinstr(const void *uaddr, char *kaddr, size_t len, size_t *done);
int	fuword32(const void *uaddr, uint32_t *val);
int	suword32(void *uaddr, uint32_t val);
int	suword64(void *uaddr, uint64_t val);
/* True if [uaddr, uaddr + len) lies wholly in the user half of the address space. */
bool	uaddr_ok(uint64_t uaddr, size_t len);

/* Time since boot in nanoseconds, from the calibrated TSC. */
uint64_t nanouptime(void);
/* Wall-clock time at boot in nanoseconds since the Unix epoch, from the RTC. */
extern uint64_t boottime_ns;
extern uint64_t tsc_hz;
uint64_t tsc_to_ns(uint64_t cycles);

/* Machine end: writes `code` to QEMU's isa-debug-exit port, then halts. */
void	cpu_halt_machine(int code) __noreturn;

/* Codes written to the debug-exit port (QEMU exits with (code << 1) | 1). */
#define HALT_INIT_MAX		124	/* init's exit status, clipped */
#define HALT_INIT_SIGNALED	125
#define HALT_BAD_CONFIG		126
#define HALT_PANIC		127

#endif /* !_SYS_SYSTM_H_ */
