/*
 * Process bookkeeping: the process table (pid hash and allproc), pid
 * allocation, process groups and sessions, and per-user process counts.
 *
 * Pids are handed out in increasing order and wrap at PID_MAX, skipping
 * any pid still used by a live process, a zombie or a process group, so a
 * pid is never reused while anything can still refer to it.
 */
#include <sys/types.h>
#include <sys/systm.h>
#include <sys/proc.h>
#include <sys/tunable.h>
#include <uvm/uvm.h>

#define PID_MAX		99999
#define PIDHASH		256

kmutex_t proc_lock = KMUTEX_INITIALIZER("proc");
struct proclist allproc;
struct proc *initproc;
uint32_t nprocs;
uint32_t maxproc = 1000;
uint32_t nlwps;

static LIST_HEAD(, proc) pidhash[PIDHASH];
static LIST_HEAD(, pgrp) pgrphash[PIDHASH];
static pid_t next_pid = 1;
static struct pool proc_pool;
static struct pool pgrp_pool;
static struct pool session_pool;

/* Processes per user, for RLIMIT_NPROC.  (t) */
#define UIDINFO_MAX	64
static struct {
	uid_t		ui_uid;
	int		ui_count;
} uidinfo[UIDINFO_MAX];

void
proc_init(void)
{
	LIST_INIT(&allproc);
	for (int i = 0; i < PIDHASH; i++) {
		LIST_INIT(&pidhash[i]);
		LIST_INIT(&pgrphash[i]);
	}
	pool_init(&proc_pool, sizeof(struct proc), "proc");
	pool_init(&pgrp_pool, sizeof(struct pgrp), "pgrp");
	pool_init(&session_pool, sizeof(struct session), "session");
}

struct proc *
proc_find(pid_t pid)
{
	struct proc *p;

	KASSERT(mutex_owned(&proc_lock));
	LIST_FOREACH(p, &pidhash[pid % PIDHASH], p_hash)
		if (p->p_pid == pid)
			return p;
	return NULL;
}

static struct pgrp *
pgrp_find(pid_t pgid)
{
	struct pgrp *pg;

	LIST_FOREACH(pg, &pgrphash[pgid % PIDHASH], pg_hash)
		if (pg->pg_id == pgid)
			return pg;
	return NULL;
}

/* Gives `p` a pid that no process or process group uses.  proc_lock held. */
pid_t
proc_alloc_pid(struct proc *p)
{
	KASSERT(mutex_owned(&proc_lock));
	for (;;) {
		pid_t pid = next_pid;

		next_pid = next_pid >= PID_MAX ? 2 : next_pid + 1;
		if (proc_find(pid) == NULL && pgrp_find(pid) == NULL && lwp_find_tid(pid) == NULL) {
			p->p_pid = pid;
			LIST_INSERT_HEAD(&pidhash[pid % PIDHASH], p, p_hash);
			return pid;
		}
	}
}

/*
 * Returns a thread id for a new LWP that is not a process's first: tids
 * and pids share one space on Linux, so it comes from the pid counter.
 * proc_lock held.
 */
lwpid_t
lwp_alloc_lid(void)
{
	KASSERT(mutex_owned(&proc_lock));
	for (;;) {
		pid_t id = next_pid;

		next_pid = next_pid >= PID_MAX ? 2 : next_pid + 1;
		if (proc_find(id) == NULL && pgrp_find(id) == NULL && lwp_find_tid(id) == NULL)
			return id;
	}
}

void
proc_free_pid(struct proc *p)
{
	KASSERT(mutex_owned(&proc_lock));
	LIST_REMOVE(p, p_hash);
}

struct proc *
proc_alloc(void)
{
	struct proc *p;

	if (failpoint_hit(FP_PROC))
		return NULL;
	if ((p = pool_get(&proc_pool)) == NULL)
		return NULL;
	mutex_init(&p->p_lock_store, "proc");
	p->p_lock = &p->p_lock_store;
	p->p_waitchan = p;
	return p;
}

void
proc_free_mem(struct proc *p)
{
	pool_put(&proc_pool, p);
}

/*
 * Adds `diff` to the number of processes of `uid` and returns the new
 * count.  proc_lock held.
 */
int
chgproccnt(uid_t uid, int diff)
{
	int freeslot = -1;

	KASSERT(mutex_owned(&proc_lock));
	for (int i = 0; i < UIDINFO_MAX; i++) {
		if (uidinfo[i].ui_count > 0 && uidinfo[i].ui_uid == uid) {
			uidinfo[i].ui_count += diff;
			KASSERT(uidinfo[i].ui_count >= 0);
			return uidinfo[i].ui_count;
		}
		if (uidinfo[i].ui_count == 0 && freeslot < 0)
			freeslot = i;
	}
	KASSERTMSG(diff > 0, "chgproccnt: uid %u has no processes", uid);
	if (freeslot < 0)
		panic("chgproccnt: more than %d users", UIDINFO_MAX);
	uidinfo[freeslot].ui_uid = uid;
	uidinfo[freeslot].ui_count = diff;
	return diff;
}

