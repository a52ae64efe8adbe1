// SPDX-License-Identifier: GPL-2.0-only
/*
 * list.h - doubly linked lists (list_head) and hash lists (hlist), as the kernel has them.
 *
 * Plain accesses, as in the kernel, except where the kernel marks them so that a lockless
 * reader may look: the store that links an entry into ->next (WRITE_ONCE) and list_empty()'s
 * load (READ_ONCE). Any other concurrent use needs a lock, and the race detector says so.
 * list_del() poisons the entry's pointers (LIST_POISON1/2, addresses that fault): a reader
 * still walking through it crashes, which kweave reports. RCU-safe variants: <kweave/rculist.h>.
 */
#ifndef KWEAVE_LIST_H
#define KWEAVE_LIST_H

#include <kweave/types.h>
#include <kweave/atomic.h>

#define LIST_POISON1 ((void *)(uintptr_t)0xdead000000000100ull)
#define LIST_POISON2 ((void *)(uintptr_t)0xdead000000000122ull)

struct list_head {
	struct list_head *next, *prev;
};

struct hlist_head {
	struct hlist_node *first;
};

struct hlist_node {
	struct hlist_node *next, **pprev;
};

#define LIST_HEAD_INIT(name) { &(name), &(name) }
#define LIST_HEAD(name) struct list_head name = LIST_HEAD_INIT(name)

static inline void INIT_LIST_HEAD(struct list_head *list)
{
	WRITE_ONCE(list->next, list);
	WRITE_ONCE(list->prev, list);
}

static inline void __list_add(struct list_head *new, struct list_head *prev, struct list_head *next)
{
	next->prev = new;
	new->next = next;
	new->prev = prev;
	WRITE_ONCE(prev->next, new);
}

static inline void list_add(struct list_head *new, struct list_head *head)
{
	__list_add(new, head, head->next);
}

static inline void list_add_tail(struct list_head *new, struct list_head *head)
{
	__list_add(new, head->prev, head);
}

static inline void __list_del(struct list_head *prev, struct list_head *next)
{
	next->prev = prev;
	WRITE_ONCE(prev->next, next);
}

static inline void __list_del_entry(struct list_head *entry)
{
	__list_del(entry->prev, entry->next);
}

static inline void list_del(struct list_head *entry)
{
	__list_del_entry(entry);
	entry->next = (struct list_head *)LIST_POISON1;
	entry->prev = (struct list_head *)LIST_POISON2;
}

static inline void list_del_init(struct list_head *entry)
{
	__list_del_entry(entry);
	INIT_LIST_HEAD(entry);
}

static inline void list_replace(struct list_head *old, struct list_head *new)
{
	new->next = old->next;
	new->next->prev = new;
	new->prev = old->prev;
	new->prev->next = new;
}

static inline void list_replace_init(struct list_head *old, struct list_head *new)
{
	list_replace(old, new);
	INIT_LIST_HEAD(old);
}

static inline void list_move(struct list_head *list, struct list_head *head)
{
	__list_del_entry(list);
	list_add(list, head);
}

static inline void list_move_tail(struct list_head *list, struct list_head *head)
{
	__list_del_entry(list);
	list_add_tail(list, head);
}

static inline int list_is_first(const struct list_head *list, const struct list_head *head)
{
	return list->prev == head;
}

static inline int list_is_last(const struct list_head *list, const struct list_head *head)
{
	return list->next == head;
}

static inline int list_is_head(const struct list_head *list, const struct list_head *head)
{
	return list == head;
}

static inline int list_empty(const struct list_head *head)
{
	return READ_ONCE(head->next) == head;
}

static inline int list_is_singular(const struct list_head *head)
{
	return !list_empty(head) && (head->next == head->prev);
}

static inline void __list_splice(const struct list_head *list, struct list_head *prev, struct list_head *next)
{
	struct list_head *first = list->next, *last = list->prev;

	first->prev = prev;
	prev->next = first;
	last->next = next;
	next->prev = last;
}

static inline void list_splice(const struct list_head *list, struct list_head *head)
{
	if (!list_empty(list))
		__list_splice(list, head, head->next);
}

static inline void list_splice_tail(struct list_head *list, struct list_head *head)
{
	if (!list_empty(list))
		__list_splice(list, head->prev, head);
}

static inline void list_splice_init(struct list_head *list, struct list_head *head)
{
	if (!list_empty(list)) {
		__list_splice(list, head, head->next);
		INIT_LIST_HEAD(list);
	}
}

static inline void list_splice_tail_init(struct list_head *list, struct list_head *head)
{
	if (!list_empty(list)) {
		__list_splice(list, head->prev, head);
		INIT_LIST_HEAD(list);
	}
}

static inline size_t list_count_nodes(struct list_head *head)
{
	size_t n = 0;

	for (struct list_head *p = head->next; p != head; p = p->next)
		n++;
	return n;
}

