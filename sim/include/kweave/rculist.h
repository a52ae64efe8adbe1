// SPDX-License-Identifier: GPL-2.0-only
/*
 * rculist.h - list_head and hlist variants that RCU readers may walk while updaters (holding
 * their own lock) change the list:
 *  - additions publish the new entry with rcu_assign_pointer() (a release store) after
 *    initialising it, so a reader that sees it sees its contents;
 *  - deletions unlink with a marked store and leave the entry's ->next intact (only ->prev
 *    is poisoned), so a reader already on it can go on; the entry may be freed only after a
 *    grace period (synchronize_rcu(), kfree_rcu(), call_rcu());
 *  - readers follow ->next with rcu_dereference() (an acquire load) inside
 *    rcu_read_lock(); list_for_each_entry_rcu()'s optional last argument is the lockdep
 *    condition under which an updater may walk it without rcu_read_lock().
 */
#ifndef KWEAVE_RCULIST_H
#define KWEAVE_RCULIST_H

#include <kweave/list.h>
#include <kweave/rcupdate.h>

#define list_next_rcu(list) (*((struct list_head __rcu **)(&(list)->next)))
#define hlist_first_rcu(head) (*((struct hlist_node __rcu **)(&(head)->first)))
#define hlist_next_rcu(node) (*((struct hlist_node __rcu **)(&(node)->next)))

static inline void INIT_LIST_HEAD_RCU(struct list_head *list)
{
	WRITE_ONCE(list->next, list);
	WRITE_ONCE(list->prev, list);
}

static inline void __list_add_rcu(struct list_head *new, struct list_head *prev, struct list_head *next)
{
	new->next = next;
	new->prev = prev;
	rcu_assign_pointer(list_next_rcu(prev), new); /* publish: pairs with rcu_dereference() */
	next->prev = new;
}

static inline void list_add_rcu(struct list_head *new, struct list_head *head)
{
	__list_add_rcu(new, head, head->next);
}

static inline void list_add_tail_rcu(struct list_head *new, struct list_head *head)
{
	__list_add_rcu(new, head->prev, head);
}

static inline void list_del_rcu(struct list_head *entry)
{
	__list_del_entry(entry);
	entry->prev = (struct list_head *)LIST_POISON2;
}

static inline void list_del_init_rcu(struct list_head *entry)
{
	__list_del_entry(entry);
	INIT_LIST_HEAD(entry);
}

static inline void list_replace_rcu(struct list_head *old, struct list_head *new)
{
	new->next = old->next;
	new->prev = old->prev;
	rcu_assign_pointer(list_next_rcu(new->prev), new); /* publish: pairs with rcu_dereference() */
	new->next->prev = new;
	old->prev = (struct list_head *)LIST_POISON2;
}

#define list_entry_rcu(ptr, type, member) container_of(READ_ONCE(ptr), type, member)
#define list_first_or_null_rcu(ptr, type, member)                                      \
	({                                                                             \
		struct list_head *kw__rh = (ptr);                                      \
		struct list_head *kw__rn = rcu_dereference_raw(list_next_rcu(kw__rh)); \
		kw__rn != kw__rh ? container_of(kw__rn, type, member) : NULL;          \
	})
#define list_next_or_null_rcu(head, ptr, type, member)                                 \
	({                                                                             \
		struct list_head *kw__rh2 = (head);                                    \
		struct list_head *kw__rn2 = rcu_dereference_raw(list_next_rcu(ptr));   \
		kw__rn2 != kw__rh2 ? container_of(kw__rn2, type, member) : NULL;       \
	})

/* list_for_each_entry_rcu(pos, head, member[, lockdep condition]) */
#define kw__rcu_cond_(dummy, c, ...) (c)
#define kw__rcu_walk_ok(...) (kw_rcu_read_lock_any_held() || kw__rcu_cond_(dummy, ##__VA_ARGS__, 0))
#define list_for_each_entry_rcu(pos, head, member, ...)                                \
	for (kw_rcu_check(kw__rcu_walk_ok(__VA_ARGS__),                                \
			  "list_for_each_entry_rcu() outside an RCU read-side critical section"), \
	     (pos) = container_of(rcu_dereference_raw(list_next_rcu(head)), __typeof__(*(pos)), member); \
	     &(pos)->member != (head);                                                  \
	     (pos) = container_of(rcu_dereference_raw(list_next_rcu(&(pos)->member)), __typeof__(*(pos)), member))
#define list_for_each_entry_srcu(pos, head, member, cond) list_for_each_entry_rcu(pos, head, member, cond)

/* ---- hlist ---------------------------------------------------------------------------------- */

static inline void hlist_add_head_rcu(struct hlist_node *n, struct hlist_head *h)
{
	struct hlist_node *first = h->first;

	n->next = first;
	n->pprev = &h->first;
	rcu_assign_pointer(hlist_first_rcu(h), n); /* publish: pairs with rcu_dereference() */
	if (first)
		first->pprev = &n->next;
}

static inline void hlist_del_rcu(struct hlist_node *n)
{
	__hlist_del(n);
	n->pprev = (struct hlist_node **)LIST_POISON2;
}

static inline void hlist_del_init_rcu(struct hlist_node *n)
{
	if (!hlist_unhashed(n)) {
		__hlist_del(n);
		WRITE_ONCE(n->pprev, NULL);
	}
}

static inline void hlist_replace_rcu(struct hlist_node *old, struct hlist_node *new)
{
	struct hlist_node *next = old->next;

	new->next = next;
	new->pprev = old->pprev;
	rcu_assign_pointer(*(struct hlist_node __rcu **)new->pprev, new); /* publish */
	if (next)
		new->next->pprev = &new->next;
	old->pprev = (struct hlist_node **)LIST_POISON2;
}

#define hlist_for_each_entry_rcu(pos, head, member, ...)                               \
	for (kw_rcu_check(kw__rcu_walk_ok(__VA_ARGS__),                                \
			  "hlist_for_each_entry_rcu() outside an RCU read-side critical section"), \
	     (pos) = hlist_entry_safe(rcu_dereference_raw(hlist_first_rcu(head)), __typeof__(*(pos)), member); \
	     (pos);                                                                    \
	     (pos) = hlist_entry_safe(rcu_dereference_raw(hlist_next_rcu(&(pos)->member)), __typeof__(*(pos)), member))

#endif /* KWEAVE_RCULIST_H */
