/*
 * Kernel entry: bring up the CPU, memory, the in-memory file system and
 * the clock, apply the tunables from the command line, and start /init as
 * process 1.  The boot thread becomes CPU 0's idle LWP.
 */
#include <sys/types.h>
#include <sys/systm.h>
#include <sys/proc.h>
#include <sys/file.h>
#include <sys/tunable.h>
#include <sys/multiboot.h>
#include <machine/cpu.h>
#include <machine/cpufunc.h>
#include <machine/pmap.h>
#include <uvm/uvm.h>

void	cpu_init(int);
void	cpu_set_kstack(struct cpu_info *, uint64_t);
void	clock_init(void);
void	kmem_init(void);
void	lwp_init(void);
void	sig_init(void);
void	fd_init_pools(void);
void	idle_loop(void *) __noreturn;
void	start_init(void *);
void	linux_emul_init(void);
int	proc_pgrp_create(struct proc *);
void	cpu_lwp_fork(struct lwp *, const struct trapframe *, void *, void (*)(void *), void *);
extern bool panic_at_boot;
extern uint32_t fpu_mxcsr_mask;
extern char boot_stack_top[];

static struct proc proc0;
static struct lwp lwp0;
static struct pcb pcb0;
static struct uarea uarea0;
static struct trapframe *tf0;

#define INIT_MAXARGS	64
static char cmdline_copy[1024];
static char *init_argv[INIT_MAXARGS + 2];

/* Stops the boot: a truncated or invalid command line must never run silently. */
static void __noreturn __attribute__((format(printf, 1, 2)))
cmdline_reject(const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("forklab: config: %s\n", msg);
	printf("forklab: halt: invalid configuration\n");
	cpu_halt_machine(HALT_BAD_CONFIG);
}

/*
 * Splits the command line: the first word is the kernel's file name
 * (QEMU puts it there), key=value words up to "--" are tunables, the rest
 * are /init's arguments.  Halts the machine on an invalid tunable.
 */
static void
parse_cmdline(struct multiboot_info *mbi)
{
	char err[200];
	char *p, *word;
	int argc = 1;
	bool in_args = false, first = true;

	init_argv[0] = "/init";
	if (!(mbi->flags & MBI_CMDLINE))
		return;
	if (strlcpy(cmdline_copy, PHYS_TO_DMAP(mbi->cmdline), sizeof(cmdline_copy)) >=
	    sizeof(cmdline_copy))
		cmdline_reject("the kernel command line is longer than %zu bytes",
		    sizeof(cmdline_copy) - 1);
	for (p = cmdline_copy; *p != '\0';) {
		while (*p == ' ')
			*p++ = '\0';
		if (*p == '\0')
			break;
		word = p;
		while (*p != '\0' && *p != ' ')
			p++;
		if (*p == ' ')
			*p++ = '\0';
		if (first) {
			first = false;
			if (strchr(word, '=') == NULL && strcmp(word, "--") != 0)
				continue;	/* the kernel's file name */
		}
		if (in_args) {
			if (argc >= INIT_MAXARGS)
				cmdline_reject("/init has more than %d arguments", INIT_MAXARGS - 1);
			init_argv[argc++] = word;
			continue;
		}
		if (strcmp(word, "--") == 0) {
			in_args = true;
			continue;
		}
		if (tunables_apply(word, strlen(word), err, sizeof(err)) != 0)
			cmdline_reject("%s", err);
	}
	init_argv[argc] = NULL;
}

/* proc0 and lwp0: the kernel's own process, whose LWP is the idle loop. */
static void
proc0_init(void)
{
	struct cpu_info *ci = curcpu();

	proc0.p_lock = &proc0.p_lock_store;
	mutex_init(&proc0.p_lock_store, "proc0");
	proc0.p_stat = SACTIVE;
	proc0.p_flag = PK_SYSTEM;
	proc0.p_waitchan = &proc0;
	LIST_INIT(&proc0.p_lwps);
	LIST_INIT(&proc0.p_children);
	strlcpy(proc0.p_comm, "swapper", sizeof(proc0.p_comm));
	lwp0.l_proc = &proc0;
	lwp0.l_flag = LW_SYSTEM;
	lwp0.l_stat = LSONPROC;
	lwp0.l_pcb = &pcb0;
	uarea0.ua_va = (vaddr_t)boot_stack_top - 16384;
	uarea0.ua_pages = 4;
	lwp0.l_uarea = &uarea0;
	tf0 = (struct trapframe *)((uint64_t)boot_stack_top - sizeof(struct trapframe));
	lwp0.l_md_regs = tf0;
	LIST_INSERT_HEAD(&proc0.p_lwps, &lwp0, l_sibling);
	ci->ci_curlwp = &lwp0;
	ci->ci_idlelwp = &lwp0;
}

