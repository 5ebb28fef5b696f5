/*
 * Signals: actions (shared with FORK_SHARESIGS), posting to processes and
 * LWPs, delivery at return to user mode with Linux's x86-64 rt_sigframe,
 * rt_sigreturn, default actions, and system call restart.
 *
 * Locking: p->p_lock covers p_sigpend, l_sigpend and the actions.
 */
#include <sys/types.h>
#include <sys/systm.h>
#include <sys/proc.h>
#include <sys/signal.h>
#include <sys/tunable.h>
#include <machine/cpu.h>
#include <machine/cpufunc.h>
#include <machine/frame.h>
#include <uvm/uvm.h>

#define SI_KERNEL	0x80
#define STOP_SIGS	(sigmask(SIGSTOP) | sigmask(SIGTSTP) | sigmask(SIGTTIN) | sigmask(SIGTTOU))
#define IGNORE_SIGS	(sigmask(SIGCHLD) | sigmask(SIGCONT) | sigmask(SIGURG) | sigmask(SIGWINCH))
#define CANTMASK	(sigmask(SIGKILL) | sigmask(SIGSTOP))
#define USER_RFLAGS	0x3f7fd5UL	/* flags rt_sigreturn may restore: not IOPL, VM, VIF/VIP */

static struct pool sigacts_pool;
uint32_t fpu_mxcsr_mask = 0xffbf;

void	fpu_save(struct lwp *);
void	fpu_snapshot_release(void *);

void
sig_init(void)
{
	pool_init(&sigacts_pool, sizeof(struct sigacts), "sigacts");
}

struct sigacts *
sigacts_alloc(void)
{
	struct sigacts *ps;

	if (failpoint_hit(FP_SIGACTS))
		return NULL;
	if ((ps = pool_get(&sigacts_pool)) == NULL)
		return NULL;
	ps->sa_refcnt = 1;
	return ps;
}

/*
 * Returns the child's signal actions: p1's shared (`share`), or a copy in
 * `prealloc`.
 */
struct sigacts *
sigactsinit(struct proc *p1, int share, struct sigacts *prealloc)
{
	struct sigacts *ps = p1->p_sigacts;

	if (share) {
		__atomic_add_fetch(&ps->sa_refcnt, 1, __ATOMIC_RELAXED);
		return ps;
	}
	mutex_enter(p1->p_lock);
	memcpy(prealloc->sa_act, ps->sa_act, sizeof(ps->sa_act));
	mutex_exit(p1->p_lock);
	return prealloc;
}

void
sigactsfree(struct sigacts *ps)
{
	if (__atomic_sub_fetch(&ps->sa_refcnt, 1, __ATOMIC_ACQ_REL) == 0)
		pool_put(&sigacts_pool, ps);
}

/* Resets caught signals to their default action for a new program (execve). */
void
sigactsexec(struct proc *p)
{
	struct sigacts *ps = p->p_sigacts;

	for (int sig = 1; sig <= NSIG; sig++) {
		struct k_sigaction *sa = &ps->sa_act[sig];

		if (sa->sa_handler != SIG_IGN) {
			sa->sa_handler = SIG_DFL;
			sa->sa_flags = 0;
			sa->sa_mask = 0;
		}
	}
	proc_update_nocldwait(p);
}

/* Recomputes PK_NOCLDWAIT and PK_CLDSIGIGN from the SIGCHLD action.  p_lock held. */
void
proc_update_nocldwait(struct proc *p)
{
	struct k_sigaction *sa = &p->p_sigacts->sa_act[SIGCHLD];

	p->p_flag &= ~(PK_NOCLDWAIT | PK_CLDSIGIGN);
	if (sa->sa_handler == SIG_IGN)
		p->p_flag |= PK_NOCLDWAIT | PK_CLDSIGIGN;
	else if (sa->sa_flags & SA_NOCLDWAIT)
		p->p_flag |= PK_NOCLDWAIT;
}

static bool
sig_ignored(struct proc *p, int sig)
{
	uint64_t h = p->p_sigacts->sa_act[sig].sa_handler;

	/* As on Linux, init receives only the signals it has a handler for. */
	if (p == initproc && h == SIG_DFL)
		return true;
	if (sig == SIGKILL || sig == SIGSTOP)
		return false;
	return h == SIG_IGN || (h == SIG_DFL && (sigmask(sig) & (IGNORE_SIGS | STOP_SIGS)));
}

/*
 * Posts `sig` to process p and wakes an LWP that can take it.  A signal
 * whose action is to be ignored is discarded at once, as on Linux.
 */
void
psignal(struct proc *p, int sig)
{
	struct ksiginfo ksi = { SI_KERNEL, 0, 0, 0, 0 };

	psignal_info(p, sig, &ksi);
}

