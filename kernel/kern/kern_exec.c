/*
 * execve: loads a static ELF64 x86-64 program from the in-memory file
 * system into a new address space and builds the System V initial stack
 * (argc, argv, envp, auxv) that musl's start code expects.
 *
 * Everything that can fail (lookup, ELF checks, argument copy, the new
 * address space) happens before the old image is touched.
 */
#include <sys/types.h>
#include <sys/systm.h>
#include <sys/proc.h>
#include <sys/file.h>
#include <machine/cpufunc.h>
#include <machine/frame.h>
#include <machine/pmap.h>
#include <uvm/uvm.h>

#define ARG_MAX		(128 * 1024)	/* bytes of argument and environment strings */
#define MAXARGS		4096
#define STACK_TOP	0x00007ffffffff000UL
#define STACK_SIZE	(8UL << 20)

#define AT_NULL		0
#define AT_PHDR		3
#define AT_PHENT	4
#define AT_PHNUM	5
#define AT_PAGESZ	6
#define AT_BASE		7
#define AT_FLAGS	8
#define AT_ENTRY	9
#define AT_UID		11
#define AT_EUID		12
#define AT_GID		13
#define AT_EGID		14
#define AT_PLATFORM	15
#define AT_HWCAP	16
#define AT_CLKTCK	17
#define AT_SECURE	23
#define AT_RANDOM	25
#define AT_EXECFN	31

struct elf64_ehdr {
	uint8_t		e_ident[16];
	uint16_t	e_type, e_machine;
	uint32_t	e_version;
	uint64_t	e_entry, e_phoff, e_shoff;
	uint32_t	e_flags;
	uint16_t	e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};

struct elf64_phdr {
	uint32_t	p_type, p_flags;
	uint64_t	p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
};

#define PT_LOAD		1
#define PT_PHDR		6
#define PF_X		1
#define PF_W		2
#define PF_R		4
#define ET_EXEC		2
#define ET_DYN		3
#define EM_X86_64	62
#define PIE_BASE	0x555555554000UL	/* where Linux puts a static PIE, for familiarity */

/* Argument and environment strings gathered in kernel memory. */
struct exec_args {
	char	*ea_buf;	/* argc strings, then envc strings, NUL-terminated */
	size_t	ea_len;
	int	ea_argc;
	int	ea_envc;
};

void	fpu_exec(struct lwp *);
void	proc_vfork_done(struct proc *);

static int
exec_args_add(struct exec_args *ea, const char *s, size_t len)
{
	if (ea->ea_len + len + 1 > ARG_MAX)
		return E2BIG;
	memcpy(ea->ea_buf + ea->ea_len, s, len);
	ea->ea_buf[ea->ea_len + len] = '\0';
	ea->ea_len += len + 1;
	return 0;
}

/* Copies a NULL-terminated user array of strings into ea. */
static int
exec_args_copyin(struct exec_args *ea, char *const *uvec, int *count)
{
	for (int i = 0; uvec != NULL; i++) {
		uint64_t up;
		size_t done;
		int error;

		if (i >= MAXARGS)
			return E2BIG;
		if (copyin(&uvec[i], &up, sizeof(up)) != 0)
			return EFAULT;
		if (up == 0)
			break;
		error = copyinstr((void *)up, ea->ea_buf + ea->ea_len, ARG_MAX - ea->ea_len, &done);
		if (error == ENAMETOOLONG)
			return E2BIG;
		if (error)
			return error;
		ea->ea_len += done;
		(*count)++;
	}
	return 0;
}

/*
 * Returns a kernel pointer to the byte at `va` in vm (not the current
 * address space), allocating a zero page with the entry's protection.
 */
