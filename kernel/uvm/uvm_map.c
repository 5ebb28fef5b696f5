/*
 * Address spaces: sorted lists of map entries over a pmap.  Entries carry
 * the protection and whether a range is private or shared; the pmap keeps
 * the pages (see uvm.h).  All functions take the vmspace's vm_lock.
 */
#include <sys/types.h>
#include <sys/systm.h>
#include <sys/tunable.h>
#include <machine/pmap.h>
#include <uvm/uvm.h>

static struct pool vmspace_pool;
static struct pool entry_pool;

#define MMAP_TOP	0x00007f0000000000UL	/* mmap allocations grow down from here */

void
uvm_init(void)
{
	pool_init(&vmspace_pool, sizeof(struct vmspace), "vmspace");
	pool_init(&entry_pool, sizeof(struct vm_map_entry), "vmmapent");
}

static struct uvm_object *
uvm_obj_alloc(size_t npages)
{
	struct uvm_object *uo = kmem_zalloc(sizeof(*uo));

	if (uo == NULL)
		return NULL;
	uo->uo_pages = kmem_zalloc(npages * sizeof(struct vm_page *));
	if (uo->uo_pages == NULL) {
		kmem_free(uo, sizeof(*uo));
		return NULL;
	}
	uo->uo_refs = 1;
	uo->uo_npages = npages;
	return uo;
}

static void
uvm_obj_unref(struct uvm_object *uo)
{
	if (--uo->uo_refs > 0)
		return;
	for (size_t i = 0; i < uo->uo_npages; i++)
		if (uo->uo_pages[i] != NULL)
			uvm_pageunref(uo->uo_pages[i]);
	kmem_free(uo->uo_pages, uo->uo_npages * sizeof(struct vm_page *));
	kmem_free(uo, sizeof(*uo));
}

static void
entry_free(struct vm_map_entry *e)
{
	if (e->e_obj != NULL)
		uvm_obj_unref(e->e_obj);
	pool_put(&entry_pool, e);
}

struct vmspace *
uvmspace_alloc(void)
{
	struct vmspace *vm = pool_get(&vmspace_pool);

	if (vm == NULL)
		return NULL;
	if (pmap_create(&vm->vm_pmap) != 0) {
		pool_put(&vmspace_pool, vm);
		return NULL;
	}
	mutex_init(&vm->vm_lock, "vm");
	vm->vm_refcnt = 1;
	TAILQ_INIT(&vm->vm_entries);
	vm->vm_mmap_top = MMAP_TOP;
	return vm;
}

void
uvmspace_addref(struct vmspace *vm)
{
	mutex_enter(&vm->vm_lock);
	vm->vm_refcnt++;
	mutex_exit(&vm->vm_lock);
}

void
uvmspace_free(struct vmspace *vm)
{
	struct vm_map_entry *e;

	mutex_enter(&vm->vm_lock);
	if (--vm->vm_refcnt > 0) {
		mutex_exit(&vm->vm_lock);
		return;
	}
	mutex_exit(&vm->vm_lock);
	pmap_destroy(&vm->vm_pmap);
	while ((e = TAILQ_FIRST(&vm->vm_entries)) != NULL) {
		TAILQ_REMOVE(&vm->vm_entries, e, e_list);
		entry_free(e);
	}
	pool_put(&vmspace_pool, vm);
}

struct vm_map_entry *
uvm_map_lookup(struct vmspace *vm, vaddr_t va)
{
	struct vm_map_entry *e;

	TAILQ_FOREACH(e, &vm->vm_entries, e_list) {
		if (va < e->e_start)
			return NULL;
		if (va < e->e_end)
			return e;
	}
	return NULL;
}

