/* Memory-management system calls: mmap, munmap, mprotect, brk, madvise. */
#include <sys/types.h>
#include <sys/systm.h>
#include <sys/proc.h>
#include <uvm/uvm.h>
#include "linux_syscall.h"

#define MAP_SHARED		0x01
#define MAP_PRIVATE		0x02
#define MAP_SHARED_VALIDATE	0x03
#define MAP_TYPE		0x0f
#define MAP_FIXED		0x10
#define MAP_ANONYMOUS		0x20
#define MAP_FIXED_NOREPLACE	0x100000

static int64_t
linux_mmap(struct lwp *l, const uint64_t *a)
{
	struct vmspace *vm = l->l_proc->p_vmspace;
	vaddr_t addr = a[0];
	uint64_t len = a[1];
	int prot = (int)a[2], flags = (int)a[3], type = flags & MAP_TYPE;
	bool fixed = (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) != 0;
	int error;

	if (len == 0 || (a[5] & PAGE_MASK) || (prot & ~7))
		return -EINVAL;
	if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS))
		return -ENODEV;	/* XXX file mappings are not supported */
	if (len > VM_MAX_USER)
		return -ENOMEM;
	if (fixed && (addr & PAGE_MASK))
		return -EINVAL;
	if ((flags & MAP_FIXED_NOREPLACE) && !(flags & MAP_FIXED)) {
		mutex_enter(&vm->vm_lock);
		for (vaddr_t va = addr; va < addr + roundup(len, PAGE_SIZE); va += PAGE_SIZE) {
			if (uvm_map_lookup(vm, va) != NULL) {
				mutex_exit(&vm->vm_lock);
				return -EEXIST;
			}
		}
		mutex_exit(&vm->vm_lock);
	}
	error = uvm_map_anon(vm, &addr, len, prot,
	    type == MAP_PRIVATE ? 0 : UVM_ET_SHARED, fixed);
	return error ? -error : (int64_t)addr;
}

static int64_t
linux_munmap(struct lwp *l, const uint64_t *a)
{
	if ((a[0] & PAGE_MASK) || a[1] == 0 || !uaddr_ok(a[0], a[1]))
		return -EINVAL;
	return -uvm_unmap(l->l_proc->p_vmspace, a[0], a[0] + roundup(a[1], PAGE_SIZE));
}

static int64_t
linux_mprotect(struct lwp *l, const uint64_t *a)
{
	if ((a[0] & PAGE_MASK) || ((int)a[2] & ~7))
		return -EINVAL;
	if (a[1] == 0)
		return 0;
	if (!uaddr_ok(a[0], a[1]))
		return -ENOMEM;
	return -uvm_mprotect(l->l_proc->p_vmspace, a[0], a[0] + roundup(a[1], PAGE_SIZE), (int)a[2]);
}

static int64_t
linux_brk(struct lwp *l, const uint64_t *a)
{
	vaddr_t result;

	(void)uvm_brk(l->l_proc->p_vmspace, a[0], &result);
	return result;
}

/* madvise hints change nothing here: there is no paging. */
static int64_t
linux_madvise(struct lwp *l __unused, const uint64_t *a)
{
	return (a[0] & PAGE_MASK) ? -EINVAL : 0;
}

void
linux_mman_register(linux_sysfn_t *t)
{
	t[9] = linux_mmap;
	t[10] = linux_mprotect;
	t[11] = linux_munmap;
	t[12] = linux_brk;
	t[28] = linux_madvise;
}