static uint8_t *
exec_page(struct vmspace *vm, vaddr_t va)
{
	pt_entry_t *pte = pmap_pte(&vm->vm_pmap, va, true);

	if (pte == NULL)
		return NULL;
	if (!(*pte & PG_V)) {
		struct vm_map_entry *e = uvm_map_lookup(vm, va);
		struct vm_page *pg = uvm_pagealloc(UVM_PGA_ZERO);

		KASSERT(e != NULL);
		if (pg == NULL)
			return NULL;
		pmap_pte_enter(pte, VM_PAGE_TO_PHYS(pg) | PG_V | PG_U |
		    ((e->e_prot & VM_PROT_WRITE) ? PG_RW : 0));
	}
	return (uint8_t *)PHYS_TO_DMAP(*pte & PG_FRAME) + (va & PAGE_MASK);
}

static int
exec_copy(struct vmspace *vm, vaddr_t va, const void *src, size_t len)
{
	const uint8_t *s = src;

	while (len > 0) {
		size_t chunk = MIN(len, PAGE_SIZE - (va & PAGE_MASK));
		uint8_t *dst = exec_page(vm, va);

		if (dst == NULL)
			return ENOMEM;
		memcpy(dst, s, chunk);
		va += chunk;
		s += chunk;
		len -= chunk;
	}
	return 0;
}

static int
elf_prot(uint32_t flags)
{
	return ((flags & PF_R) ? VM_PROT_READ : 0) | ((flags & PF_W) ? VM_PROT_WRITE : 0) |
	    ((flags & PF_X) ? VM_PROT_EXEC : 0);
}

/* Loads the PT_LOAD segments of `n` into vm; sets the entry, phdr address and break. */
static int
exec_load_elf(struct memfs_node *n, struct vmspace *vm, uint64_t *entry, uint64_t *phdr,
    uint16_t *phnum)
{
	const struct elf64_ehdr *eh = (const void *)n->mn_data;
	const struct elf64_phdr *ph;
	uint64_t bias = 0, brk = 0, prev_end = 0;
	int error;

	if (n->mn_size < sizeof(*eh) || memcmp(eh->e_ident, "\177ELF", 4) != 0 ||
	    eh->e_ident[4] != 2 || eh->e_machine != EM_X86_64 ||
	    (eh->e_type != ET_EXEC && eh->e_type != ET_DYN) ||
	    eh->e_phentsize != sizeof(*ph) ||
	    eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(*ph) > n->mn_size)
		return ENOEXEC;
	if (eh->e_type == ET_DYN)
		bias = PIE_BASE;
	ph = (const void *)(n->mn_data + eh->e_phoff);
	*phdr = 0;
	for (int i = 0; i < eh->e_phnum; i++) {
		const struct elf64_phdr *p = &ph[i];
		vaddr_t start, end;

		if (p->p_type == PT_PHDR)
			*phdr = p->p_vaddr + bias;
		if (p->p_type != PT_LOAD || p->p_memsz == 0)
			continue;
		if (p->p_offset + p->p_filesz > n->mn_size || p->p_filesz > p->p_memsz ||
		    p->p_vaddr + bias + p->p_memsz > VM_MAX_USER || p->p_vaddr + bias < VM_MIN_USER)
			return ENOEXEC;
		if (p->p_offset == 0 && *phdr == 0)
			*phdr = p->p_vaddr + bias + eh->e_phoff;
		start = rounddown(p->p_vaddr + bias, PAGE_SIZE);
		end = roundup(p->p_vaddr + bias + p->p_memsz, PAGE_SIZE);
		/* A page shared with the previous segment keeps that segment's entry. */
		if (start < prev_end)
			start = prev_end;
		if (start < end) {
			vaddr_t at = start;

			error = uvm_map_anon(vm, &at, end - start, elf_prot(p->p_flags), 0, true);
			if (error)
				return error;
		}
		if ((error = exec_copy(vm, p->p_vaddr + bias, n->mn_data + p->p_offset,
		    p->p_filesz)) != 0)
			return error;
		prev_end = MAX(prev_end, end);
		brk = MAX(brk, end);
	}
	if (brk == 0)
		return ENOEXEC;
	*entry = eh->e_entry + bias;
	*phnum = eh->e_phnum;
	vm->vm_brk_start = vm->vm_brk = brk;
	return 0;
}

