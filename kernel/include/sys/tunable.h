/*
 * Tunables of the process-creation path.  They are set with key=value
 * words on the kernel command line and at run time by writing the same
 * words to /proc/forklab/config; a change applies to the forks that follow.
 */
#ifndef _SYS_TUNABLE_H_
#define _SYS_TUNABLE_H_

#include <sys/types.h>

enum tun_cow { COW_COPY, COW_COW, COW_ODF };
enum tun_vfork { VFORK_SHARE, VFORK_COPY };
enum tun_cache { ALLOC_FRESH, ALLOC_CACHE };
enum tun_fpu { FPU_EAGER, FPU_LAZY };

struct tunables {
	enum tun_cow	cow;
	enum tun_vfork	vfork;
	enum tun_cache	uarea;
	int		uarea_pages;
	enum tun_cache	lwp;
	enum tun_fpu	fpu;
	int		childfirst;
	int		trace;
};
extern struct tunables tun;

#define UAREA_PAGES_MIN	2
#define UAREA_PAGES_MAX	16

/*
 * Parses and applies words such as "cow=odf uarea=alloc"; the whole set is
 * checked before anything changes.  On error returns EINVAL and writes
 * a one-line message naming the word and the accepted values into `err`.
 */
int	tunables_apply(const char *words, size_t len, char *err, size_t errlen);
size_t	tunables_format(char *buf, size_t size);

/*
 * Fault injection: failpoint=SITE:N makes the N-th allocation at SITE fail
 * (once), counting from when the failpoint was set.
 */
enum failsite { FP_UAREA, FP_PROC, FP_LWP, FP_PTP, FP_PAGE, FP_FILES, FP_CWD,
	FP_LIMITS, FP_SIGACTS, FP_NSITES };
bool	failpoint_hit(enum failsite);
/* Suspends fault injection (and its counting) while `hold` is true. */
void	failpoint_hold(bool hold);

/* fork1 phase trace, recorded when trace=1. */
enum fork_phase { PH_LIMITS, PH_UAREA, PH_PROC, PH_FILES, PH_CWD_LIMITS_SIGS,
	PH_VMSPACE, PH_LWP_CREATE, PH_HOOKS_LISTS, PH_RUNNABLE, PH_VFORK_WAIT, PH_NPHASES };
struct fork_trace {
	uint64_t	ft_seq;			/* forks traced so far */
	uint64_t	ft_ns[PH_NPHASES];	/* last traced fork, per phase */
};
extern struct fork_trace fork_trace;
extern const char *const fork_phase_names[PH_NPHASES];

#endif
