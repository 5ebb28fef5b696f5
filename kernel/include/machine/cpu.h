/*
 * Per-CPU data.  Each CPU's GS base points at its cpu_info while in the
 * kernel, so curcpu() and curlwp are one load.  Fields marked (c) are only
 * touched by their own CPU with interrupts disabled; (s) are under
 * sched_lock.
 */
#ifndef _MACHINE_CPU_H_
#define _MACHINE_CPU_H_

#include <sys/types.h>
#include <sys/queue.h>

struct lwp;
struct uarea;

#define MAXCPUS		8
#define UAREA_CACHE_MAX	64	/* ready u-areas kept per CPU; NetBSD's uarea cache is also per CPU */

struct cpu_info {
	struct cpu_info	*ci_self;	/* (c) must stay first: %gs:0 */
	uint64_t	ci_kstack_top;	/* (c) %gs:8, the syscall entry's stack */
	uint64_t	ci_scratch;	/* (c) %gs:16, user rsp during syscall entry */
	struct lwp	*ci_curlwp;	/* (c) %gs:24 */
	struct lwp	*ci_idlelwp;	/* (c) */
	struct lwp	*ci_fpulwp;	/* (c) LWP whose state is in the FPU, or NULL */
	struct lwp	*ci_deadlwp;	/* (c) exited LWP to free after the switch */
	int		ci_index;
	int		ci_mtx_count;	/* (c) spin mutexes held */
	bool		ci_mtx_oldif;	/* (c) interrupt flag before the first of them */
	volatile bool	ci_want_resched; /* (c) preempt at the next return to user */
	uint64_t	ci_ticks;	/* (c) timer interrupts taken */
	uint64_t	ci_slice_start;	/* (c) tick when the running LWP was switched in */
	/* Ready u-areas, taken by lwp_create with uarea=cache. (c) */
	struct uarea	*ci_uarea_cache[UAREA_CACHE_MAX];
	int		ci_uarea_ncached;
	int		ci_uarea_pages;	/* size of the cached u-areas, in pages */
	/* Recycled struct lwp objects for lwp=cache. (c) */
	struct lwp	*ci_lwp_cache;
	int		ci_lwp_ncached;
};

extern struct cpu_info cpu_info_store[MAXCPUS];
extern int ncpu;

static inline struct cpu_info *
curcpu(void)
{
	struct cpu_info *ci;

	__asm volatile("movq %%gs:0, %0" : "=r"(ci));
	return ci;
}

static inline struct lwp *
curlwp_get(void)
{
	struct lwp *l;

	__asm volatile("movq %%gs:24, %0" : "=r"(l));
	return l;
}
#define curlwp		curlwp_get()
#define curproc		(curlwp->l_proc)

#endif