/* Builds argc, argv, envp, auxv and their strings at the top of the new stack. */
static int
exec_stack(struct vmspace *vm, struct exec_args *ea, const char *path, uint64_t entry,
    uint64_t phdr, uint16_t phnum, struct proc *p, uint64_t *sp_out)
{
	uint64_t sp = STACK_TOP, strings, random, platform, execfn;
	size_t words_pages = howmany((ea->ea_argc + ea->ea_envc + 48) * sizeof(uint64_t), PAGE_SIZE);
	uint64_t *words;
	int nw = 0, error;
	uint8_t rnd[16];
	uint64_t seed = rdtsc();

	sp -= ea->ea_len;
	strings = sp;
	if ((error = exec_copy(vm, strings, ea->ea_buf, ea->ea_len)) != 0)
		return error;
	sp -= strlen(path) + 1;
	execfn = sp;
	if ((error = exec_copy(vm, execfn, path, strlen(path) + 1)) != 0)
		return error;
	sp -= 7;
	platform = sp;
	if ((error = exec_copy(vm, platform, "x86_64", 7)) != 0)
		return error;
	/* The vector can be large (MAXARGS pointers): too big for the kernel stack. */
	if ((words = uvm_km_alloc(words_pages, false)) == NULL)
		return ENOMEM;
	for (int i = 0; i < 16; i++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		rnd[i] = seed >> 56;
	}
	sp = (sp - 16) & ~15UL;
	random = sp;
	if ((error = exec_copy(vm, random, rnd, 16)) != 0)
		goto out;

	words[nw++] = ea->ea_argc;
	uint64_t s = strings;
	for (int i = 0; i < ea->ea_argc + ea->ea_envc; i++) {
		words[nw++] = s;
		if (i == ea->ea_argc - 1)
			words[nw++] = 0;	/* end of argv */
		while (ea->ea_buf[s - strings] != '\0')
			s++;
		s++;
	}
	if (ea->ea_argc == 0)
		words[nw++] = 0;
	words[nw++] = 0;			/* end of envp */
#define AUX(k, v) do { words[nw++] = (k); words[nw++] = (v); } while (0)
	AUX(AT_PHDR, phdr);
	AUX(AT_PHENT, sizeof(struct elf64_phdr));
	AUX(AT_PHNUM, phnum);
	AUX(AT_PAGESZ, PAGE_SIZE);
	AUX(AT_BASE, 0);
	AUX(AT_FLAGS, 0);
	AUX(AT_ENTRY, entry);
	AUX(AT_UID, p->p_uid);
	AUX(AT_EUID, p->p_euid);
	AUX(AT_GID, p->p_gid);
	AUX(AT_EGID, p->p_egid);
	AUX(AT_SECURE, 0);
	AUX(AT_HWCAP, 0x178bfbff);
	AUX(AT_CLKTCK, 100);
	AUX(AT_PLATFORM, platform);
	AUX(AT_RANDOM, random);
	AUX(AT_EXECFN, execfn);
	AUX(AT_NULL, 0);
#undef AUX
	sp -= nw * sizeof(uint64_t);
	sp &= ~15UL;
	if ((error = exec_copy(vm, sp, words, nw * sizeof(uint64_t))) != 0)
		goto out;
	*sp_out = sp;
out:
	uvm_km_free(words, words_pages);
	return error;
}

/*
 * Replaces l's process image with the program at `path` (kernel string)
 * and the arguments in `ea`.  On success the trap frame starts the new
 * program; returns 0 or an errno with the old image intact.
 */