static void
entry_insert(struct vmspace *vm, struct vm_map_entry *ne)
{
	struct vm_map_entry *e;

	TAILQ_FOREACH(e, &vm->vm_entries, e_list) {
		if (ne->e_start < e->e_start) {
			ne->e_list.tqe_next = e;
			ne->e_list.tqe_prev = e->e_list.tqe_prev;
			*e->e_list.tqe_prev = ne;
			e->e_list.tqe_prev = &ne->e_list.tqe_next;
			return;
		}
	}
	TAILQ_INSERT_TAIL(&vm->vm_entries, ne, e_list);
}

/* Splits `e` at `va`; returns the new entry covering [va, old end), or NULL. */
static struct vm_map_entry *
entry_clip(struct vmspace *vm, struct vm_map_entry *e, vaddr_t va)
{
	struct vm_map_entry *ne;

	KASSERT(va > e->e_start && va < e->e_end);
	if ((ne = pool_get(&entry_pool)) == NULL)
		return NULL;
	*ne = *e;
	ne->e_start = va;
	if (ne->e_obj != NULL) {
		ne->e_obj->uo_refs++;
		ne->e_objpage += (va - e->e_start) >> PAGE_SHIFT;
	}
	e->e_end = va;
	entry_insert(vm, ne);
	return ne;
}

static bool
range_free(struct vmspace *vm, vaddr_t start, vaddr_t end)
{
	struct vm_map_entry *e;

	TAILQ_FOREACH(e, &vm->vm_entries, e_list)
		if (e->e_start < end && start < e->e_end)
			return false;
	return true;
}

/* Finds the highest free range of `len` bytes below the mmap top. */
static vaddr_t
find_space(struct vmspace *vm, vsize_t len)
{
	vaddr_t cand = vm->vm_mmap_top - len;
	struct vm_map_entry *e;

	for (;;) {
		bool moved = false;

		if (cand < VM_MIN_USER || cand > vm->vm_mmap_top)
			return 0;
		TAILQ_FOREACH(e, &vm->vm_entries, e_list) {
			if (e->e_start < cand + len && cand < e->e_end) {
				cand = e->e_start - len;
				moved = true;
				break;
			}
		}
		if (!moved)
			return cand;
	}
}

static int
unmap_locked(struct vmspace *vm, vaddr_t start, vaddr_t end)
{
	struct vm_map_entry *e, *next;

	/* Clip first, so a failed allocation leaves the map unchanged in meaning. */
	TAILQ_FOREACH(e, &vm->vm_entries, e_list) {
		if (e->e_start < start && start < e->e_end && entry_clip(vm, e, start) == NULL)
			return ENOMEM;
		if (e->e_start < end && end < e->e_end && entry_clip(vm, e, end) == NULL)
			return ENOMEM;
	}
	TAILQ_FOREACH_SAFE(e, &vm->vm_entries, e_list, next) {
		if (e->e_start >= start && e->e_end <= end) {
			pmap_remove(&vm->vm_pmap, e->e_start, e->e_end);
			TAILQ_REMOVE(&vm->vm_entries, e, e_list);
			entry_free(e);
		}
	}
	return 0;
}

/*
 * Maps anonymous memory, private or shared (UVM_ET_SHARED).  With `fixed`
 * the range [*addr, *addr + len) replaces what was there; otherwise a free
 * range is chosen and returned in *addr.  Returns 0, ENOMEM or EINVAL.
 */
int
uvm_map_anon(struct vmspace *vm, vaddr_t *addr, vsize_t len, int prot, int flags, bool fixed)
{
	struct vm_map_entry *e;
	vaddr_t start;
	int error = 0;

	len = roundup(len, PAGE_SIZE);
	if (len == 0 || len > VM_MAX_USER)
		return EINVAL;
	if ((e = pool_get(&entry_pool)) == NULL)
		return ENOMEM;
	if (flags & UVM_ET_SHARED) {
		if ((e->e_obj = uvm_obj_alloc(len >> PAGE_SHIFT)) == NULL) {
			pool_put(&entry_pool, e);
			return ENOMEM;
		}
	}
	mutex_enter(&vm->vm_lock);
	if (fixed) {
		start = *addr;
		if (start < VM_MIN_USER || start + len > VM_MAX_USER || start + len < start)
			error = EINVAL;
		else
			error = unmap_locked(vm, start, start + len);
	} else if ((start = find_space(vm, len)) == 0) {
		error = ENOMEM;
	}
	if (error == 0) {
		e->e_start = start;
		e->e_end = start + len;
		e->e_prot = prot;
		e->e_flags = flags;
		entry_insert(vm, e);
		*addr = start;
	}
	mutex_exit(&vm->vm_lock);
	if (error)
		entry_free(e);
	return error;
}

