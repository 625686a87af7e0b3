/* arena_ds/list.h: an intrusive doubly linked list in the arena.
 *
 * Elements embed struct ds_list_node (anywhere; ds_list_entry() gets back to the element). The list
 * header keeps first, last and count; the ends are NULL-terminated rather than circular through the
 * header, so a reader walking forward from `first` stops at NULL and needs no knowledge of the header's
 * address. Invariants: first->prev == NULL, last->next == NULL, x->next->prev == x, count == length.
 * All operations are O(1) and loop-free except ds_list__find_u64-style walks done by callers.
 */
#ifndef ARENA_DS_LIST_H
#define ARENA_DS_LIST_H

#include "alloc.h"

struct ds_list_node {
	struct ds_list_node __arena *next;
	struct ds_list_node __arena *prev;
};

struct ds_list {
	struct ds_seq hdr;
	__u64 count;
	struct ds_list_node __arena *first;
	struct ds_list_node __arena *last;
};

#define ds_list_entry(node, type, member) \
	((type __arena *)((char __arena *)(node) - __builtin_offsetof(type, member)))

ds_inline struct ds_list __arena *ds_list__new(struct ds_heap *h)
{
	return ds_alloc(h, sizeof(struct ds_list));
}

/* Links n after pos (pos NULL: at the front). */
ds_inline void ds_list__insert_after(struct ds_list __arena *l, struct ds_list_node __arena *pos,
				     struct ds_list_node __arena *n)
{
	struct ds_list_node __arena *nx = pos ? pos->next : l->first;

	ds_write_begin(&l->hdr);
	n->prev = pos;
	n->next = nx;
	if (nx)
		nx->prev = n;
	else
		l->last = n;
	if (pos)
		pos->next = n;
	else
		l->first = n;
	l->count++;
	ds_write_end(&l->hdr);
}

/* Links n before pos (pos NULL: at the back). */
ds_inline void ds_list__insert_before(struct ds_list __arena *l, struct ds_list_node __arena *pos,
				      struct ds_list_node __arena *n)
{
	ds_list__insert_after(l, pos ? pos->prev : l->last, n);
}

ds_inline void ds_list__push_front(struct ds_list __arena *l, struct ds_list_node __arena *n)
{
	ds_list__insert_after(l, NULL, n);
}

ds_inline void ds_list__push_back(struct ds_list __arena *l, struct ds_list_node __arena *n)
{
	ds_list__insert_after(l, l->last, n);
}

/* Unlinks n (which must be on l); its memory is the caller's. */
ds_inline void ds_list__remove(struct ds_list __arena *l, struct ds_list_node __arena *n)
{
	struct ds_list_node __arena *p = n->prev, *nx = n->next;

	ds_write_begin(&l->hdr);
	if (p)
		p->next = nx;
	else
		l->first = nx;
	if (nx)
		nx->prev = p;
	else
		l->last = p;
	ds_clear64(&n->next);
	ds_clear64(&n->prev);
	l->count--;
	ds_write_end(&l->hdr);
}

ds_inline struct ds_list_node __arena *ds_list__pop_front(struct ds_list __arena *l)
{
	struct ds_list_node __arena *n = l->first;

	if (n)
		ds_list__remove(l, n);
	return n;
}

ds_inline struct ds_list_node __arena *ds_list__pop_back(struct ds_list __arena *l)
{
	struct ds_list_node __arena *n = l->last;

	if (n)
		ds_list__remove(l, n);
	return n;
}

#endif /* ARENA_DS_LIST_H */