void
psignal_info(struct proc *p, int sig, const struct ksiginfo *ksi)
{
	struct lwp *l;

	KASSERT(sig > 0 && sig <= NSIG);
	mutex_enter(p->p_lock);
	if (p->p_stat != SACTIVE || p->p_sigacts == NULL || sig_ignored(p, sig)) {
		mutex_exit(p->p_lock);
		return;
	}
	p->p_siginfo[sig] = *ksi;
	p->p_sigpend |= sigmask(sig);
	LIST_FOREACH(l, &p->p_lwps, l_sibling) {
		if (sig == SIGKILL || !(l->l_sigmask & sigmask(sig))) {
			sched_lwp_wake(l);
			if (sig != SIGKILL)
				break;
		}
	}
	mutex_exit(p->p_lock);
}

/* Posts `sig` to one LWP (tkill, or a fault of that LWP). */
void
lwp_signal(struct lwp *l, int sig)
{
	struct proc *p = l->l_proc;

	mutex_enter(p->p_lock);
	if (p->p_stat == SACTIVE && p->p_sigacts != NULL && !sig_ignored(p, sig)) {
		l->l_sigpend |= sigmask(sig);
		sched_lwp_wake(l);
	}
	mutex_exit(p->p_lock);
}

/*
 * Posts a signal caused by l's own fault.  As on Linux, a blocked or
 * ignored fault signal is reset to the default action so the process
 * cannot spin on the faulting instruction.
 */
void
trapsignal(struct lwp *l, int sig)
{
	struct proc *p = l->l_proc;
	struct k_sigaction *sa = &p->p_sigacts->sa_act[sig];

	mutex_enter(p->p_lock);
	if (sa->sa_handler == SIG_IGN || (l->l_sigmask & sigmask(sig))) {
		sa->sa_handler = SIG_DFL;
		l->l_sigmask &= ~sigmask(sig);
	}
	l->l_sigpend |= sigmask(sig);
	p->p_siginfo[sig] = (struct ksiginfo){ 1, 0, 0, 0, sig == SIGSEGV ? rcr2() : 0 };
	mutex_exit(p->p_lock);
}

bool
sig_pending_unmasked(struct lwp *l)
{
	struct proc *p = l->l_proc;

	return ((l->l_sigpend | p->p_sigpend) & ~l->l_sigmask) != 0;
}

void
sigexit(struct lwp *l, int sig)
{
	exit1(l, 0, sig);
}

/* Linux x86-64 signal frame (arch/x86/include/uapi/asm/sigcontext.h layout). */
struct sigcontext_k {
	uint64_t	r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t	rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t	cs, gs, fs, ss;
	uint64_t	err, trapno, oldmask, cr2;
	uint64_t	fpstate;	/* user address of the FXSAVE image */
	uint64_t	reserved1[8];
};

struct ucontext_k {
	uint64_t	uc_flags;
	uint64_t	uc_link;
	struct sigaltstack_k uc_stack;
	struct sigcontext_k uc_mcontext;
	sigset_t	uc_sigmask;
};

struct siginfo_k {
	int32_t		si_signo;
	int32_t		si_errno;
	int32_t		si_code;
	int32_t		si_pad;
	union {
		struct { int32_t pid; uint32_t uid; int32_t status; } child;
		uint64_t	addr;
		uint8_t		pad[112];
	} si_fields;
};

struct rt_sigframe {
	uint64_t	pretcode;	/* sa_restorer: the handler's return address */
	struct ucontext_k uc;
	struct siginfo_k info;
};

/* Copies the LWP's current FPU state into `area` (512 bytes). */
static void
fpu_state_get(struct lwp *l, uint8_t *area)
{
	fpu_save(l);
	if (l->l_fpu_state == LFPU_LAZY)
		memcpy(area, l->l_fpu_src, 512);
	else
		memcpy(area, l->l_pcb->pcb_fpu, 512);
}