int
proc_getpgid(struct proc *p)
{
	return p->p_pgrp != NULL ? p->p_pgrp->pg_id : 0;
}

/* Puts a new child into its parent's process group.  proc_lock held. */
void
proc_enterpgrp(struct proc *child, struct proc *parent)
{
	KASSERT(mutex_owned(&proc_lock));
	child->p_pgrp = parent->p_pgrp;
	LIST_INSERT_HEAD(&child->p_pgrp->pg_members, child, p_pglist);
}

/* Creates the first process group and session, for init.  proc_lock held. */
int
proc_pgrp_create(struct proc *p)
{
	struct pgrp *pg = pool_get(&pgrp_pool);
	struct session *s = pool_get(&session_pool);

	if (pg == NULL || s == NULL)
		panic("proc_pgrp_create: no memory at boot");
	s->s_sid = p->p_pid;
	s->s_count = 1;
	pg->pg_id = p->p_pid;
	pg->pg_session = s;
	LIST_INIT(&pg->pg_members);
	LIST_INSERT_HEAD(&pgrphash[pg->pg_id % PIDHASH], pg, pg_hash);
	p->p_pgrp = pg;
	LIST_INSERT_HEAD(&pg->pg_members, p, p_pglist);
	return 0;
}

/* Removes `p` from its process group, freeing an emptied group.  proc_lock held. */
void
proc_leavepgrp(struct proc *p)
{
	struct pgrp *pg = p->p_pgrp;

	KASSERT(mutex_owned(&proc_lock));
	if (pg == NULL)
		return;
	LIST_REMOVE(p, p_pglist);
	p->p_pgrp = NULL;
	if (LIST_EMPTY(&pg->pg_members)) {
		struct session *s = pg->pg_session;

		LIST_REMOVE(pg, pg_hash);
		if (--s->s_count == 0)
			pool_put(&session_pool, s);
		pool_put(&pgrp_pool, pg);
	}
}

/* Finds an LWP by its thread id.  proc_lock held. */
struct lwp *
lwp_find_tid(lwpid_t tid)
{
	struct proc *p;
	struct lwp *l;

	LIST_FOREACH(p, &allproc, p_list)
		LIST_FOREACH(l, &p->p_lwps, l_sibling)
			if (l->l_lid == tid)
				return l;
	return NULL;
}

/* Moves p into process group `pgid`, creating it when pgid is p's own pid.  proc_lock held. */
static int
proc_enter_group(struct proc *p, pid_t pgid, struct session *newsess)
{
	struct pgrp *pg = pgrp_find(pgid), *old = p->p_pgrp;

	if (pg == old)
		return 0;
	if (pg == NULL) {
		if (pgid != p->p_pid)
			return EPERM;
		if ((pg = pool_get(&pgrp_pool)) == NULL)
			return ENOMEM;
		pg->pg_id = pgid;
		LIST_INIT(&pg->pg_members);
		pg->pg_session = newsess != NULL ? newsess : old->pg_session;
		pg->pg_session->s_count++;
		LIST_INSERT_HEAD(&pgrphash[pgid % PIDHASH], pg, pg_hash);
	} else if (pg->pg_session != old->pg_session) {
		return EPERM;
	}
	proc_leavepgrp(p);
	p->p_pgrp = pg;
	LIST_INSERT_HEAD(&pg->pg_members, p, p_pglist);
	return 0;
}

/* setpgid(2): `caller` moves itself or one of its children.  Returns 0 or an errno. */
int
proc_setpgid(struct proc *caller, pid_t pid, pid_t pgid)
{
	struct proc *p;
	int error;

	if (pgid < 0)
		return EINVAL;
	mutex_enter(&proc_lock);
	p = pid == 0 ? caller : proc_find(pid);
	if (p == NULL || (p != caller && p->p_pptr != caller) || p->p_stat == SIDL) {
		mutex_exit(&proc_lock);
		return ESRCH;
	}
	if (pgid == 0)
		pgid = p->p_pid;
	if (p->p_pgrp->pg_session->s_sid == p->p_pid ||
	    p->p_pgrp->pg_session != caller->p_pgrp->pg_session) {
		mutex_exit(&proc_lock);
		return EPERM;
	}
	if (p != caller && (p->p_flag & PK_EXEC)) {
		mutex_exit(&proc_lock);
		return EACCES;
	}
	error = proc_enter_group(p, pgid, NULL);
	mutex_exit(&proc_lock);
	return error;
}

/* setsid(2): a new session and process group led by p.  Returns the sid or a negative errno. */
int
proc_setsid(struct proc *p)
{
	struct session *s;
	int error;

	mutex_enter(&proc_lock);
	if (pgrp_find(p->p_pid) != NULL) {
		mutex_exit(&proc_lock);
		return -EPERM;
	}
	if ((s = pool_get(&session_pool)) == NULL) {
		mutex_exit(&proc_lock);
		return -ENOMEM;
	}
	s->s_sid = p->p_pid;
	s->s_count = 0;
	error = proc_enter_group(p, p->p_pid, s);
	mutex_exit(&proc_lock);
	if (error) {
		pool_put(&session_pool, s);
		return -error;
	}
	return p->p_pid;
}
