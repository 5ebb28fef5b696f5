/*
 * Machine-dependent setup: segments, the interrupt table, per-CPU data,
 * the syscall MSRs, the FPU, and the cpu_* hooks the machine-independent
 * code calls for LWP creation, switching and machine halt.
 */
#include <sys/types.h>
#include <sys/systm.h>
#include <sys/proc.h>
#include <sys/tunable.h>
#include <machine/cpufunc.h>
#include <machine/cpu.h>
#include <machine/frame.h>
#include <machine/pmap.h>
#include <uvm/uvm.h>

struct cpu_info cpu_info_store[MAXCPUS];
int ncpu = 1;

struct tss {
	uint32_t	tss_rsvd0;
	uint64_t	tss_rsp0;
	uint64_t	tss_rsp1;
	uint64_t	tss_rsp2;
	uint64_t	tss_rsvd1;
	uint64_t	tss_ist[7];
	uint64_t	tss_rsvd2;
	uint16_t	tss_rsvd3;
	uint16_t	tss_iobase;
} __packed;

struct gate {
	uint16_t	g_off0;
	uint16_t	g_sel;
	uint8_t		g_ist;
	uint8_t		g_type;
	uint16_t	g_off1;
	uint32_t	g_off2;
	uint32_t	g_rsvd;
} __packed;

static uint64_t gdt[MAXCPUS][8] __aligned(16);
/* Double faults run on their own stack, so a kernel stack overflow still reaches panic. */
static uint8_t doublefault_stack[MAXCPUS][8192] __aligned(16);
static struct tss cpu_tss[MAXCPUS] __aligned(16);
static struct gate idt[256] __aligned(16);

struct descptr {
	uint16_t	limit;
	uint64_t	base;
} __packed;

extern char syscall_entry[];
#define TRAPSYM(n) extern char Xtrap##n[];
TRAPSYM(0) TRAPSYM(1) TRAPSYM(2) TRAPSYM(3) TRAPSYM(4) TRAPSYM(5) TRAPSYM(6)
TRAPSYM(7) TRAPSYM(8) TRAPSYM(9) TRAPSYM(10) TRAPSYM(11) TRAPSYM(12)
TRAPSYM(13) TRAPSYM(14) TRAPSYM(15) TRAPSYM(16) TRAPSYM(17) TRAPSYM(18)
TRAPSYM(19) TRAPSYM(20) TRAPSYM(32) TRAPSYM(33) TRAPSYM(34) TRAPSYM(35)
TRAPSYM(36) TRAPSYM(37) TRAPSYM(38) TRAPSYM(39) TRAPSYM(40) TRAPSYM(41)
TRAPSYM(42) TRAPSYM(43) TRAPSYM(44) TRAPSYM(45) TRAPSYM(46) TRAPSYM(47)
TRAPSYM(255)

static void
setgate(int vec, void *fn, int dpl)
{
	uint64_t off = (uint64_t)fn;
	struct gate *g = &idt[vec];

	g->g_off0 = off & 0xffff;
	g->g_sel = GSEL_KCODE;
	g->g_ist = 0;
	g->g_type = 0x8e | (dpl << 5);	/* present, 64-bit interrupt gate */
	g->g_off1 = (off >> 16) & 0xffff;
	g->g_off2 = off >> 32;
	g->g_rsvd = 0;
}

static void
idt_init(void)
{
	void *vec[] = { Xtrap0, Xtrap1, Xtrap2, Xtrap3, Xtrap4, Xtrap5, Xtrap6,
	    Xtrap7, Xtrap8, Xtrap9, Xtrap10, Xtrap11, Xtrap12, Xtrap13, Xtrap14,
	    Xtrap15, Xtrap16, Xtrap17, Xtrap18, Xtrap19, Xtrap20 };
	void *irq[] = { Xtrap32, Xtrap33, Xtrap34, Xtrap35, Xtrap36, Xtrap37,
	    Xtrap38, Xtrap39, Xtrap40, Xtrap41, Xtrap42, Xtrap43, Xtrap44,
	    Xtrap45, Xtrap46, Xtrap47 };

	for (int i = 0; i < 256; i++)
		setgate(i, Xtrap255, 0);
	for (size_t i = 0; i < nitems(vec); i++)
		setgate(i, vec[i], i == T_BPT ? 3 : 0);
	idt[T_DOUBLEFLT].g_ist = 1;
	for (size_t i = 0; i < nitems(irq); i++)
		setgate(T_IRQ0 + i, irq[i], 0);
}

