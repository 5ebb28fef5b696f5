/*
 * Processes and LWPs, after NetBSD's <sys/proc.h> and <sys/lwp.h>.
 *
 * Locking legend for the fields below:
 *	(t)	proc_lock
 *	(p)	p->p_lock
 *	(s)	sched_lock
 *	(c)	constant after creation, or only the LWP itself touches it
 *	(:)	unlocked, racy reads are harmless (statistics)
 *
 * Lock order: proc_lock, p->p_lock, vm_lock, sched_lock (see <sys/lock.h>).
 */
#ifndef _SYS_PROC_H_
#define _SYS_PROC_H_

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/lock.h>
#include <sys/signal.h>
#include <machine/frame.h>
#include <machine/cpu.h>

struct vmspace;
struct filedesc;
struct uarea;

#define RLIMIT_CPU	0
#define RLIMIT_FSIZE	1
#define RLIMIT_DATA	2
#define RLIMIT_STACK	3
#define RLIMIT_CORE	4
#define RLIMIT_RSS	5
#define RLIMIT_NPROC	6
#define RLIMIT_NOFILE	7
#define RLIMIT_MEMLOCK	8
#define RLIMIT_AS	9
#define RLIM_NLIMITS	16
#define RLIM_INFINITY	(~0ULL)

struct rlimit {
	uint64_t	rlim_cur;
	uint64_t	rlim_max;
};

/*
 * Resource limits, shared copy-on-write between parent and child as in
 * NetBSD: fork takes a reference, and the first setrlimit of a shared set
 * copies it.
 */
struct plimit {
	uint32_t	pl_refcnt;	/* (:) atomic */
	bool		pl_writeable;	/* (p) changed in place: fork must copy it */
	struct rlimit	pl_rlimit[RLIM_NLIMITS];
};

/* Current working directory, shared with FORK_SHARECWD. */
struct cwdinfo {
	uint32_t	cwdi_refcnt;	/* atomic */
	mode_t		cwdi_cmask;	/* umask */
	char		cwdi_path[256];	/* absolute path of the directory */
};

struct pstats {
	uint64_t	ps_start_ns;	/* creation time, ns since boot */
	uint64_t	ps_forks;	/* forks this process made */
};

struct session {
	uint32_t	s_count;	/* (t) process groups in it */
	pid_t		s_sid;
};

struct pgrp {
	LIST_HEAD(, proc) pg_members;	/* (t) */
	LIST_ENTRY(pgrp) pg_hash;	/* (t) */
	struct session	*pg_session;	/* (t) */
	pid_t		pg_id;
};

/* The PCB: machine state of a switched-out LWP, at the bottom of its u-area. */
struct pcb {
	uint64_t	pcb_rsp;	/* saved kernel stack pointer (switch frame) */
	uint64_t	pcb_fsbase;	/* user %fs base: TLS pointer */
	uint64_t	pcb_onfault;	/* resume address for a fault in copyin/out */
	uint8_t		pcb_fpu[512] __aligned(16);	/* FXSAVE area */
};

enum lwp_stat { LSIDL = 1, LSRUN, LSONPROC, LSSLEEP, LSSTOP, LSZOMB };

struct lwp {
	LIST_ENTRY(lwp)	l_sibling;	/* (p) entry on p_lwps */
	TAILQ_ENTRY(lwp) l_runq;	/* (s) run queue or sleep queue */
	struct proc	*l_proc;	/* (c) */
	lwpid_t		l_lid;		/* (c) Linux thread id: globally unique */
	enum lwp_stat	l_stat;		/* (s) */
	uint32_t	l_flag;		/* (p) LW_* */
	struct cpu_info	*l_cpu;		/* (s) CPU it runs or last ran on */
	struct uarea	*l_uarea;	/* (c) kernel stack and PCB */
	struct pcb	*l_pcb;		/* (c) inside the u-area */
	struct trapframe *l_md_regs;	/* (c) user registers at the top of the kernel stack */
	const void	*l_wchan;	/* (s) sleep channel */
	const char	*l_wmesg;	/* (s) */
	bool		l_sleep_intr;	/* (s) a signal may end the sleep */
	bool		l_timedout;	/* (s) */
	uint64_t	l_sleep_deadline; /* (s) ns since boot, 0 for none */
	TAILQ_ENTRY(lwp) l_timeq;	/* (s) on the timed-sleep list */
	sigset_t	l_sigmask;	/* (c) blocked signals */
	sigset_t	l_sigoldmask;	/* (c) mask to restore after rt_sigsuspend */
	bool		l_sigrestore;	/* (c) l_sigoldmask is valid */
	sigset_t	l_sigpend;	/* (p) signals sent to this LWP only */
	struct sigaltstack_k l_sigstk;	/* (c) */
	uint64_t	l_private;	/* (c) TLS pointer, NetBSD's l_private */
	uint64_t	l_clear_tid;	/* (c) CLONE_CHILD_CLEARTID address */
	bool		l_vforkwaiting;	/* (t) parent waits for a vfork child */
	uint8_t		l_fpu_state;	/* (c) LFPU_* */
	void		*l_fpu_src;	/* (c) lazy FPU: parent's saved state to copy at first use */
	int		l_syscall_restart; /* (c) syscall number to restart, or -1 */
	uint64_t	l_futex_key[2];	/* (s) key while waiting on a futex */
	TAILQ_ENTRY(lwp) l_futexq;	/* (s) */
	bool		l_futex_woken;	/* (s) */
	struct lwp	*l_cache_next;	/* (c) per-CPU lwp cache */
	/* Linux clone arguments for the fork hook, valid only during clone. (c) */
	uint64_t	l_clone_flags;
	uint64_t	l_clone_tls;
	uint64_t	l_clone_ctid;
	uint64_t	l_clone_ptid;
};