int
uvm_unmap(struct vmspace *vm, vaddr_t start, vaddr_t end)
{
	int error;

	mutex_enter(&vm->vm_lock);
	error = unmap_locked(vm, start, end);
	mutex_exit(&vm->vm_lock);
	return error;
}

int
uvm_mprotect(struct vmspace *vm, vaddr_t start, vaddr_t end, int prot)
{
	struct vm_map_entry *e;
	vaddr_t va = start;

	mutex_enter(&vm->vm_lock);
	/* Linux fails with ENOMEM when part of the range is not mapped. */
	while (va < end) {
		if ((e = uvm_map_lookup(vm, va)) == NULL) {
			mutex_exit(&vm->vm_lock);
			return ENOMEM;
		}
		va = e->e_end;
	}
	TAILQ_FOREACH(e, &vm->vm_entries, e_list) {
		if ((e->e_start < start && start < e->e_end && entry_clip(vm, e, start) == NULL) ||
		    (e->e_start < end && end < e->e_end && entry_clip(vm, e, end) == NULL)) {
			mutex_exit(&vm->vm_lock);
			return ENOMEM;
		}
	}
	TAILQ_FOREACH(e, &vm->vm_entries, e_list) {
		if (e->e_start >= start && e->e_end <= end) {
			e->e_prot = prot;
			pmap_protect(&vm->vm_pmap, e->e_start, e->e_end, prot);
		}
	}
	mutex_exit(&vm->vm_lock);
	return 0;
}

/*
 * Moves the program break.  The heap is one entry that grows and shrinks
 * at its end; a request that would overlap another mapping leaves the
 * break where it was, as Linux does.
 */
int
uvm_brk(struct vmspace *vm, vaddr_t newbrk, vaddr_t *result)
{
	vaddr_t oldtop = roundup(vm->vm_brk, PAGE_SIZE);
	vaddr_t newtop = roundup(newbrk, PAGE_SIZE);
	struct vm_map_entry *e;
	int error = 0;

	*result = vm->vm_brk;
	if (newbrk < vm->vm_brk_start || newbrk > VM_MAX_USER)
		return 0;
	if (newtop > oldtop) {
		mutex_enter(&vm->vm_lock);
		if (!range_free(vm, oldtop, newtop)) {
			mutex_exit(&vm->vm_lock);
			return 0;
		}
		e = oldtop > vm->vm_brk_start ? uvm_map_lookup(vm, oldtop - 1) : NULL;
		if (e != NULL && (e->e_flags & UVM_ET_HEAP) && e->e_end == oldtop) {
			e->e_end = newtop;
			mutex_exit(&vm->vm_lock);
		} else {
			mutex_exit(&vm->vm_lock);
			vaddr_t at = oldtop;

			error = uvm_map_anon(vm, &at, newtop - oldtop,
			    VM_PROT_READ | VM_PROT_WRITE, UVM_ET_HEAP, true);
		}
	} else if (newtop < oldtop) {
		error = uvm_unmap(vm, newtop, oldtop);
	}
	if (error == 0)
		vm->vm_brk = newbrk;
	*result = vm->vm_brk;
	return 0;
}

/*
 * Allocates before fork1's point of no return what uvmspace_fork will use,
 * so that duplication cannot fail halfway.  Returns 0 or ENOMEM.
 */
