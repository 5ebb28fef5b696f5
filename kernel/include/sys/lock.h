/*
 * Spin mutexes.  A mutex disables interrupts on the CPU that holds it and
 * records its owner, so the same code is correct when more CPUs run: the
 * kernel boots one CPU today, and the test-and-set keeps that from being an
 * assumption.
 *
 * Global lock order (take them top to bottom, never upwards):
 *	proc_lock	process tree, pid table, process groups and sessions
 *	p->p_lock	one process: its LWP list, signal state, flags
 *	fd->fd_lock	one file descriptor table
 *	vm->vm_lock	one address space: map entries and page tables
 *	futex_lock	futex wait queues
 *	sched_lock	run queues and LWP states (sleep/wakeup)
 *	uvm_page_lock	free page lists and page reference counts
 *	pool locks	object caches (leaf locks: nothing is taken inside)
 *	kprintf_lock	console output
 */
#ifndef _SYS_LOCK_H_
#define _SYS_LOCK_H_

#include <sys/types.h>

struct cpu_info;

struct kmutex {
	volatile uint32_t	mtx_locked;
	struct cpu_info		*mtx_owner;
	const char		*mtx_name;
};
typedef struct kmutex kmutex_t;

#define KMUTEX_INITIALIZER(name) { 0, NULL, name }

void	mutex_init(kmutex_t *, const char *name);
void	mutex_enter(kmutex_t *);
void	mutex_exit(kmutex_t *);
bool	mutex_owned(const kmutex_t *);

#endif