/* Builds a signal frame on the user stack and points the trap frame at the handler. */
static int
sendsig(struct lwp *l, int sig, const struct k_sigaction *sa, struct trapframe *tf)
{
	struct rt_sigframe frame;
	uint8_t fpu[512] __aligned(16);
	uint64_t sp = tf->tf_rsp;
	uint64_t fpaddr, frameaddr;
	bool onstack = (sa->sa_flags & SA_ONSTACK) && l->l_sigstk.ss_size != 0 &&
	    !(sp >= l->l_sigstk.ss_sp && sp < l->l_sigstk.ss_sp + l->l_sigstk.ss_size);

	if (onstack)
		sp = l->l_sigstk.ss_sp + l->l_sigstk.ss_size;
	else
		sp -= 128;	/* the System V ABI red zone below the interrupted stack pointer */
	fpaddr = (sp - sizeof(fpu)) & ~63UL;
	frameaddr = ((fpaddr - sizeof(frame)) & ~15UL) - 8;

	memset(&frame, 0, sizeof(frame));
	frame.pretcode = sa->sa_restorer;
	frame.uc.uc_stack = l->l_sigstk;
	struct sigcontext_k *sc = &frame.uc.uc_mcontext;
	sc->r8 = tf->tf_r8; sc->r9 = tf->tf_r9; sc->r10 = tf->tf_r10; sc->r11 = tf->tf_r11;
	sc->r12 = tf->tf_r12; sc->r13 = tf->tf_r13; sc->r14 = tf->tf_r14; sc->r15 = tf->tf_r15;
	sc->rdi = tf->tf_rdi; sc->rsi = tf->tf_rsi; sc->rbp = tf->tf_rbp; sc->rbx = tf->tf_rbx;
	sc->rdx = tf->tf_rdx; sc->rax = tf->tf_rax; sc->rcx = tf->tf_rcx; sc->rsp = tf->tf_rsp;
	sc->rip = tf->tf_rip; sc->eflags = tf->tf_rflags;
	sc->cs = tf->tf_cs; sc->ss = tf->tf_ss;
	sc->err = tf->tf_err;
	sc->trapno = tf->tf_trapno == T_SYSCALL ? 0 : tf->tf_trapno;
	/* After rt_sigsuspend the handler returns to the mask from before the call. */
	if (l->l_sigrestore) {
		l->l_sigrestore = false;
		l->l_sigmask = l->l_sigoldmask;
	}
	sc->oldmask = l->l_sigmask;
	sc->cr2 = tf->tf_trapno == T_PAGEFLT ? rcr2() : 0;
	sc->fpstate = fpaddr;
	frame.uc.uc_sigmask = l->l_sigmask;
	frame.info.si_signo = sig;
	mutex_enter(l->l_proc->p_lock);
	struct ksiginfo ksi = l->l_proc->p_siginfo[sig];
	mutex_exit(l->l_proc->p_lock);
	frame.info.si_code = ksi.ksi_code;
	if (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE) {
		frame.info.si_fields.addr = ksi.ksi_addr;
	} else {
		frame.info.si_fields.child.pid = ksi.ksi_pid;
		frame.info.si_fields.child.uid = ksi.ksi_uid;
		frame.info.si_fields.child.status = ksi.ksi_status;
	}

	fpu_state_get(l, fpu);
	if (copyout(fpu, (void *)fpaddr, sizeof(fpu)) != 0 ||
	    copyout(&frame, (void *)frameaddr, sizeof(frame)) != 0)
		return EFAULT;

	tf->tf_rip = sa->sa_handler;
	tf->tf_rsp = frameaddr;
	tf->tf_rdi = sig;
	tf->tf_rsi = frameaddr + offsetof(struct rt_sigframe, info);
	tf->tf_rdx = frameaddr + offsetof(struct rt_sigframe, uc);
	tf->tf_rax = 0;
	tf->tf_rflags &= ~(0x100UL | 0x400UL);	/* TF, DF */
	tf->tf_cs = GSEL_UCODE;
	tf->tf_ss = GSEL_UDATA;
	return 0;
}

/*
 * rt_sigreturn: restores the registers, signal mask and FPU state saved
 * by sendsig from the ucontext at the user stack pointer.  Returns 0 or
 * EFAULT; the trap frame carries the return value.
 */
int
sys_rt_sigreturn(struct lwp *l, struct trapframe *tf)
{
	struct ucontext_k uc;
	uint8_t fpu[512] __aligned(16);
	struct sigcontext_k *sc = &uc.uc_mcontext;

	if (copyin((void *)tf->tf_rsp, &uc, sizeof(uc)) != 0)
		return EFAULT;
	if (sc->fpstate != 0) {
		if (copyin((void *)sc->fpstate, fpu, sizeof(fpu)) != 0)
			return EFAULT;
		*(uint32_t *)(fpu + 24) &= fpu_mxcsr_mask;	/* a bad MXCSR would fault fxrstor */
		fpu_save(l);
		if (l->l_fpu_state == LFPU_LAZY) {
			fpu_snapshot_release(l->l_fpu_src);
			l->l_fpu_src = NULL;
		}
		memcpy(l->l_pcb->pcb_fpu, fpu, sizeof(fpu));
		l->l_fpu_state = LFPU_SAVED;
		if (curcpu()->ci_fpulwp == l)
			__asm volatile("fxrstor64 (%0)" :: "r"(l->l_pcb->pcb_fpu) : "memory");
	}
	tf->tf_r8 = sc->r8; tf->tf_r9 = sc->r9; tf->tf_r10 = sc->r10; tf->tf_r11 = sc->r11;
	tf->tf_r12 = sc->r12; tf->tf_r13 = sc->r13; tf->tf_r14 = sc->r14; tf->tf_r15 = sc->r15;
	tf->tf_rdi = sc->rdi; tf->tf_rsi = sc->rsi; tf->tf_rbp = sc->rbp; tf->tf_rbx = sc->rbx;
	tf->tf_rdx = sc->rdx; tf->tf_rax = sc->rax; tf->tf_rcx = sc->rcx; tf->tf_rsp = sc->rsp;
	tf->tf_rip = sc->rip;
	tf->tf_rflags = (sc->eflags & USER_RFLAGS) | PSL_I;
	tf->tf_cs = GSEL_UCODE;
	tf->tf_ss = GSEL_UDATA;
	mutex_enter(l->l_proc->p_lock);
	l->l_sigmask = uc.uc_sigmask & ~CANTMASK;
	mutex_exit(l->l_proc->p_lock);
	return 0;
}

