// SPDX-License-Identifier: GPL-2.0-only
/*
 * llist.h - lock-less singly linked lists (a LIFO stack of nodes).
 *
 *  - Any number of producers may llist_add() concurrently: a try_cmpxchg() loop, fully ordered
 *    on success, so the node's contents (and ->next) are published with it.
 *  - llist_del_all(): an xchg() (fully ordered): the consumer takes the whole list and sees
 *    what every producer wrote before adding; any number of consumers may call it.
 *  - llist_del_first(): a try_cmpxchg() loop; only one consumer at a time may use it (with
 *    llist_del_all() by others allowed), or the ABA problem bites - as in the kernel.
 *  - The list taken off is newest first; llist_reverse_order() gives the adding order.
 */
#ifndef KWEAVE_LLIST_H
#define KWEAVE_LLIST_H

#include <kweave/types.h>
#include <kweave/atomic.h>

struct llist_head {
	struct llist_node *first;
};

struct llist_node {
	struct llist_node *next;
};

#define LLIST_HEAD_INIT(name) { NULL }
#define LLIST_HEAD(name) struct llist_head name = LLIST_HEAD_INIT(name)
#define init_llist_head(list) ((list)->first = NULL)
#define init_llist_node(node) ((node)->next = (node))
#define llist_on_list(node) ((node)->next != (node))
#define llist_entry(ptr, type, member) container_of(ptr, type, member)
#define llist_empty(head) (READ_ONCE((head)->first) == NULL)
#define llist_next(node) ((node)->next)

/* Add first..last (already linked); true if the list was empty. */
#define llist_add_batch(nfirst, nlast, head)                                           \
	({                                                                             \
		struct llist_node *kw__lf = (nfirst), *kw__ll = (nlast);               \
		struct llist_head *kw__lh = (head);                                    \
		struct llist_node *kw__lo = READ_ONCE(kw__lh->first);                  \
		do {                                                                   \
			kw__ll->next = kw__lo;                                         \
		} while (!try_cmpxchg(&kw__lh->first, &kw__lo, kw__lf));               \
		kw__lo == NULL;                                                        \
	})
#define llist_add(node, head)                                                          \
	({                                                                             \
		struct llist_node *kw__ln = (node);                                    \
		llist_add_batch(kw__ln, kw__ln, (head));                               \
	})
#define llist_del_all(head) xchg(&(head)->first, (struct llist_node *)NULL)
#define llist_del_first(head)                                                          \
	({                                                                             \
		struct llist_head *kw__dh = (head);                                    \
		struct llist_node *kw__de = READ_ONCE(kw__dh->first), *kw__dn;         \
		for (;;) {                                                             \
			if (!kw__de)                                                   \
				break;                                                 \
			kw__dn = READ_ONCE(kw__de->next);                              \
			if (try_cmpxchg(&kw__dh->first, &kw__de, kw__dn))              \
				break;                                                 \
		}                                                                      \
		kw__de;                                                                \
	})

static inline struct llist_node *llist_reverse_order(struct llist_node *head)
{
	struct llist_node *new_head = NULL;

	while (head) {
		struct llist_node *tmp = head;

		head = head->next;
		tmp->next = new_head;
		new_head = tmp;
	}
	return new_head;
}

#define llist_for_each(pos, node) for ((pos) = (node); (pos); (pos) = (pos)->next)
#define llist_for_each_safe(pos, n, node)                                              \
	for ((pos) = (node); (pos) && ((n) = (pos)->next, true); (pos) = (n))
/* The node expression is evaluated once (it is often llist_del_all() or llist_reverse_order());
 * an entry made from a NULL node is recognised by its member's address, as the kernel does. */
#define kw__lnode_ok(pos, member) ((uintptr_t)(pos) + offsetof(__typeof__(*(pos)), member) != 0)
#define llist_for_each_entry(pos, node, member)                                        \
	for ((pos) = llist_entry((node), __typeof__(*(pos)), member);                   \
	     kw__lnode_ok(pos, member);                                                \
	     (pos) = llist_entry((pos)->member.next, __typeof__(*(pos)), member))
#define llist_for_each_entry_safe(pos, n, node, member)                                \
	for ((pos) = llist_entry((node), __typeof__(*(pos)), member);                   \
	     kw__lnode_ok(pos, member) &&                                              \
	     ((n) = llist_entry((pos)->member.next, __typeof__(*(n)), member), true);    \
	     (pos) = (n))

#endif /* KWEAVE_LLIST_H */
