/*
 * Futexes: FUTEX_WAIT, FUTEX_WAKE and requeue, enough for musl's threads.
 * A futex is identified as Linux does: in a private mapping by (address
 * space, virtual address), in a shared mapping by (object, offset), so
 * processes sharing a MAP_SHARED page meet on the same futex.
 * Locking: futex_lock covers the wait queue and l_futex_* of waiters.
 */
#include <sys/types.h>
#include <sys/systm.h>
#include <sys/proc.h>
#include <sys/queue.h>
#include <uvm/uvm.h>

#define FUTEX_WAIT		0
#define FUTEX_WAKE		1
#define FUTEX_REQUEUE		3
#define FUTEX_CMP_REQUEUE	4
#define FUTEX_WAIT_BITSET	9
#define FUTEX_WAKE_BITSET	10
#define FUTEX_PRIVATE_FLAG	128
#define FUTEX_CLOCK_REALTIME	256

static kmutex_t futex_lock = KMUTEX_INITIALIZER("futex");
static TAILQ_HEAD(, lwp) futex_waiters = { NULL, &futex_waiters.tqh_first };

static int
futex_key(struct lwp *l, uint64_t uaddr, uint64_t key[2])
{
	struct vmspace *vm = l->l_proc->p_vmspace;
	struct vm_map_entry *e;

	if ((uaddr & 3) != 0)
		return EINVAL;
	if (!uaddr_ok(uaddr, 4))
		return EFAULT;
	mutex_enter(&vm->vm_lock);
	e = uvm_map_lookup(vm, uaddr);
	if (e == NULL) {
		mutex_exit(&vm->vm_lock);
		return EFAULT;
	}
	if (e->e_obj != NULL) {
		key[0] = (uint64_t)e->e_obj;
		key[1] = ((uint64_t)e->e_objpage << PAGE_SHIFT) + (uaddr - e->e_start);
	} else {
		key[0] = (uint64_t)vm;
		key[1] = uaddr;
	}
	mutex_exit(&vm->vm_lock);
	return 0;
}

static int
futex_wake_key(const uint64_t key[2], int count, const uint64_t *requeue_key, int requeue_count)
{
	struct lwp *l, *next;
	int woken = 0, moved = 0;

	mutex_enter(&futex_lock);
	TAILQ_FOREACH_SAFE(l, &futex_waiters, l_futexq, next) {
		if (l->l_futex_key[0] != key[0] || l->l_futex_key[1] != key[1])
			continue;
		if (woken < count) {
			TAILQ_REMOVE(&futex_waiters, l, l_futexq);
			l->l_futex_woken = true;
			woken++;
			wakeup(&l->l_futex_key);
		} else if (requeue_key != NULL && moved < requeue_count) {
			l->l_futex_key[0] = requeue_key[0];
			l->l_futex_key[1] = requeue_key[1];
			moved++;
		}
	}
	mutex_exit(&futex_lock);
	return woken + moved;
}

/* Wakes up to `count` waiters on the futex at uaddr in l's address space. */
int
futex_wake_addr(struct lwp *l, uint64_t uaddr, int count)
{
	uint64_t key[2];

	if (l->l_proc->p_vmspace == NULL || futex_key(l, uaddr, key) != 0)
		return 0;
	return futex_wake_key(key, count, NULL, 0);
}

static int
futex_wait(struct lwp *l, uint64_t uaddr, uint32_t val, uint64_t timeout_ns)
{
	uint64_t key[2];
	uint32_t cur;
	int error;

	if ((error = futex_key(l, uaddr, key)) != 0)
		return error;
	if (fuword32((void *)uaddr, &cur) != 0)
		return EFAULT;
	if (cur != val)
		return EAGAIN;
	mutex_enter(&futex_lock);
	l->l_futex_key[0] = key[0];
	l->l_futex_key[1] = key[1];
	l->l_futex_woken = false;
	TAILQ_INSERT_TAIL(&futex_waiters, l, l_futexq);
	mutex_exit(&futex_lock);

	error = tsleep(&l->l_futex_key, true, "futex", timeout_ns);

	mutex_enter(&futex_lock);
	if (!l->l_futex_woken)
		TAILQ_REMOVE(&futex_waiters, l, l_futexq);
	else
		error = 0;
	mutex_exit(&futex_lock);
	return error;
}

struct timespec_k {
	int64_t	tv_sec;
	int64_t	tv_nsec;
};

int	timespec_to_ns(const struct timespec_k *, uint64_t *);
uint64_t clock_realtime_ns(void);

/* The futex system call; returns a count or a negative errno. */
int64_t
sys_futex(struct lwp *l, uint64_t uaddr, int op, uint32_t val, uint64_t utimeout,
    uint64_t uaddr2, uint32_t val3)
{
	int cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
	uint64_t timeout_ns = 0;
	int error;

	switch (cmd) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		if (utimeout != 0) {
			struct timespec_k ts;
			uint64_t t;

			if (copyin((void *)utimeout, &ts, sizeof(ts)) != 0)
				return -EFAULT;
			if (timespec_to_ns(&ts, &t) != 0)
				return -EINVAL;
			if (cmd == FUTEX_WAIT_BITSET) {
				/* An absolute deadline on CLOCK_MONOTONIC, or REALTIME with the flag. */
				uint64_t now = (op & FUTEX_CLOCK_REALTIME) ? clock_realtime_ns() : nanouptime();

				if (t <= now)
					return -ETIMEDOUT;
				t -= now;
			}
			timeout_ns = t ? t : 1;
		}
		error = futex_wait(l, uaddr, val, timeout_ns);
		return error ? -error : 0;
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET: {
		uint64_t key[2];

		if ((error = futex_key(l, uaddr, key)) != 0)
			return -error;
		return futex_wake_key(key, (int)MIN(val, (uint32_t)INT32_MAX), NULL, 0);
	}
	case FUTEX_REQUEUE:
	case FUTEX_CMP_REQUEUE: {
		uint64_t key[2], key2[2];
		uint32_t cur;

		if ((error = futex_key(l, uaddr, key)) != 0 ||
		    (error = futex_key(l, uaddr2, key2)) != 0)
			return -error;
		if (cmd == FUTEX_CMP_REQUEUE) {
			if (fuword32((void *)uaddr, &cur) != 0)
				return -EFAULT;
			if (cur != val3)
				return -EAGAIN;
		}
		return futex_wake_key(key, (int)MIN(val, (uint32_t)INT32_MAX), key2,
		    (int)MIN(utimeout, (uint64_t)INT32_MAX));
	}
	default:
		return -ENOSYS;
	}
}