/* Takes the lowest pending unblocked signal (SIGKILL first) off the queues; 0 if none. */
static int
sig_take(struct lwp *l)
{
	struct proc *p = l->l_proc;
	sigset_t pend;
	int sig;

	mutex_enter(p->p_lock);
	pend = (l->l_sigpend | p->p_sigpend) & ~l->l_sigmask;
	if (pend == 0) {
		mutex_exit(p->p_lock);
		return 0;
	}
	sig = (pend & sigmask(SIGKILL)) ? SIGKILL : __builtin_ctzll(pend) + 1;
	if (l->l_sigpend & sigmask(sig))
		l->l_sigpend &= ~sigmask(sig);
	else
		p->p_sigpend &= ~sigmask(sig);
	mutex_exit(p->p_lock);
	return sig;
}

/*
 * Handles one pending signal of the current LWP on its way to user mode:
 * default action, ignore, or a handler frame.  An interrupted system call
 * is restarted when the handler has SA_RESTART, and fails with EINTR
 * otherwise.
 */
void
sig_deliver_pending(struct lwp *l, struct trapframe *tf)
{
	struct proc *p = l->l_proc;
	struct k_sigaction sa;
	int sig = sig_take(l);

	if (sig == 0)
		return;
	mutex_enter(p->p_lock);
	sa = p->p_sigacts->sa_act[sig];
	mutex_exit(p->p_lock);

	if (sa.sa_handler == SIG_IGN && sig != SIGKILL)
		return;
	if (sa.sa_handler == SIG_DFL || sig == SIGKILL) {
		if (sigmask(sig) & (IGNORE_SIGS | STOP_SIGS)) {
			/* XXX Job control stops are not implemented: stop signals are ignored. */
			return;
		}
		sigexit(l, sig);
	}

	if (tf->tf_trapno == T_SYSCALL && (int64_t)tf->tf_rax == -ERESTART) {
		if (sa.sa_flags & SA_RESTART) {
			tf->tf_rip -= 2;	/* back to the syscall instruction */
			tf->tf_rax = l->l_syscall_restart;
		} else {
			tf->tf_rax = -EINTR;
		}
	}
	if (sendsig(l, sig, &sa, tf) != 0) {
		/* No room for the frame: Linux kills the process with SIGSEGV. */
		sigexit(l, SIGSEGV);
	}
	mutex_enter(p->p_lock);
	l->l_sigmask |= sa.sa_mask & ~CANTMASK;
	if (!(sa.sa_flags & SA_NODEFER))
		l->l_sigmask |= sigmask(sig) & ~CANTMASK;
	if (sa.sa_flags & SA_RESETHAND) {
		p->p_sigacts->sa_act[sig].sa_handler = SIG_DFL;
		p->p_sigacts->sa_act[sig].sa_flags = 0;
		proc_update_nocldwait(p);
	}
	mutex_exit(p->p_lock);
}

void	preempt(void);

/*
 * Last work before returning to user mode: preemption, exit requests and
 * signals, then a restart of a system call that was interrupted by a
 * signal that ran no handler.
 */
void
userret(struct lwp *l, struct trapframe *tf)
{
	for (;;) {
		if (curcpu()->ci_want_resched)
			preempt();
		if (l->l_flag & LW_WEXIT)
			lwp_exit(l);
		if (!sig_pending_unmasked(l))
			break;
		sig_deliver_pending(l, tf);
	}
	if (tf->tf_trapno == T_SYSCALL && (int64_t)tf->tf_rax == -ERESTART) {
		tf->tf_rip -= 2;
		tf->tf_rax = l->l_syscall_restart;
	}
	if (l->l_sigrestore) {
		l->l_sigrestore = false;
		l->l_sigmask = l->l_sigoldmask;
	}
}