#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first_entry(ptr, type, member) list_entry((ptr)->next, type, member)
#define list_last_entry(ptr, type, member) list_entry((ptr)->prev, type, member)
#define list_first_entry_or_null(ptr, type, member)                                    \
	({                                                                             \
		struct list_head *kw__lh = (ptr);                                      \
		struct list_head *kw__lp = READ_ONCE(kw__lh->next);                    \
		kw__lp != kw__lh ? list_entry(kw__lp, type, member) : NULL;            \
	})
#define list_next_entry(pos, member) list_entry((pos)->member.next, __typeof__(*(pos)), member)
#define list_prev_entry(pos, member) list_entry((pos)->member.prev, __typeof__(*(pos)), member)
#define list_entry_is_head(pos, head, member) (&(pos)->member == (head))

#define list_for_each(pos, head) for ((pos) = (head)->next; !list_is_head((pos), (head)); (pos) = (pos)->next)
#define list_for_each_prev(pos, head) for ((pos) = (head)->prev; !list_is_head((pos), (head)); (pos) = (pos)->prev)
#define list_for_each_safe(pos, n, head)                                               \
	for ((pos) = (head)->next, (n) = (pos)->next; !list_is_head((pos), (head));    \
	     (pos) = (n), (n) = (pos)->next)
#define list_for_each_entry(pos, head, member)                                         \
	for ((pos) = list_first_entry(head, __typeof__(*(pos)), member);                \
	     !list_entry_is_head(pos, head, member); (pos) = list_next_entry(pos, member))
#define list_for_each_entry_reverse(pos, head, member)                                 \
	for ((pos) = list_last_entry(head, __typeof__(*(pos)), member);                 \
	     !list_entry_is_head(pos, head, member); (pos) = list_prev_entry(pos, member))
#define list_for_each_entry_safe(pos, n, head, member)                                 \
	for ((pos) = list_first_entry(head, __typeof__(*(pos)), member),                \
	    (n) = list_next_entry(pos, member);                                        \
	     !list_entry_is_head(pos, head, member); (pos) = (n), (n) = list_next_entry(n, member))
#define list_for_each_entry_continue(pos, head, member)                                \
	for ((pos) = list_next_entry(pos, member); !list_entry_is_head(pos, head, member); \
	     (pos) = list_next_entry(pos, member))

/* ---- hlist ---------------------------------------------------------------------------------- */

#define HLIST_HEAD_INIT { .first = NULL }
#define HLIST_HEAD(name) struct hlist_head name = { .first = NULL }
#define INIT_HLIST_HEAD(ptr) ((ptr)->first = NULL)

static inline void INIT_HLIST_NODE(struct hlist_node *h)
{
	h->next = NULL;
	h->pprev = NULL;
}

static inline int hlist_unhashed(const struct hlist_node *h)
{
	return !h->pprev;
}

static inline int hlist_empty(const struct hlist_head *h)
{
	return !READ_ONCE(h->first);
}

static inline void __hlist_del(struct hlist_node *n)
{
	struct hlist_node *next = n->next, **pprev = n->pprev;

	WRITE_ONCE(*pprev, next);
	if (next)
		next->pprev = pprev;
}

static inline void hlist_del(struct hlist_node *n)
{
	__hlist_del(n);
	n->next = (struct hlist_node *)LIST_POISON1;
	n->pprev = (struct hlist_node **)LIST_POISON2;
}

static inline void hlist_del_init(struct hlist_node *n)
{
	if (!hlist_unhashed(n)) {
		__hlist_del(n);
		INIT_HLIST_NODE(n);
	}
}

static inline void hlist_add_head(struct hlist_node *n, struct hlist_head *h)
{
	struct hlist_node *first = h->first;

	n->next = first;
	if (first)
		first->pprev = &n->next;
	WRITE_ONCE(h->first, n);
	n->pprev = &h->first;
}

#define hlist_entry(ptr, type, member) container_of(ptr, type, member)
#define hlist_entry_safe(ptr, type, member)                                            \
	({                                                                             \
		__typeof__(ptr) kw__he = (ptr);                                        \
		kw__he ? hlist_entry(kw__he, type, member) : NULL;                     \
	})
#define hlist_for_each(pos, head) for ((pos) = (head)->first; (pos); (pos) = (pos)->next)
#define hlist_for_each_entry(pos, head, member)                                        \
	for ((pos) = hlist_entry_safe((head)->first, __typeof__(*(pos)), member); (pos);  \
	     (pos) = hlist_entry_safe((pos)->member.next, __typeof__(*(pos)), member))
#define hlist_for_each_entry_safe(pos, n, head, member)                                \
	for ((pos) = hlist_entry_safe((head)->first, __typeof__(*(pos)), member);       \
	     (pos) && ((n) = (pos)->member.next, 1);                                   \
	     (pos) = hlist_entry_safe((n), __typeof__(*(pos)), member))

#endif /* KWEAVE_LIST_H */
