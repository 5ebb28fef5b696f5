/*
 * Trap, interrupt and system call entry, return to user, and the context
 * switch.  Every entry builds a struct trapframe (machine/frame.h) at the
 * top of the LWP's kernel stack.
 */
#include <machine/frame.h>

#define PUSH_REGS		\
	pushq	%r15;		\
	pushq	%r14;		\
	pushq	%r13;		\
	pushq	%r12;		\
	pushq	%r11;		\
	pushq	%r10;		\
	pushq	%r9;		\
	pushq	%r8;		\
	pushq	%rbp;		\
	pushq	%rdi;		\
	pushq	%rsi;		\
	pushq	%rdx;		\
	pushq	%rcx;		\
	pushq	%rbx;		\
	pushq	%rax

#define POP_REGS		\
	popq	%rax;		\
	popq	%rbx;		\
	popq	%rcx;		\
	popq	%rdx;		\
	popq	%rsi;		\
	popq	%rdi;		\
	popq	%rbp;		\
	popq	%r8;		\
	popq	%r9;		\
	popq	%r10;		\
	popq	%r11;		\
	popq	%r12;		\
	popq	%r13;		\
	popq	%r14;		\
	popq	%r15

/* Exceptions without an error code push a zero so the frame has one shape. */
#define TRAP_NOERR(n)		\
	.globl	Xtrap##n;	\
Xtrap##n:			\
	pushq	$0;		\
	pushq	$n;		\
	jmp	alltraps

#define TRAP_ERR(n)		\
	.globl	Xtrap##n;	\
Xtrap##n:			\
	pushq	$n;		\
	jmp	alltraps

	.text
TRAP_NOERR(0)
TRAP_NOERR(1)
TRAP_NOERR(2)
TRAP_NOERR(3)
TRAP_NOERR(4)
TRAP_NOERR(5)
TRAP_NOERR(6)
TRAP_NOERR(7)
TRAP_ERR(8)
TRAP_NOERR(9)
TRAP_ERR(10)
TRAP_ERR(11)
TRAP_ERR(12)
TRAP_ERR(13)
TRAP_ERR(14)
TRAP_NOERR(15)
TRAP_NOERR(16)
TRAP_ERR(17)
TRAP_NOERR(18)
TRAP_NOERR(19)
TRAP_NOERR(20)
TRAP_NOERR(32)
TRAP_NOERR(33)
TRAP_NOERR(34)
TRAP_NOERR(35)
TRAP_NOERR(36)
TRAP_NOERR(37)
TRAP_NOERR(38)
TRAP_NOERR(39)
TRAP_NOERR(40)
TRAP_NOERR(41)
TRAP_NOERR(42)
TRAP_NOERR(43)
TRAP_NOERR(44)
TRAP_NOERR(45)
TRAP_NOERR(46)
TRAP_NOERR(47)
TRAP_NOERR(255)

/* Here %rsp points at tf_trapno; tf_cs is 24 bytes above. */
alltraps:
	testb	$3, 24(%rsp)
	jz	1f
	swapgs
1:	PUSH_REGS
	cld
	movq	%rsp, %rdi
	call	trap
	.globl	trapret
trapret:
	cli
	POP_REGS
	testb	$3, 24(%rsp)
	jz	2f
	swapgs
2:	addq	$16, %rsp		/* trapno and err */
	iretq

/*
 * The syscall instruction: RCX = user RIP, R11 = user RFLAGS, interrupts
 * masked by SFMASK.  We switch to the LWP's kernel stack (%gs:8) and build
 * a trap frame so that fork, signals and exec can treat all entries alike.
 * The return goes through iretq, which is correct for any RIP that execve
 * or sigreturn may have set.
 */
	.globl	syscall_entry
syscall_entry:
	swapgs
	movq	%rsp, %gs:16
	movq	%gs:8, %rsp
	pushq	$GSEL_UDATA
	pushq	%gs:16
	pushq	%r11
	pushq	$GSEL_UCODE
	pushq	%rcx
	pushq	$0
	pushq	$T_SYSCALL
	PUSH_REGS
	sti
	cld
	movq	%rsp, %rdi
	call	syscall
	jmp	trapret

/*
 * First code of a new LWP, reached by cpu_switchto's ret: %r12 is the
 * function to call and %r13 its argument (child_return for fork).  When it
 * returns, the LWP leaves for user mode through its trap frame.
 */
	.globl	lwp_trampoline
lwp_trampoline:
	movq	%rax, %rdi		/* the LWP we switched away from */
	call	lwp_startup
	movq	%r13, %rdi
	call	*%r12
	jmp	trapret

/*
 * struct lwp *cpu_switchto(struct lwp *old, struct lwp *new,
 *     uint64_t *old_rsp, uint64_t new_rsp)
 * Saves the callee-saved registers of `old` on its stack, stores its stack
 * pointer in *old_rsp, and resumes `new`.  Returns `old` in the context of
 * `new` (in %rax, also seen by lwp_trampoline).
 */
	.globl	cpu_switchto
cpu_switchto:
	pushq	%rbx
	pushq	%rbp
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, (%rdx)
	movq	%rcx, %rsp
	movq	%rdi, %rax
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbp
	popq	%rbx
	ret

/*
 * Copy helpers whose faults are recovered: the page fault handler sees
 * pcb_onfault set and resumes at copy_fault, which returns EFAULT.
 * int copy_user(void *dst, const void *src, size_t len, uint64_t *onfault)
 * The fault handler resumes at copy_fault with %r8 still pointing at onfault.
 */
	.globl	copy_user
copy_user:
	leaq	copy_fault(%rip), %rax
	movq	%rax, (%rcx)
	movq	%rcx, %r8
	movq	%rdx, %rcx
	rep movsb
	movq	$0, (%r8)
	xorl	%eax, %eax
	ret
	.globl	copy_fault
copy_fault:
	movq	$0, (%r8)
	movl	$14, %eax		/* EFAULT */
	ret

	.section .note.GNU-stack, "", @progbits