/* Builds the GDT and TSS of CPU `n` and loads them with the IDT. */
static void
cpu_load_descriptors(int n)
{
	uint64_t *g = gdt[n];
	uint64_t tss = (uint64_t)&cpu_tss[n];
	uint64_t limit = sizeof(struct tss) - 1;
	struct descptr gp, ip;

	g[0] = 0;
	g[1] = 0x00af9a000000ffffULL;	/* kernel code */
	g[2] = 0x00cf92000000ffffULL;	/* kernel data */
	g[3] = 0x00cff2000000ffffULL;	/* user data, DPL 3 */
	g[4] = 0x00affa000000ffffULL;	/* user code 64-bit, DPL 3 */
	g[5] = (limit & 0xffff) | ((tss & 0xffffff) << 16) |
	    (0x89ULL << 40) | (((limit >> 16) & 0xf) << 48) |
	    (((tss >> 24) & 0xff) << 56);
	g[6] = tss >> 32;
	cpu_tss[n].tss_iobase = sizeof(struct tss);
	cpu_tss[n].tss_ist[0] = (uint64_t)&doublefault_stack[n][sizeof(doublefault_stack[n])];

	gp.limit = sizeof(gdt[n]) - 1;
	gp.base = (uint64_t)g;
	ip.limit = sizeof(idt) - 1;
	ip.base = (uint64_t)idt;
	__asm volatile("lgdt %0" :: "m"(gp));
	__asm volatile("lidt %0" :: "m"(ip));
	__asm volatile(
	    "movw %0, %%ds; movw %0, %%es; movw %0, %%ss;"
	    "pushq %1; leaq 1f(%%rip), %%rax; pushq %%rax; lretq; 1:"
	    :: "r"((uint16_t)GSEL_KDATA), "i"(GSEL_KCODE) : "rax", "memory");
	__asm volatile("ltr %0" :: "r"((uint16_t)GSEL_TSS));
}

/* Prepares CPU `n`: descriptors, per-CPU GS base, syscall MSRs, FPU and paging features. */
void
cpu_init(int n)
{
	struct cpu_info *ci = &cpu_info_store[n];

	if (n == 0)
		idt_init();
	cpu_load_descriptors(n);
	ci->ci_self = ci;
	ci->ci_index = n;
	wrmsr(MSR_GSBASE, (uint64_t)ci);
	wrmsr(MSR_KERNELGSBASE, 0);

	/* syscall: kernel CS 0x08/SS 0x10; sysret base 0x10 gives user SS 0x1b, CS 0x23. */
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	wrmsr(MSR_STAR, ((uint64_t)0x10 << 48) | ((uint64_t)GSEL_KCODE << 32));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	wrmsr(MSR_SFMASK, PSL_I | 0x100 /* TF */ | 0x400 /* DF */ | 0x40000 /* AC */);

	/* SSE with FXSAVE, and kernel writes honour read-only pages (copy-on-write). */
	lcr0((rcr0() & ~(uint64_t)CR0_EM) | CR0_MP | CR0_WP);
	lcr4(rcr4() | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_PGE);
}

/* Sets the kernel stack used on entry from user mode for the LWP about to run. */
void
cpu_set_kstack(struct cpu_info *ci, uint64_t top)
{
	cpu_tss[ci->ci_index].tss_rsp0 = top;
	ci->ci_kstack_top = top;
}

static inline void fxsave(void *p) { __asm volatile("fxsave64 (%0)" :: "r"(p) : "memory"); }
static inline void fxrstor(const void *p) { __asm volatile("fxrstor64 (%0)" :: "r"(p) : "memory"); }

/* Initial FPU state of a new program: what fninit and the default MXCSR give. */
static void
fpu_init_state(uint8_t *area)
{
	memset(area, 0, 512);
	*(uint16_t *)(area + 0) = 0x037f;	/* FCW */
	*(uint32_t *)(area + 24) = 0x1f80;	/* MXCSR */
	*(uint32_t *)(area + 28) = 0xffff;	/* MXCSR mask */
}

/* Saves the running LWP's FPU registers into its PCB, if they are loaded. */
void
fpu_save(struct lwp *l)
{
	struct cpu_info *ci = curcpu();

	if (ci->ci_fpulwp == l) {
		fxsave(l->l_pcb->pcb_fpu);
		l->l_fpu_state = LFPU_SAVED;
	}
}

/*
 * Loads the FPU for `l` as it is switched in.  A lazily forked child starts
 * with CR0.TS set, so its first FPU instruction traps to fpu_dna().
 */
