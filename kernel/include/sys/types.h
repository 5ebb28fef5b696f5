/*
 * Basic kernel types.  The kernel is freestanding: nothing here comes from
 * a C library.
 */
#ifndef _SYS_TYPES_H_
#define _SYS_TYPES_H_

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdarg.h>

typedef int64_t		ssize_t;
typedef int32_t		pid_t;
typedef int32_t		lwpid_t;
typedef uint32_t	uid_t;
typedef uint32_t	gid_t;
typedef uint64_t	paddr_t;	/* physical address */
typedef uint64_t	vaddr_t;	/* virtual address */
typedef uint64_t	vsize_t;
typedef int64_t		off_t;
typedef uint32_t	mode_t;
typedef uint64_t	sigset_t;	/* Linux's 64-signal kernel sigset */

#define __predict_true(e)	__builtin_expect(!!(e), 1)
#define __predict_false(e)	__builtin_expect(!!(e), 0)
#define __packed		__attribute__((packed))
#define __aligned(n)		__attribute__((aligned(n)))
#define __noreturn		__attribute__((noreturn))
#define __unused		__attribute__((unused))

#define MIN(a, b)	((a) < (b) ? (a) : (b))
#define MAX(a, b)	((a) > (b) ? (a) : (b))
#define howmany(x, y)	(((x) + ((y) - 1)) / (y))
#define roundup(x, y)	(howmany(x, y) * (y))
#define rounddown(x, y)	(((x) / (y)) * (y))
#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#define offsetof_(t, m)	__builtin_offsetof(t, m)
#define container_of(p, t, m) ((t *)((char *)(p) - offsetof(t, m)))

#endif /* !_SYS_TYPES_H_ */
