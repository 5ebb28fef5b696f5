/*
 * Intrusive doubly linked lists in the manner of BSD's <sys/queue.h>,
 * reduced to the operations the kernel uses.  A list head points at the
 * first element; each element points at its successor and at the pointer
 * that points at it, so removal needs no search.
 */
#ifndef _SYS_QUEUE_H_
#define _SYS_QUEUE_H_

#define LIST_HEAD(name, type)	struct name { struct type *lh_first; }
#define LIST_ENTRY(type)	struct { struct type *le_next; struct type **le_prev; }
#define LIST_INIT(head)		((head)->lh_first = NULL)
#define LIST_EMPTY(head)	((head)->lh_first == NULL)
#define LIST_FIRST(head)	((head)->lh_first)
#define LIST_NEXT(elm, f)	((elm)->f.le_next)
#define LIST_FOREACH(v, head, f) \
	for ((v) = (head)->lh_first; (v) != NULL; (v) = (v)->f.le_next)
#define LIST_FOREACH_SAFE(v, head, f, tmp) \
	for ((v) = (head)->lh_first; (v) && ((tmp) = (v)->f.le_next, 1); (v) = (tmp))
#define LIST_INSERT_HEAD(head, elm, f) do {				\
	if (((elm)->f.le_next = (head)->lh_first) != NULL)		\
		(head)->lh_first->f.le_prev = &(elm)->f.le_next;	\
	(head)->lh_first = (elm);					\
	(elm)->f.le_prev = &(head)->lh_first;				\
} while (0)
#define LIST_REMOVE(elm, f) do {					\
	if ((elm)->f.le_next != NULL)					\
		(elm)->f.le_next->f.le_prev = (elm)->f.le_prev;		\
	*(elm)->f.le_prev = (elm)->f.le_next;				\
	(elm)->f.le_next = NULL;					\
	(elm)->f.le_prev = NULL;					\
} while (0)

#define TAILQ_HEAD(name, type)	struct name { struct type *tqh_first; struct type **tqh_last; }
#define TAILQ_ENTRY(type)	struct { struct type *tqe_next; struct type **tqe_prev; }
#define TAILQ_INIT(head) do {						\
	(head)->tqh_first = NULL;					\
	(head)->tqh_last = &(head)->tqh_first;				\
} while (0)
#define TAILQ_EMPTY(head)	((head)->tqh_first == NULL)
#define TAILQ_FIRST(head)	((head)->tqh_first)
#define TAILQ_NEXT(elm, f)	((elm)->f.tqe_next)
#define TAILQ_FOREACH(v, head, f) \
	for ((v) = (head)->tqh_first; (v) != NULL; (v) = (v)->f.tqe_next)
#define TAILQ_FOREACH_SAFE(v, head, f, tmp) \
	for ((v) = (head)->tqh_first; (v) && ((tmp) = (v)->f.tqe_next, 1); (v) = (tmp))
#define TAILQ_INSERT_TAIL(head, elm, f) do {				\
	(elm)->f.tqe_next = NULL;					\
	(elm)->f.tqe_prev = (head)->tqh_last;				\
	*(head)->tqh_last = (elm);					\
	(head)->tqh_last = &(elm)->f.tqe_next;				\
} while (0)
#define TAILQ_INSERT_HEAD(head, elm, f) do {				\
	if (((elm)->f.tqe_next = (head)->tqh_first) != NULL)		\
		(head)->tqh_first->f.tqe_prev = &(elm)->f.tqe_next;	\
	else								\
		(head)->tqh_last = &(elm)->f.tqe_next;			\
	(head)->tqh_first = (elm);					\
	(elm)->f.tqe_prev = &(head)->tqh_first;				\
} while (0)
#define TAILQ_REMOVE(head, elm, f) do {					\
	if ((elm)->f.tqe_next != NULL)					\
		(elm)->f.tqe_next->f.tqe_prev = (elm)->f.tqe_prev;	\
	else								\
		(head)->tqh_last = (elm)->f.tqe_prev;			\
	*(elm)->f.tqe_prev = (elm)->f.tqe_next;				\
} while (0)

#endif /* !_SYS_QUEUE_H_ */
