/* The Linux x86-64 system call layer: handler type and shared helpers. */
#ifndef _COMPAT_LINUX_SYSCALL_H_
#define _COMPAT_LINUX_SYSCALL_H_

#include <sys/types.h>
#include <sys/proc.h>

/* A handler gets the six argument registers and returns a value or a negative errno. */
typedef int64_t (*linux_sysfn_t)(struct lwp *, const uint64_t *arg);

#define LINUX_SYS_MAX	512

struct timespec_k {
	int64_t	tv_sec;
	int64_t	tv_nsec;
};

int	timespec_to_ns(const struct timespec_k *, uint64_t *);
uint64_t clock_realtime_ns(void);

/* Handlers defined in the linux_*.c files, registered by linux_sysent_init. */
void	linux_file_register(linux_sysfn_t *table);
void	linux_misc_register(linux_sysfn_t *table);
void	linux_proc_register(linux_sysfn_t *table);
void	linux_mman_register(linux_sysfn_t *table);

#endif