#define LW_WEXIT	0x01	/* exit at the next return to user */
#define LW_WCORE	0x02
#define LW_SYSTEM	0x04	/* kernel-only LWP (idle) */

#define LFPU_NONE	0	/* no user state yet: fninit at first use */
#define LFPU_SAVED	1	/* state in pcb_fpu */
#define LFPU_LAZY	2	/* copy from l_fpu_src at first use */

/* What a signal handler's siginfo reports about the last signal of a number. */
struct ksiginfo {
	int32_t		ksi_code;	/* SI_USER, CLD_EXITED, ... */
	int32_t		ksi_pid;	/* sender, or the child for SIGCHLD */
	uint32_t	ksi_uid;
	int32_t		ksi_status;	/* SIGCHLD: exit code or signal */
	uint64_t	ksi_addr;	/* faults: the address */
};
#define SI_USER		0
#define SI_TKILL	(-6)
#define CLD_EXITED	1
#define CLD_KILLED	2

enum proc_stat { SIDL = 1, SACTIVE, SSTOP, SZOMB, SDEAD };

struct proc {
	LIST_ENTRY(proc) p_list;	/* (t) on allproc */
	LIST_ENTRY(proc) p_sibling;	/* (t) on the parent's p_children */
	LIST_ENTRY(proc) p_pglist;	/* (t) on the process group's members */
	LIST_ENTRY(proc) p_hash;	/* (t) pid hash chain */
	kmutex_t	*p_lock;	/* shared with FORK_SHARESIGS */
	kmutex_t	p_lock_store;	/* the lock when not shared */
	pid_t		p_pid;		/* (c) */

/* The following section is zeroed at fork. */
#define	p_startzero	p_nlwps
	uint32_t	p_nlwps;	/* (p) LWPs, zombies included */
	uint32_t	p_nrlwps;	/* (p) LWPs not zombie */
	uint32_t	p_nlwpid;	/* (p) LWP id counter within the process */
	enum proc_stat	p_stat;		/* (p) */
	uint32_t	p_lflag;	/* (t) PL_* */
	uint32_t	p_sflag;	/* (p) PS_* */
	int		p_xexit;	/* (p) exit code */
	int		p_xsig;		/* (p) terminating signal */
	sigset_t	p_sigpend;	/* (p) signals pending for the process */
	struct lwp	*p_vforklwp;	/* (t) parent LWP waiting for this vfork child */
	struct ksiginfo	p_siginfo[NSIG + 1]; /* (p) per signal, the latest one posted */
	bool		p_waited;	/* (t) */
	uint32_t	p_nzombie_lwps;	/* (p) */
#define	p_endzero	p_startcopy

/* The following section is copied from the parent at fork. */
#define	p_startcopy	p_comm
	char		p_comm[32];	/* (p) command name */
	uid_t		p_uid, p_euid;	/* (p) */
	gid_t		p_gid, p_egid;	/* (p) */
	struct pgrp	*p_pgrp;	/* (t) */
#define	p_endcopy	p_flag

	uint32_t	p_flag;		/* (p) PK_* */
	LIST_HEAD(, lwp) p_lwps;	/* (p) */
	LIST_HEAD(, proc) p_children;	/* (t) */
	struct proc	*p_pptr;	/* (t) parent */
	pid_t		p_ppid;		/* (t) */
	int		p_exitsig;	/* (t) signal sent to the parent at exit */
	struct vmspace	*p_vmspace;	/* (p) */
	struct filedesc	*p_fd;		/* (p) */
	struct cwdinfo	*p_cwdi;	/* (p) */
	struct plimit	*p_limit;	/* (p) */
	struct sigacts	*p_sigacts;	/* (p) */
	struct pstats	p_stats;	/* (:) */
	void		*p_waitchan;	/* (c) channel parents sleep on in wait4: the proc itself */
};

/* p_flag */
#define PK_SYSTEM	0x0001	/* kernel process */
#define PK_NOCLDWAIT	0x0002	/* no zombies: SA_NOCLDWAIT or SIGCHLD ignored */
#define PK_CLDSIGIGN	0x0004	/* SIGCHLD set to SIG_IGN */
#define PK_EXEC		0x0008	/* has called execve */
#define PK_WEXIT	0x0010	/* working on exiting */
#define PK_SUBREAPER	0x0020	/* adopts orphaned descendants (Linux PR_SET_CHILD_SUBREAPER) */