static struct file *
console_file(int port, int flag)
{
	struct file *fp = file_alloc(FT_CONSOLE, flag);

	if (fp == NULL)
		panic("console_file: no memory");
	fp->f_console = port;
	return fp;
}

/* Builds process 1 by hand; its LWP loads /init when it first runs. */
static void
init_create(void)
{
	struct proc *p = proc_alloc();
	struct lwp *l = lwp_alloc();
	struct uarea *ua = uvm_uarea_alloc();
	struct filedesc *fdp = fd_alloc();

	if (p == NULL || l == NULL || ua == NULL || fdp == NULL)
		panic("init_create: no memory");
	LIST_INIT(&p->p_lwps);
	LIST_INIT(&p->p_children);
	strlcpy(p->p_comm, "init", sizeof(p->p_comm));
	p->p_pptr = &proc0;
	p->p_stat = SACTIVE;
	p->p_vmspace = uvmspace_alloc();
	p->p_cwdi = cwdinit(NULL);
	p->p_limit = lim_alloc_default();
	p->p_sigacts = sigacts_alloc();
	if (p->p_vmspace == NULL || p->p_cwdi == NULL || p->p_limit == NULL || p->p_sigacts == NULL)
		panic("init_create: no memory");
	p->p_fd = fdp;
	fd_install(fdp, console_file(0, O_RDONLY), 0, false);	/* stdin: always at end of file */
	fd_install(fdp, console_file(0, O_WRONLY), 1, false);	/* stdout: COM1 */
	fd_install(fdp, console_file(1, O_WRONLY), 2, false);	/* stderr: COM2 */

	mutex_enter(&proc_lock);
	proc_alloc_pid(p);
	KASSERT(p->p_pid == 1);
	proc_pgrp_create(p);
	(void)chgproccnt(p->p_uid, 1);
	nprocs++;
	LIST_INSERT_HEAD(&proc0.p_children, p, p_sibling);
	LIST_INSERT_HEAD(&allproc, p, p_list);
	initproc = p;
	mutex_exit(&proc_lock);

	l->l_lid = 1;
	l->l_proc = p;
	l->l_uarea = ua;
	l->l_pcb = (struct pcb *)ua->ua_va;
	l->l_stat = LSIDL;
	l->l_syscall_restart = -1;
	l->l_fpu_state = LFPU_NONE;
	cpu_lwp_fork(l, NULL, NULL, start_init, init_argv);
	LIST_INSERT_HEAD(&p->p_lwps, l, l_sibling);
	p->p_nlwps = p->p_nrlwps = 1;
	nlwps++;
	mutex_enter(&sched_lock);
	setrunnable(l);
	mutex_exit(&sched_lock);
}

static void
fpu_probe(void)
{
	uint8_t area[512] __aligned(16);
	uint32_t mask;

	clts();
	__asm volatile("fninit; fxsave64 (%0)" :: "r"(area) : "memory");
	mask = *(uint32_t *)(area + 28);
	fpu_mxcsr_mask = mask ? mask : 0xffbf;
}

void
kmain(uint32_t magic, uint32_t mbi_phys)
{
	struct multiboot_info *mbi = PHYS_TO_DMAP(mbi_phys);
	char config[160];

	cpu_init(0);
	cons_init();
	proc0_init();
	if (magic != MULTIBOOT_BOOTLOADER_MAGIC)
		panic("kmain: not started by a multiboot loader (magic %#x)", magic);
	printf("forklab: booting\n");
	uvm_page_init(mbi);
	kmem_init();
	uvm_init();
	proc_init();
	lwp_init();
	sig_init();
	fd_init_pools();
	sched_init();
	clock_init();
	fpu_probe();
	parse_cmdline(mbi);
	memfs_init(mbi);
	linux_emul_init();
	tunables_format(config, sizeof(config));
	printf("forklab: config: %s", config);
	printf("forklab: tsc: %lu Hz\n", tsc_hz);
	if (panic_at_boot)
		panic("kmain: panic requested by panic_at=boot");
	cpu_set_kstack(curcpu(), (uint64_t)boot_stack_top);
	failpoint_hold(true);	/* a boot-time failpoint is for the forks, not for init */
	init_create();
	failpoint_hold(false);
	sti();
	idle_loop(NULL);
}
