/*
 * Process and thread creation for Linux binaries: fork, vfork and clone
 * mapped onto fork1 the way NetBSD's compat_linux linux_sys_clone does,
 * plus CLONE_THREAD (a new LWP in the caller's process, for musl's
 * pthread_create), execve, exit and wait4.
 */
#include <sys/types.h>
#include <sys/systm.h>
#include <sys/proc.h>
#include <sys/tunable.h>
#include <machine/cpu.h>
#include <uvm/uvm.h>
#include "linux_syscall.h"

#define CSIGNAL			0x000000ff
#define CLONE_VM		0x00000100
#define CLONE_FS		0x00000200
#define CLONE_FILES		0x00000400
#define CLONE_SIGHAND		0x00000800
#define CLONE_PIDFD		0x00001000
#define CLONE_PTRACE		0x00002000
#define CLONE_VFORK		0x00004000
#define CLONE_PARENT		0x00008000
#define CLONE_THREAD		0x00010000
#define CLONE_NEWNS		0x00020000
#define CLONE_SYSVSEM		0x00040000
#define CLONE_SETTLS		0x00080000
#define CLONE_PARENT_SETTID	0x00100000
#define CLONE_CHILD_CLEARTID	0x00200000
#define CLONE_DETACHED		0x00400000
#define CLONE_UNTRACED		0x00800000
#define CLONE_CHILD_SETTID	0x01000000
/* Flags forklab implements; any other bit is rejected with EINVAL. */
#define CLONE_SUPPORTED	(CSIGNAL | CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | \
	CLONE_VFORK | CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | \
	CLONE_CHILD_CLEARTID | CLONE_DETACHED | CLONE_CHILD_SETTID)

void	forkhook_establish(void (*)(struct proc *, struct proc *, struct lwp *, struct lwp *));
int	do_wait4(struct lwp *, pid_t, int *, int, pid_t *);
int	execve1(struct lwp *, const char *, char *const *, char *const *);
lwpid_t	lwp_alloc_lid(void);

/* Writes a 32-bit value at `va` of an address space that need not be the current one. */
static int
vm_write32(struct vmspace *vm, vaddr_t va, uint32_t val)
{
	pt_entry_t *pte;
	int error;

	if (!uaddr_ok(va, 4) || (va & 3))
		return EFAULT;
	if ((error = uvm_fault(vm, va, VM_PROT_WRITE)) != 0)
		return error;
	mutex_enter(&vm->vm_lock);
	pte = pmap_pte_lookup(&vm->vm_pmap, va);
	if (pte == NULL || !(*pte & PG_V)) {
		mutex_exit(&vm->vm_lock);
		return EFAULT;
	}
	*(uint32_t *)((uint8_t *)PHYS_TO_DMAP(*pte & PG_FRAME) + (va & PAGE_MASK)) = val;
	mutex_exit(&vm->vm_lock);
	return 0;
}

/*
 * Applies the clone arguments stashed in the creating LWP to a new LWP:
 * TLS, the thread id words and the clear-on-exit address.
 */
static void
linux_clone_apply(struct lwp *l2, struct lwp *l1)
{
	uint64_t flags = l1->l_clone_flags;

	if (flags & CLONE_SETTLS) {
		l2->l_pcb->pcb_fsbase = l1->l_clone_tls;
		l2->l_private = l1->l_clone_tls;
	}
	if (flags & CLONE_CHILD_CLEARTID)
		l2->l_clear_tid = l1->l_clone_ctid;
	if (flags & CLONE_CHILD_SETTID)
		(void)vm_write32(l2->l_proc->p_vmspace, l1->l_clone_ctid, l2->l_lid);
	if (flags & CLONE_PARENT_SETTID)
		(void)suword32((void *)l1->l_clone_ptid, l2->l_lid);
}

/* Fork hook: NetBSD's linux_e_proc_fork counterpart. */
static void
linux_proc_fork(struct proc *p2 __unused, struct proc *p1 __unused, struct lwp *l2, struct lwp *l1)
{
	if (l1->l_clone_flags != 0)
		linux_clone_apply(l2, l1);
}

void
linux_fork_hook_init(void)
{
	forkhook_establish(linux_proc_fork);
}