/* p_lflag */
#define PL_PPWAIT	0x0001	/* parent waits for this vfork child to exec or exit */

/* p_sflag */
#define PS_STOPFORK	0x0001	/* child stops after fork (debugger request) */
#define PS_STOPEXEC	0x0002
#define PS_NOCLDSTOP	0x0004

/* fork1 flags, NetBSD's names and meanings. */
#define FORK_PPWAIT	0x0001	/* parent waits until the child execs or exits */
#define FORK_SHAREVM	0x0002	/* share the address space */
#define FORK_SHARECWD	0x0004	/* share cwd and umask */
#define FORK_SHAREFILES	0x0008	/* share the file descriptor table */
#define FORK_SHARESIGS	0x0010	/* share signal actions */
#define FORK_NOWAIT	0x0020	/* init becomes the parent */
#define FORK_CLEANFILES	0x0040	/* start with an empty descriptor table */
#define FORK_SYSTEM	0x0080	/* kernel process */
#define FORK_ALLFLAGS	0x00ff

extern kmutex_t proc_lock;
extern struct proc *initproc;
extern uint32_t nprocs;		/* (t) live processes, zombies included */
extern uint32_t maxproc;
extern uint32_t nlwps;		/* (s) live LWPs */
LIST_HEAD(proclist, proc);
extern struct proclist allproc;

/* kern_proc.c */
void	proc_init(void);
struct proc *proc_find(pid_t);		/* proc_lock held */
struct lwp *lwp_find_tid(lwpid_t);	/* proc_lock held */
pid_t	proc_alloc_pid(struct proc *);
void	proc_free_pid(struct proc *);
struct proc *proc_alloc(void);
void	proc_free_mem(struct proc *);
int	chgproccnt(uid_t, int diff);
int	proc_getpgid(struct proc *);
void	proc_enterpgrp(struct proc *child, struct proc *parent);
void	proc_leavepgrp(struct proc *);

/* kern_fork.c */
int	fork1(struct lwp *l1, int flags, int exitsig, void *stack, size_t stacksize,
	    void (*func)(void *), void *arg, int64_t *retval);
void	child_return(void *arg);

/* kern_lwp.c */
struct lwp *lwp_alloc(void);
void	lwp_free_mem(struct lwp *);
void	lwp_create(struct lwp *l1, struct proc *p2, struct uarea *ua, struct lwp *l2,
	    int flags, void *stack, void (*func)(void *), void *arg,
	    const sigset_t *sigmask, const struct sigaltstack_k *sigstk);
void	lwp_exit(struct lwp *) __noreturn;
void	lwp_free_dead(struct lwp *);
lwpid_t	lwp_alloc_lid(void);
#define LWP_VFORK	0x1

/* kern_exit.c */
void	exit1(struct lwp *, int exitcode, int signo) __noreturn;
int	do_wait4(struct lwp *, pid_t pid, int *status, int options, pid_t *found);
void	proc_reap_dead(void);
void	exit_lwps(struct lwp *);

/* kern_exec.c */
int	execve1(struct lwp *, const char *path, char *const *argv, char *const *envp);
int	kernel_exec_init(const char *path, char **argv, int argc);

/* kern_resource.c */
struct plimit *lim_alloc_default(void);
struct plimit *lim_copy(struct plimit *);
void	lim_addref(struct plimit *);
void	lim_free(struct plimit *);
struct cwdinfo *cwdinit(struct cwdinfo *parent_or_null);
void	cwdshare(struct cwdinfo *);
void	cwdfree(struct cwdinfo *);

/* kern_sig.c */
struct sigacts *sigacts_alloc(void);
struct sigacts *sigactsinit(struct proc *p1, int share, struct sigacts *prealloc);
void	sigactsfree(struct sigacts *);
void	sigactsexec(struct proc *);
void	psignal(struct proc *, int sig);		/* proc_lock or p_lock not required */
void	psignal_info(struct proc *, int sig, const struct ksiginfo *);
void	lwp_signal(struct lwp *, int sig);
void	trapsignal(struct lwp *, int sig);
void	sig_deliver_pending(struct lwp *, struct trapframe *);
bool	sig_pending_unmasked(struct lwp *);
void	sigexit(struct lwp *, int sig) __noreturn;
void	proc_update_nocldwait(struct proc *);

/* kern_synch.c: sleep and wakeup on channels, the run queue, switching. */
int	tsleep(const void *chan, bool intr, const char *wmesg, uint64_t timeout_ns);
void	wakeup(const void *chan);
void	wakeup_one(const void *chan);
void	setrunnable(struct lwp *);
void	setrunnable_first(struct lwp *);
void	setrunnable_new(struct lwp *);
void	preempt(void);
void	mi_switch(void);
void	sched_init(void);
void	sched_tick(void);
void	sched_lwp_wake(struct lwp *);
extern kmutex_t sched_lock;

/* Return to user: signals, preemption and exit requests. */
void	userret(struct lwp *, struct trapframe *);

#endif
