/* arena_ds/skiplist.h: an ordered u64 -> u64 map in the arena (skip list).
 *
 * Why a skip list and not a red-black tree: every operation is one top-down descent with no parent
 * pointers, no rotations and no recursion, so it is a single bounded loop the BPF verifier accepts,
 * and a concurrent user-space reader only ever follows forward pointers. Expected O(log n) per
 * operation; node levels come from a xorshift generator kept in the header (p = 1/4, at most
 * DS_SKIP_MAXLVL levels), so both sides build the same shape from the same operations.
 *
 * Layout: struct ds_skip (header) holds head[l], the first node of level l. A node holds key, val, its
 * level and `level` forward pointers (next[0] is the sorted list of all nodes). Node size is
 * 24 + 8 * level bytes, from the heap's size classes.
 *
 * Operations: lookup, lower_bound (first key >= k: the start of a range scan, then ds_skip__next),
 * update (insert or replace, DS_ANY/DS_NOEXIST/DS_EXIST), delete. Insert and delete each descend once
 * (insert after a lookup for an existing key), splicing or unlinking at each level on the way down.
 */
#ifndef ARENA_DS_SKIPLIST_H
#define ARENA_DS_SKIPLIST_H

#include "htab.h" /* DS_ANY/DS_NOEXIST/DS_EXIST */

#define DS_SKIP_MAXLVL 16

struct ds_skip_node {
	__u64 key;
	__u64 val;
	__u32 level;
	__u32 pad;
	struct ds_skip_node __arena *next[];
};

struct ds_skip {
	struct ds_seq hdr;
	__u64 count;
	__u64 rng;      /* xorshift64 state, never 0 */
	__u32 level;    /* levels in use, 0 when empty */
	__u32 pad;
	struct ds_skip_node __arena *head[DS_SKIP_MAXLVL];
};

ds_inline __u64 ds_skip_node_size(__u32 level)
{
	return sizeof(struct ds_skip_node) + (__u64)level * sizeof(void __arena *);
}

ds_inline struct ds_skip __arena *ds_skip__new(struct ds_heap *h, __u64 seed)
{
	struct ds_skip __arena *s = ds_alloc(h, sizeof(struct ds_skip));

	if (s)
		s->rng = seed ? seed : 0x9e3779b97f4a7c15ULL;
	return s;
}

/* The descent below counts levels with `lv` (levels still to visit, the current one is lv - 1) and masks
 * it at the top of each iteration: the verifier then sees the same range [0, 31] on every pass and can
 * prune the loop, where an unmasked counter's range drifts by one per pass and never converges once
 * several descents follow each other in one program. */
#define DS_SKIP_LV(lv) ds_index(lv, 2 * DS_SKIP_MAXLVL)

/* First node with key >= `key`, or NULL. */
ds_inline struct ds_skip_node __arena *ds_skip__lower_bound(struct ds_skip __arena *s, __u64 key)
{
	struct ds_skip_node __arena * __arena *links = s->head;
	struct ds_skip_node __arena *x = NULL;
	__u32 lv = s->level;

	while (lv && can_loop) {
		lv = DS_SKIP_LV(lv);
		x = links[lv - 1];
		if (x && x->key < key) {
			links = x->next;
			continue;
		}
		lv--;
	}
	return x;
}

ds_inline struct ds_skip_node __arena *ds_skip__next(struct ds_skip_node __arena *n)
{
	return n->next[0];
}

ds_inline struct ds_skip_node __arena *ds_skip__first(struct ds_skip __arena *s)
{
	return s->head[0];
}

ds_inline __u64 __arena *ds_skip__lookup(struct ds_skip __arena *s, __u64 key)
{
	struct ds_skip_node __arena *x = ds_skip__lower_bound(s, key);

	return x && x->key == key ? &x->val : NULL;
}

/* Level of a new node: 1 + the number of trailing zero bit pairs of a random word (p = 1/4 per level),
 * computed without a loop so the verifier sees one path, not one per level. */
ds_inline __u32 ds_skip_random_level(struct ds_skip __arena *s)
{
	__u64 r = s->rng;
	__u32 lvl;

	r ^= r << 13;
	r ^= r >> 7;
	r ^= r << 17;
	s->rng = r;
	lvl = 1 + ds_ctz64(r | (1ULL << (2 * (DS_SKIP_MAXLVL - 1)))) / 2;
	return lvl;
}

ds_inline int ds_skip__update(struct ds_heap *h, struct ds_skip __arena *s, __u64 key, __u64 val, __u64 flags)
{
	struct ds_skip_node __arena * __arena *links;
	struct ds_skip_node __arena *x, *y;
	__u32 lvl, lv;

	x = ds_skip__lower_bound(s, key);
	if (x && x->key == key) {
		if (flags == DS_NOEXIST)
			return -DS_EEXIST;
		ds_write_begin(&s->hdr);
		x->val = val;
		ds_write_end(&s->hdr);
		return 0;
	}
	if (flags == DS_EXIST)
		return -DS_ENOENT;
	lvl = ds_skip_random_level(s);
	x = ds_alloc(h, ds_skip_node_size(lvl));
	if (!x)
		return -DS_ENOMEM;
	x->key = key;
	x->val = val;
	x->level = lvl;
	ds_write_begin(&s->hdr);
	if (lvl > s->level)
		s->level = lvl;
	links = s->head;
	lv = s->level;
	while (lv && can_loop) {
		lv = DS_SKIP_LV(lv);
		y = links[lv - 1];
		if (y && y->key < key) {
			links = y->next;
			continue;
		}
		if (lv <= lvl) {
			x->next[lv - 1] = y;
			links[lv - 1] = x;
		}
		lv--;
	}
	s->count++;
	ds_write_end(&s->hdr);
	return 0;
}

ds_inline int ds_skip__delete(struct ds_heap *h, struct ds_skip __arena *s, __u64 key)
{
	struct ds_skip_node __arena * __arena *links;
	struct ds_skip_node __arena *x, *y;
	__u32 lv, l;

	x = ds_skip__lower_bound(s, key);
	if (!x || x->key != key)
		return -DS_ENOENT;
	ds_write_begin(&s->hdr);
	links = s->head;
	lv = s->level;
	while (lv && can_loop) {
		lv = DS_SKIP_LV(lv);
		y = links[lv - 1];
		if (y == x) {
			links[lv - 1] = x->next[lv - 1];
			lv--;
			continue;
		}
		if (y && y->key < key) {
			links = y->next;
			continue;
		}
		lv--;
	}
	for (l = 0; s->level > 0 && ds_guard(l, DS_SKIP_MAXLVL);) {
		if (s->head[(s->level - 1) & (DS_SKIP_MAXLVL - 1)])
			break;
		s->level--;
	}
	s->count--;
	ds_write_end(&s->hdr);
	ds_free(h, x, ds_skip_node_size(x->level));
	return 0;
}

#endif /* ARENA_DS_SKIPLIST_H */