static void
fpu_switch(struct cpu_info *ci, struct lwp *old, struct lwp *new)
{
	if (ci->ci_fpulwp != NULL && ci->ci_fpulwp == old)
		fxsave(old->l_pcb->pcb_fpu);
	ci->ci_fpulwp = NULL;
	if (new->l_flag & LW_SYSTEM) {
		stts();
		return;
	}
	switch (new->l_fpu_state) {
	case LFPU_NONE:
		fpu_init_state(new->l_pcb->pcb_fpu);
		new->l_fpu_state = LFPU_SAVED;
		/* FALLTHROUGH */
	case LFPU_SAVED:
		clts();
		fxrstor(new->l_pcb->pcb_fpu);
		ci->ci_fpulwp = new;
		break;
	case LFPU_LAZY:
		stts();
		break;
	}
}

void	fpu_snapshot_release(void *);

/* Handles the device-not-available trap: the first FPU use of a lazily forked LWP. */
void
fpu_dna(struct lwp *l)
{
	struct cpu_info *ci = curcpu();

	clts();
	if (l->l_fpu_state == LFPU_LAZY) {
		memcpy(l->l_pcb->pcb_fpu, l->l_fpu_src, 512);
		fpu_snapshot_release(l->l_fpu_src);
		l->l_fpu_src = NULL;
		l->l_fpu_state = LFPU_SAVED;
	} else if (l->l_fpu_state == LFPU_NONE) {
		fpu_init_state(l->l_pcb->pcb_fpu);
		l->l_fpu_state = LFPU_SAVED;
	}
	fxrstor(l->l_pcb->pcb_fpu);
	ci->ci_fpulwp = l;
}

/* Resets the FPU state of `l` for a new program image (execve). */
void
fpu_exec(struct lwp *l)
{
	if (l->l_fpu_state == LFPU_LAZY) {
		fpu_snapshot_release(l->l_fpu_src);
		l->l_fpu_src = NULL;
	}
	fpu_init_state(l->l_pcb->pcb_fpu);
	l->l_fpu_state = LFPU_SAVED;
	if (curcpu()->ci_fpulwp == l) {
		clts();
		fxrstor(l->l_pcb->pcb_fpu);
	}
}

/*
 * Machine part of switching from `old` to `new`: address space, kernel
 * stack, TLS base and FPU.  Called with sched_lock held.
 */
void
cpu_switch_md(struct lwp *old, struct lwp *new)
{
	struct cpu_info *ci = curcpu();
	struct proc *p = new->l_proc;

	if (!(old->l_flag & LW_SYSTEM))
		old->l_pcb->pcb_fsbase = rdmsr(MSR_FSBASE);
	if (!(new->l_flag & LW_SYSTEM)) {
		pmap_activate(&p->p_vmspace->vm_pmap);
		wrmsr(MSR_FSBASE, new->l_pcb->pcb_fsbase);
	}
	cpu_set_kstack(ci, (uint64_t)new->l_md_regs + sizeof(struct trapframe));
	fpu_switch(ci, old, new);
}

/*
 * Sets up the kernel stack of a new LWP so that its first switch-in runs
 * func(arg) and then returns to user mode with a copy of `tf` (the
 * creator's registers).  A NULL `tf` leaves the user frame zeroed.
 */
void
cpu_lwp_fork(struct lwp *l2, const struct trapframe *tf, void *stack,
    void (*func)(void *), void *arg)
{
	extern char lwp_trampoline[];
	uint64_t top = l2->l_uarea->ua_va + (uint64_t)l2->l_uarea->ua_pages * PAGE_SIZE;
	struct trapframe *tf2 = (struct trapframe *)(top - sizeof(*tf2));
	struct switchframe *sf = (struct switchframe *)tf2 - 1;

	if (tf != NULL)
		*tf2 = *tf;
	else
		memset(tf2, 0, sizeof(*tf2));
	if (stack != NULL)
		tf2->tf_rsp = (uint64_t)stack;
	l2->l_md_regs = tf2;
	memset(sf, 0, sizeof(*sf));
	sf->sf_r12 = (uint64_t)func;
	sf->sf_r13 = (uint64_t)arg;
	sf->sf_rip = (uint64_t)lwp_trampoline;
	l2->l_pcb->pcb_rsp = (uint64_t)sf;
}

/* Ends the virtual machine through QEMU's isa-debug-exit device (port 0xf4). */
void
cpu_halt_machine(int code)
{
	cli();
	outb(0xf4, (uint8_t)code);
	/* Without the device, stop here; QEMU's -no-reboot ends on a triple fault only. */
	for (;;)
		hlt();
}

/* Prints the return addresses of the frame-pointer chain, for addr2line. */
void
cpu_backtrace(uint64_t rbp)
{
	for (int depth = 0; depth < 16 && rbp >= KERNBASE && (rbp & 7) == 0; depth++) {
		uint64_t ret = ((uint64_t *)rbp)[1];

		if (ret < KERNBASE)
			break;
		printf("forklab: bt: %#lx\n", ret);
		rbp = ((uint64_t *)rbp)[0];
	}
}
