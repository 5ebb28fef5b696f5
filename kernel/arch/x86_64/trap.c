/*
 * Trap and interrupt dispatch.  A fault in user mode that cannot be
 * resolved becomes a signal to the process; only a fault of the kernel's
 * own code panics, and a fault during copyin/copyout returns EFAULT.
 */
#include <sys/types.h>
#include <sys/systm.h>
#include <sys/proc.h>
#include <sys/signal.h>
#include <machine/cpufunc.h>
#include <machine/frame.h>
#include <machine/pmap.h>
#include <uvm/uvm.h>

void	clock_intr(void);
void	pic_eoi(int irq);
void	fpu_dna(struct lwp *);
void	cpu_backtrace(uint64_t rbp);
void	syscall_count_enosys(uint64_t);

static const char *const trap_names[] = {
	"divide error", "debug", "NMI", "breakpoint", "overflow", "bound",
	"invalid opcode", "device not available", "double fault", "reserved",
	"invalid TSS", "segment not present", "stack fault",
	"general protection", "page fault", "reserved", "x87 FPU error",
	"alignment check", "machine check", "SIMD FP error", "virtualization",
};

static void
trap_panic(struct trapframe *tf, uint64_t cr2)
{
	const char *name = tf->tf_trapno < nitems(trap_names) ?
	    trap_names[tf->tf_trapno] : "unknown";

	printf("forklab: trap %lu (%s) in kernel mode: rip %#lx err %#lx cr2 %#lx rsp %#lx\n",
	    tf->tf_trapno, name, tf->tf_rip, tf->tf_err, cr2, tf->tf_rsp);
	printf("forklab: bt: %#lx\n", tf->tf_rip);
	cpu_backtrace(tf->tf_rbp);
	panic("trap: %s at %#lx", name, tf->tf_rip);
}

/* Maps a user-mode exception to the signal Linux sends for it. */
static int
trap_signal(uint64_t trapno)
{
	switch (trapno) {
	case T_DIVIDE:
	case T_FPE:
	case T_XMM:
		return SIGFPE;
	case T_ILLOP:
		return SIGILL;
	case T_BPT:
	case T_DEBUG:
		return SIGTRAP;
	case T_ALIGN:
		return SIGBUS;
	default:
		return SIGSEGV;
	}
}

static void
trap_pagefault(struct trapframe *tf)
{
	uint64_t cr2 = rcr2();
	struct lwp *l = curlwp;
	int access = (tf->tf_err & PGEX_W) ? VM_PROT_WRITE : VM_PROT_READ;
	int error;

	/* Kernel code touches user addresses only inside copyin/copyout. */
	if (!TF_USERMODE(tf) && (l == NULL || l->l_pcb->pcb_onfault == 0 ||
	    cr2 >= VM_MAX_USER))
		trap_panic(tf, cr2);

	sti();
	if (cr2 >= VM_MAX_USER || l->l_proc->p_vmspace == NULL)
		error = EFAULT;
	else
		error = uvm_fault(l->l_proc->p_vmspace, cr2, access);
	cli();
	if (error == 0)
		return;

	if (!TF_USERMODE(tf)) {
		tf->tf_rip = l->l_pcb->pcb_onfault;
		l->l_pcb->pcb_onfault = 0;
		return;
	}
	if (error == ENOMEM) {
		/* No page for a copy-on-write or demand-zero fault: only this process dies. */
		static struct ratelimit rl;

		if (ratecheck(&rl, 1000))
			printf("forklab: trap_pagefault: out of memory, killing pid %d\n",
			    l->l_proc->p_pid);
		sigexit(l, SIGKILL);
	}
	{
		/* Like Linux's "segfault at" line: rate-limited, on the kernel log only. */
		static struct ratelimit rl;

		if (ratecheck(&rl, 1000))
			printf("forklab: pid %d (%s): segfault at %#lx rip %#lx error %#lx\n",
			    l->l_proc->p_pid, l->l_proc->p_comm, cr2, tf->tf_rip, tf->tf_err);
	}
	trapsignal(l, SIGSEGV);
}

/* Entry from locore for every exception and interrupt. */
void
trap(struct trapframe *tf)
{
	struct lwp *l = curlwp;

	if (tf->tf_trapno >= T_IRQ0 && tf->tf_trapno < T_IRQ0 + 16) {
		int irq = tf->tf_trapno - T_IRQ0;

		if (irq == 0)
			clock_intr();
		pic_eoi(irq);
	} else if (tf->tf_trapno == T_PAGEFLT) {
		trap_pagefault(tf);
	} else if (tf->tf_trapno == T_DNA) {
		if (!TF_USERMODE(tf))
			trap_panic(tf, 0);
		fpu_dna(l);
	} else if (tf->tf_trapno == 255) {
		/* Spurious interrupt: nothing to acknowledge. */
	} else if (TF_USERMODE(tf)) {
		trapsignal(l, trap_signal(tf->tf_trapno));
	} else {
		trap_panic(tf, rcr2());
	}

	if (TF_USERMODE(tf))
		userret(l, tf);
}
