/*
 * Trap frame: the user (or interrupted kernel) register state saved at the
 * top of an LWP's kernel stack.  Interrupts, exceptions and the syscall
 * instruction all build this one layout, so fork, signals and exec have a
 * single format to copy and edit.
 */
#ifndef _MACHINE_FRAME_H_
#define _MACHINE_FRAME_H_

#ifndef __ASSEMBLER__
#include <sys/types.h>

struct trapframe {
	uint64_t tf_rax, tf_rbx, tf_rcx, tf_rdx, tf_rsi, tf_rdi, tf_rbp;
	uint64_t tf_r8, tf_r9, tf_r10, tf_r11, tf_r12, tf_r13, tf_r14, tf_r15;
	uint64_t tf_trapno;
	uint64_t tf_err;
	/* pushed by the CPU (or by the syscall entry in the same shape) */
	uint64_t tf_rip, tf_cs, tf_rflags, tf_rsp, tf_ss;
};

/*
 * Switch frame: what cpu_switchto() leaves on the stack of an LWP that is
 * not running.  Only callee-saved registers are kept.
 */
struct switchframe {
	uint64_t sf_r15, sf_r14, sf_r13, sf_r12, sf_rbp, sf_rbx;
	uint64_t sf_rip;
};
#endif /* !__ASSEMBLER__ */

#define T_DIVIDE	0
#define T_DEBUG		1
#define T_NMI		2
#define T_BPT		3
#define T_OVERFLOW	4
#define T_BOUND		5
#define T_ILLOP		6
#define T_DNA		7	/* device not available: first FPU use */
#define T_DOUBLEFLT	8
#define T_TSS		10
#define T_SEGNP		11
#define T_STKFLT	12
#define T_GPFLT		13
#define T_PAGEFLT	14
#define T_FPE		16
#define T_ALIGN		17
#define T_MCHK		18
#define T_XMM		19
#define T_IRQ0		32	/* PIC interrupts are remapped to 32..47 */
#define T_SYSCALL	0x100	/* marker: frame built by the syscall entry */

#define PGEX_P		0x1	/* page fault on a present page */
#define PGEX_W		0x2	/* write access */
#define PGEX_U		0x4	/* from user mode */
#define PGEX_I		0x10	/* instruction fetch */

#define GSEL_KCODE	0x08
#define GSEL_KDATA	0x10
#define GSEL_UDATA	0x1b	/* 0x18 | RPL 3 */
#define GSEL_UCODE	0x23	/* 0x20 | RPL 3 */
#define GSEL_TSS	0x28

#ifndef __ASSEMBLER__
#define TF_USERMODE(tf)	(((tf)->tf_cs & 3) == 3)
#endif

#endif