/* CLONE_THREAD: a new LWP in the caller's process (NetBSD's linux_clone_nptl). */
static int64_t
linux_clone_thread(struct lwp *l1, uint64_t stack)
{
	struct proc *p = l1->l_proc;
	struct uarea *ua;
	struct lwp *l2;

	if ((ua = uvm_uarea_alloc()) == NULL)
		return -ENOMEM;
	if ((l2 = lwp_alloc()) == NULL) {
		uvm_uarea_free(ua);
		return -ENOMEM;
	}
	mutex_enter(&proc_lock);
	l2->l_lid = lwp_alloc_lid();
	mutex_exit(&proc_lock);
	lwp_create(l1, p, ua, l2, 0, (void *)stack, child_return, l2,
	    &l1->l_sigmask, &l1->l_sigstk);
	linux_clone_apply(l2, l1);
	mutex_enter(p->p_lock);
	p->p_nrlwps++;
	mutex_exit(p->p_lock);
	setrunnable_new(l2);
	return l2->l_lid;
}

/* clone(flags, stack, parent_tid, child_tid, tls) */
static int64_t
linux_clone(struct lwp *l, const uint64_t *a)
{
	uint64_t flags = a[0];
	int sig = flags & CSIGNAL;
	int fflags = 0;
	int64_t ret;
	int error;

	if (flags & ~(uint64_t)CLONE_SUPPORTED)
		return -EINVAL;
	/* A thread group implies shared signal actions, which imply a shared address space. */
	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return -EINVAL;
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;
	/* NetBSD rejects exit signals of 64 and above; Linux's legacy clone accepts them. */
	if (sig >= NSIG)
		return -EINVAL;

	l->l_clone_flags = flags & (CLONE_SETTLS | CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID |
	    CLONE_PARENT_SETTID);
	l->l_clone_tls = a[4];
	l->l_clone_ctid = a[3];
	l->l_clone_ptid = a[2];
	if (flags & CLONE_THREAD) {
		ret = linux_clone_thread(l, a[1]);
		l->l_clone_flags = 0;
		return ret;
	}
	if (flags & CLONE_VM)
		fflags |= FORK_SHAREVM;
	if (flags & CLONE_FS)
		fflags |= FORK_SHARECWD;
	if (flags & CLONE_FILES)
		fflags |= FORK_SHAREFILES;
	if (flags & CLONE_SIGHAND)
		fflags |= FORK_SHARESIGS;
	if (flags & CLONE_VFORK)
		fflags |= FORK_PPWAIT;
	error = fork1(l, fflags, sig, a[1] ? (void *)a[1] : NULL, 0, NULL, NULL, &ret);
	l->l_clone_flags = 0;
	return error ? -error : ret;
}

static int64_t
linux_fork(struct lwp *l, const uint64_t *a __unused)
{
	int64_t ret;
	int error = fork1(l, 0, SIGCHLD, NULL, 0, NULL, NULL, &ret);

	return error ? -error : ret;
}

/* vfork: 3BSD (shared address space) or 4.4BSD (copied), as the vfork tunable selects. */
static int64_t
linux_vfork(struct lwp *l, const uint64_t *a __unused)
{
	int flags = FORK_PPWAIT | (tun.vfork == VFORK_SHARE ? FORK_SHAREVM : 0);
	int64_t ret;
	int error = fork1(l, flags, SIGCHLD, NULL, 0, NULL, NULL, &ret);

	return error ? -error : ret;
}

static int64_t
linux_execve(struct lwp *l, const uint64_t *a)
{
	return -execve1(l, (const char *)a[0], (char *const *)a[1], (char *const *)a[2]);
}

static int64_t
linux_exit(struct lwp *l, const uint64_t *a)
{
	struct proc *p = l->l_proc;

	/* exit ends one LWP; the last one ends the process. */
	mutex_enter(p->p_lock);
	bool last = p->p_nrlwps == 1;
	mutex_exit(p->p_lock);
	if (last)
		exit1(l, (int)a[0], 0);
	lwp_exit(l);
}

static int64_t
linux_exit_group(struct lwp *l, const uint64_t *a)
{
	exit1(l, (int)a[0], 0);
}

struct linux_rusage {
	uint64_t	words[18];
};

static int64_t
linux_wait4(struct lwp *l, const uint64_t *a)
{
	int status = 0, error;
	pid_t found = 0;

	error = do_wait4(l, (pid_t)a[0], &status, (int)a[2], &found);
	if (error)
		return -error;
	if (found != 0 && a[1] != 0 && copyout(&status, (void *)a[1], sizeof(status)) != 0)
		return -EFAULT;
	if (a[3] != 0) {
		struct linux_rusage ru;

		memset(&ru, 0, sizeof(ru));
		if (copyout(&ru, (void *)a[3], sizeof(ru)) != 0)
			return -EFAULT;
	}
	return found;
}

void
linux_proc_register(linux_sysfn_t *t)
{
	linux_fork_hook_init();
	t[56] = linux_clone;
	t[57] = linux_fork;
	t[58] = linux_vfork;
	t[59] = linux_execve;
	t[60] = linux_exit;
	t[61] = linux_wait4;
	t[231] = linux_exit_group;
}
