/* Signals with Linux's numbers and kernel-side sigaction layout. */
#ifndef _SYS_SIGNAL_H_
#define _SYS_SIGNAL_H_

#include <sys/types.h>

#define NSIG		64	/* signals 1..64 */
#define SIGHUP		1
#define SIGINT		2
#define SIGQUIT		3
#define SIGILL		4
#define SIGTRAP		5
#define SIGABRT		6
#define SIGBUS		7
#define SIGFPE		8
#define SIGKILL		9
#define SIGUSR1		10
#define SIGSEGV		11
#define SIGUSR2		12
#define SIGPIPE		13
#define SIGALRM		14
#define SIGTERM		15
#define SIGSTKFLT	16
#define SIGCHLD		17
#define SIGCONT		18
#define SIGSTOP		19
#define SIGTSTP		20
#define SIGTTIN		21
#define SIGTTOU		22
#define SIGURG		23
#define SIGXCPU		24
#define SIGXFSZ		25
#define SIGVTALRM	26
#define SIGPROF		27
#define SIGWINCH	28
#define SIGIO		29
#define SIGPWR		30
#define SIGSYS		31

#define sigmask(n)	(1ULL << ((n) - 1))
#define SIG_DFL		((uint64_t)0)
#define SIG_IGN		((uint64_t)1)

#define SA_NOCLDSTOP	0x00000001
#define SA_NOCLDWAIT	0x00000002
#define SA_SIGINFO	0x00000004
#define SA_ONSTACK	0x08000000
#define SA_RESTART	0x10000000
#define SA_NODEFER	0x40000000
#define SA_RESETHAND	0x80000000
#define SA_RESTORER	0x04000000

#define SIG_BLOCK	0
#define SIG_UNBLOCK	1
#define SIG_SETMASK	2

/* struct sigaction as Linux's rt_sigaction passes it (kernel layout). */
struct k_sigaction {
	uint64_t	sa_handler;
	uint64_t	sa_flags;
	uint64_t	sa_restorer;
	sigset_t	sa_mask;
};

struct sigaltstack_k {
	uint64_t	ss_sp;
	int32_t		ss_flags;
	uint32_t	ss_pad;
	uint64_t	ss_size;
};

/* Signal actions of a process; shared between processes with FORK_SHARESIGS. */
struct sigacts {
	uint32_t	sa_refcnt;	/* (p) processes sharing it */
	struct k_sigaction sa_act[NSIG + 1];	/* (p) indexed by signal number */
};

#endif
