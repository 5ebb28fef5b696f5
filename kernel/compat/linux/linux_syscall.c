/*
 * System call entry for Linux x86-64 binaries: the number in RAX indexes
 * a table of handlers, arguments come in RDI, RSI, RDX, R10, R8, R9, and
 * the result (or a negative errno) goes back in RAX.  An unknown number
 * returns -ENOSYS and is counted; the counts are printed at shutdown.
 */
#include <sys/types.h>
#include <sys/systm.h>
#include <sys/proc.h>
#include <machine/frame.h>
#include "linux_syscall.h"

#define LINUX_SYS_rt_sigreturn	15

static linux_sysfn_t linux_sysent[LINUX_SYS_MAX];
static uint64_t enosys_count[LINUX_SYS_MAX + 1];	/* last slot: numbers beyond the table */

int	sys_rt_sigreturn(struct lwp *, struct trapframe *);

void
linux_emul_init(void)
{
	linux_file_register(linux_sysent);
	linux_misc_register(linux_sysent);
	linux_proc_register(linux_sysent);
	linux_mman_register(linux_sysent);
}

uint64_t
syscall_enosys_total(void)
{
	uint64_t n = 0;

	for (int i = 0; i <= LINUX_SYS_MAX; i++)
		n += enosys_count[i];
	return n;
}

void
syscall_report_enosys(void)
{
	for (int i = 0; i <= LINUX_SYS_MAX; i++) {
		if (enosys_count[i] == 0)
			continue;
		if (i == LINUX_SYS_MAX)
			printf("forklab: enosys: numbers >= %d called %lu times\n", LINUX_SYS_MAX,
			    enosys_count[i]);
		else
			printf("forklab: enosys: system call %d called %lu times\n", i, enosys_count[i]);
	}
}

/* Entry from locore's syscall_entry, with interrupts enabled. */
void
syscall(struct trapframe *tf)
{
	struct lwp *l = curlwp;
	uint64_t nr = tf->tf_rax;
	uint64_t arg[6] = { tf->tf_rdi, tf->tf_rsi, tf->tf_rdx, tf->tf_r10, tf->tf_r8, tf->tf_r9 };
	int64_t ret;

	l->l_syscall_restart = nr;
	if (nr == LINUX_SYS_rt_sigreturn) {
		/* The trap frame now holds the interrupted context, RAX included. */
		if (sys_rt_sigreturn(l, tf) != 0)
			sigexit(l, SIGSEGV);
	} else {
		if (nr < LINUX_SYS_MAX && linux_sysent[nr] != NULL) {
			ret = linux_sysent[nr](l, arg);
		} else {
			enosys_count[MIN(nr, (uint64_t)LINUX_SYS_MAX)]++;
			ret = -ENOSYS;
		}
		tf->tf_rax = ret;
	}
	userret(l, tf);
}