int
uvm_fork_prepare(struct vmspace *vm1, enum pmap_fork_mode mode, struct uvm_fork_prep *prep)
{
	uint64_t upper, leaves, ptes = 0, need;
	struct vm_map_entry *e, *ne;

	memset(prep, 0, sizeof(*prep));
	if (failpoint_hit(FP_PTP))
		return ENOMEM;
	if ((prep->ufp_vm = uvmspace_alloc()) == NULL)
		return ENOMEM;
	mutex_enter(&vm1->vm_lock);
	TAILQ_FOREACH(e, &vm1->vm_entries, e_list) {
		if ((ne = pool_get(&entry_pool)) == NULL) {
			mutex_exit(&vm1->vm_lock);
			uvm_fork_abort(prep);
			return ENOMEM;
		}
		ne->e_list.tqe_next = prep->ufp_entries;
		prep->ufp_entries = ne;
	}
	pmap_count(&vm1->vm_pmap, &upper, &leaves, mode == PMAP_FORK_COPY ? &ptes : NULL);
	mutex_exit(&vm1->vm_lock);

	/*
	 * Upper bounds: the child's upper tables; in copy and copy-on-write
	 * modes a leaf table per parent leaf table, plus one more for each
	 * parent table that is itself shared and must be made private first;
	 * in copy mode a page per mapped page.
	 */
	switch (mode) {
	case PMAP_FORK_ODF:
		need = upper;
		break;
	case PMAP_FORK_COW:
		need = upper + 2 * leaves;
		break;
	default:
		if (failpoint_hit(FP_PAGE)) {
			uvm_fork_abort(prep);
			return ENOMEM;
		}
		need = upper + 2 * leaves + ptes;
		break;
	}
	if (uvm_reserve(need) != 0) {
		uvm_fork_abort(prep);
		return ENOMEM;
	}
	prep->ufp_pages = need;
	return 0;
}

void
uvm_fork_abort(struct uvm_fork_prep *prep)
{
	struct vm_map_entry *e;

	while ((e = prep->ufp_entries) != NULL) {
		prep->ufp_entries = e->e_list.tqe_next;
		pool_put(&entry_pool, e);
	}
	if (prep->ufp_vm != NULL)
		uvmspace_free(prep->ufp_vm);
	if (prep->ufp_pages)
		uvm_unreserve(prep->ufp_pages);
	memset(prep, 0, sizeof(*prep));
}

/*
 * Duplicates vm1 for a child in the given mode, with what uvm_fork_prepare
 * allocated; does not fail.  Shared mappings stay shared; private memory
 * is copied now, marked copy-on-write, or left in leaf tables shared on
 * demand.
 */
struct vmspace *
uvmspace_fork_prepared(struct vmspace *vm1, enum pmap_fork_mode mode, struct uvm_fork_prep *prep)
{
	struct vmspace *vm2 = prep->ufp_vm;
	struct vm_map_entry *e, *ne;
	uint64_t reserved_before = uvmexp.reserved;
	uint64_t used;

	mutex_enter(&vm1->vm_lock);
	vm2->vm_brk_start = vm1->vm_brk_start;
	vm2->vm_brk = vm1->vm_brk;
	vm2->vm_mmap_top = vm1->vm_mmap_top;
	TAILQ_FOREACH(e, &vm1->vm_entries, e_list) {
		ne = prep->ufp_entries;
		KASSERT(ne != NULL);
		prep->ufp_entries = ne->e_list.tqe_next;
		*ne = *e;
		if (ne->e_obj != NULL)
			ne->e_obj->uo_refs++;
		TAILQ_INSERT_TAIL(&vm2->vm_entries, ne, e_list);
		if (mode != PMAP_FORK_ODF) {
			int error = pmap_fork_range(&vm1->vm_pmap, &vm2->vm_pmap,
			    e->e_start, e->e_end, mode,
			    (e->e_prot & VM_PROT_WRITE) != 0, (e->e_flags & UVM_ET_SHARED) != 0);

			KASSERTMSG(error == 0, "uvmspace_fork: reservation too small");
		}
	}
	if (mode == PMAP_FORK_ODF)
		pmap_fork_range(&vm1->vm_pmap, &vm2->vm_pmap, 0, VM_MAX_USER, mode, true, false);
	mutex_exit(&vm1->vm_lock);

	used = reserved_before - uvmexp.reserved;
	KASSERT(used <= prep->ufp_pages);
	uvm_unreserve(prep->ufp_pages - used);
	prep->ufp_pages = 0;
	prep->ufp_vm = NULL;
	return vm2;
}