static int
exec_image(struct lwp *l, const char *path, struct exec_args *ea)
{
	struct proc *p = l->l_proc;
	struct memfs_node *n;
	struct vmspace *vm, *oldvm;
	struct trapframe *tf = l->l_md_regs;
	uint64_t entry, phdr, sp;
	uint16_t phnum;
	vaddr_t stack;
	int error;

	if ((error = memfs_lookup(p->p_cwdi->cwdi_path, path, &n)) != 0)
		return error;
	if (n->mn_type == MEMFS_DIR)
		return EACCES;
	if (n->mn_type != MEMFS_REG)
		return EACCES;
	if ((vm = uvmspace_alloc()) == NULL)
		return ENOMEM;
	if ((error = exec_load_elf(n, vm, &entry, &phdr, &phnum)) != 0)
		goto bad;
	stack = STACK_TOP - STACK_SIZE;
	error = uvm_map_anon(vm, &stack, STACK_SIZE, VM_PROT_READ | VM_PROT_WRITE,
	    UVM_ET_STACK, true);
	if (error)
		goto bad;
	vm->vm_mmap_top = stack - PAGE_SIZE * 16;	/* a gap below the stack */
	if ((error = exec_stack(vm, ea, path, entry, phdr, phnum, p, &sp)) != 0)
		goto bad;

	/* The point of no return: the old image goes. */
	exit_lwps(l);
	mutex_enter(p->p_lock);
	oldvm = p->p_vmspace;
	p->p_vmspace = vm;
	mutex_exit(p->p_lock);
	pmap_activate(&vm->vm_pmap);
	uvmspace_free(oldvm);

	fd_closeexec(p->p_fd);
	mutex_enter(p->p_lock);
	sigactsexec(p);
	p->p_flag |= PK_EXEC;
	const char *base = path;
	for (const char *c = path; *c; c++)
		if (*c == '/')
			base = c + 1;
	strlcpy(p->p_comm, base, sizeof(p->p_comm));
	mutex_exit(p->p_lock);
	memset(&l->l_sigstk, 0, sizeof(l->l_sigstk));
	l->l_clear_tid = 0;
	l->l_private = 0;
	l->l_pcb->pcb_fsbase = 0;
	wrmsr(MSR_FSBASE, 0);
	fpu_exec(l);
	proc_vfork_done(p);

	memset(tf, 0, sizeof(*tf));
	tf->tf_rip = entry;
	tf->tf_rsp = sp;
	tf->tf_rflags = PSL_I | 0x2;
	tf->tf_cs = GSEL_UCODE;
	tf->tf_ss = GSEL_UDATA;
	tf->tf_trapno = T_SYSCALL;
	return 0;

bad:
	uvmspace_free(vm);
	return error;
}

/* The execve system call; returns 0 or an errno. */
int
execve1(struct lwp *l, const char *upath, char *const *uargv, char *const *uenvp)
{
	struct exec_args ea = { 0 };
	char path[256];
	size_t done;
	int error;

	if ((error = copyinstr(upath, path, sizeof(path), &done)) != 0)
		return error;
	if ((ea.ea_buf = uvm_km_alloc(ARG_MAX / PAGE_SIZE, false)) == NULL)
		return ENOMEM;
	error = exec_args_copyin(&ea, uargv, &ea.ea_argc);
	if (error == 0)
		error = exec_args_copyin(&ea, uenvp, &ea.ea_envc);
	if (error == 0)
		error = exec_image(l, path, &ea);
	uvm_km_free(ea.ea_buf, ARG_MAX / PAGE_SIZE);
	return error;
}

/* Runs in init's first LWP: loads /init with the arguments from the kernel command line. */
void
start_init(void *arg)
{
	char **argv = arg;
	struct exec_args ea = { 0 };
	int error;

	if ((ea.ea_buf = uvm_km_alloc(ARG_MAX / PAGE_SIZE, false)) == NULL)
		panic("start_init: no memory for arguments");
	for (int i = 0; argv[i] != NULL; i++) {
		if (exec_args_add(&ea, argv[i], strlen(argv[i])) != 0)
			panic("start_init: arguments too long");
		ea.ea_argc++;
	}
	exec_args_add(&ea, "PATH=/bin", 9);
	exec_args_add(&ea, "HOME=/", 6);
	ea.ea_envc = 2;
	error = exec_image(curlwp, argv[0], &ea);
	uvm_km_free(ea.ea_buf, ARG_MAX / PAGE_SIZE);
	if (error) {
		printf("forklab: start_init: cannot execute %s: error %d\n", argv[0], error);
		printf("forklab: halt: init exited with status 127\n");
		cpu_halt_machine(HALT_INIT_MAX);
	}
	printf("forklab: init started: %s\n", argv[0]);
}