/*
 * Resolves a fault at `va` for `access` (VM_PROT_READ or VM_PROT_WRITE):
 * demand-zero fill, shared-object lookup, or copy-on-write.  Returns 0,
 * EFAULT when the address is not mapped or the access is not allowed, or
 * ENOMEM when no page is free.
 */
int
uvm_fault(struct vmspace *vm, vaddr_t va, int access)
{
	struct vm_map_entry *e;
	pt_entry_t *pte, v;
	struct vm_page *pg;
	uint64_t t0;
	int error = 0;

	va &= ~PAGE_MASK;
	mutex_enter(&vm->vm_lock);
	e = uvm_map_lookup(vm, va);
	if (e == NULL || e->e_prot == VM_PROT_NONE ||
	    ((access & VM_PROT_WRITE) && !(e->e_prot & VM_PROT_WRITE))) {
		error = EFAULT;
		goto out;
	}
	if ((pte = pmap_pte(&vm->vm_pmap, va, true)) == NULL) {
		error = ENOMEM;
		goto out;
	}
	v = *pte;
	pt_entry_t rw = (e->e_prot & VM_PROT_WRITE) ? PG_RW : 0;

	if (!(v & PG_V)) {
		if (e->e_obj != NULL) {
			size_t idx = e->e_objpage + ((va - e->e_start) >> PAGE_SHIFT);

			if ((pg = e->e_obj->uo_pages[idx]) == NULL) {
				if ((pg = uvm_pagealloc(UVM_PGA_ZERO)) == NULL) {
					error = ENOMEM;
					goto out;
				}
				e->e_obj->uo_pages[idx] = pg;
			}
			uvm_pageref(pg);
			pmap_pte_enter(pte, VM_PAGE_TO_PHYS(pg) | PG_V | PG_U | PG_SHMAP | rw);
		} else {
			if ((pg = uvm_pagealloc(UVM_PGA_ZERO)) == NULL) {
				error = ENOMEM;
				goto out;
			}
			pmap_pte_enter(pte, VM_PAGE_TO_PHYS(pg) | PG_V | PG_U | rw);
			uvmexp.zero_fills++;
		}
	} else if ((access & VM_PROT_WRITE) && !(v & PG_RW)) {
		pg = PHYS_TO_VM_PAGE(v & PG_FRAME);
		t0 = tun.trace ? nanouptime() : 0;
		if ((v & PG_SHMAP) || pg->pg_refs == 1) {
			/* Last reference: reuse the page in place. */
			*pte = (v | PG_RW) & ~PG_COW;
		} else {
			struct vm_page *npg = uvm_pagealloc(0);

			if (npg == NULL) {
				error = ENOMEM;
				goto out;
			}
			memcpy(PHYS_TO_DMAP(VM_PAGE_TO_PHYS(npg)),
			    PHYS_TO_DMAP(VM_PAGE_TO_PHYS(pg)), PAGE_SIZE);
			*pte = VM_PAGE_TO_PHYS(npg) | PG_V | PG_U | PG_RW;
			uvm_pageunref(pg);
		}
		uvmexp.cow_faults++;
		if (t0)
			uvmexp.cow_fault_ns += nanouptime() - t0;
	} else if (!(v & PG_U) && e->e_prot != VM_PROT_NONE) {
		*pte = v | PG_U;
	}
	pmap_update_page(&vm->vm_pmap, va);
out:
	mutex_exit(&vm->vm_lock);
	return error;
}
