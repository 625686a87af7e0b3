/* arena_ds/htab.h: a u64 -> u64 hash table in the arena, open addressing with linear probing.
 *
 * Why this shape: a lookup is one hash, then a scan of adjacent 16-byte slots, usually one cache line.
 * In BPF that is a handful of loads through r12 with no helper call, which is what makes it several
 * times faster than BPF_MAP_TYPE_HASH (bench/ds). Values are u64; store an arena pointer there for
 * bigger records.
 *
 * Layout: struct ds_htab (header, in the arena) points to `mask + 1` slots {key, val} (a power of two,
 * at least 8). Key 0 marks an empty slot, so the key 0 itself is kept in the header (zero_used, zero_val).
 * Deletion shifts later entries of the probe run back (no tombstones), so every lookup stops at the
 * first empty slot and the table never degrades under churn.
 *
 * Capacity: the table keeps its load at or below 3/4. Inserting past that doubles the slot array (all
 * entries rehashed within one write section), up to max_cap slots; a table created with
 * max_cap == capacity never grows. When it cannot grow, an insert of a new key fails with -DS_ENOSPC
 * ("table full"), and -DS_ENOMEM when the heap has no memory for the larger array.
 *
 * Concurrency: writes run between ds_write_begin/end on hdr (see common.h). Readers in user space take
 * snapshots with ds_htab__snapshot() (libbpf/ds); ds_htab__lookup() itself is for the writer's side and
 * for readers that need no consistency (a BPF reader never faults, whatever it reads).
 */
#ifndef ARENA_DS_HTAB_H
#define ARENA_DS_HTAB_H

#include "alloc.h"

#define DS_HTAB_MIN_CAP 8ULL
#define DS_HTAB_MAX_CAP (1ULL << 24)

/* update flags, as BPF map updates */
#define DS_ANY 0
#define DS_NOEXIST 1
#define DS_EXIST 2

struct ds_htab_slot {
	__u64 key;
	__u64 val;
};

struct ds_htab {
	struct ds_seq hdr;
	__u64 mask;     /* capacity - 1 */
	__u64 count;    /* entries, key 0 included */
	__u64 max_cap;  /* growth limit in slots */
	struct ds_htab_slot __arena *slots;
	__u64 zero_used;
	__u64 zero_val;
};

ds_inline __u64 ds_htab_roundup(__u64 n)
{
	__u64 c = DS_HTAB_MIN_CAP;
	int i;

	for (i = 0; i < 40 && c < n; i++)
		c <<= 1;
	return c;
}

/* A new table with room for `cap` slots (rounded up to a power of two), growing up to max_cap slots
 * (0: DS_HTAB_MAX_CAP; max_cap <= cap: fixed size). NULL when the heap is exhausted. */
ds_inline struct ds_htab __arena *ds_htab__new(struct ds_heap *h, __u64 cap, __u64 max_cap)
{
	struct ds_htab __arena *t;
	struct ds_htab_slot __arena *slots;

	cap = ds_htab_roundup(cap);
	if (cap > DS_HTAB_MAX_CAP)
		return NULL;
	if (!max_cap || max_cap > DS_HTAB_MAX_CAP)
		max_cap = DS_HTAB_MAX_CAP;
	if (max_cap < cap)
		max_cap = cap;
	t = ds_alloc(h, sizeof(*t));
	if (!t)
		return NULL;
	slots = ds_alloc(h, cap * sizeof(struct ds_htab_slot));
	if (!slots) {
		ds_free(h, t, sizeof(*t));
		return NULL;
	}
	t->mask = cap - 1;
	t->max_cap = max_cap;
	t->slots = slots;
	return t;
}

/* Pointer to the value stored under key, or NULL. */
ds_inline __u64 __arena *ds_htab__lookup(struct ds_htab __arena *t, __u64 key)
{
	struct ds_htab_slot __arena *slots, *s;
	__u64 mask, i, n;

	if (!key)
		return t->zero_used ? &t->zero_val : NULL;
	mask = t->mask;
	slots = t->slots;
	i = ds_hash64(key) & mask;
	for (n = 0; n <= mask && can_loop; n++) {
		s = &slots[i];
		if (s->key == key)
			return &s->val;
		if (!s->key)
			return NULL;
		i = (i + 1) & mask;
	}
	return NULL;
}

/* Places key in the first empty slot of its run; the caller knows the key is absent and a slot free. */
ds_inline void ds_htab_place(struct ds_htab_slot __arena *slots, __u64 mask, __u64 key, __u64 val)
{
	struct ds_htab_slot __arena *s;
	__u64 i, n;

	i = ds_hash64(key) & mask;
	for (n = 0; n <= mask && can_loop; n++) {
		s = &slots[i];
		if (!s->key) {
			s->val = val;
			s->key = key;
			return;
		}
		i = (i + 1) & mask;
	}
}

/* Doubles the slot array (inside the caller's write section). */
ds_inline int ds_htab_grow(struct ds_heap *h, struct ds_htab __arena *t)
{
	struct ds_htab_slot __arena *old = t->slots, *nw;
	__u64 ocap = t->mask + 1, ncap = ocap * 2, i;

	if (ncap > t->max_cap)
		return -DS_ENOSPC;
	nw = ds_alloc(h, ncap * sizeof(struct ds_htab_slot));
	if (!nw)
		return -DS_ENOMEM;
	for (i = 0; i < ocap && can_loop; i++) {
		if (old[i].key)
			ds_htab_place(nw, ncap - 1, old[i].key, old[i].val);
	}
	t->slots = nw;
	t->mask = ncap - 1;
	ds_free(h, old, ocap * sizeof(struct ds_htab_slot));
	return 0;
}

/* Inserts or replaces key -> val. flags: DS_ANY, DS_NOEXIST (-DS_EEXIST if present), DS_EXIST
 * (-DS_ENOENT if absent). -DS_ENOSPC: full at max_cap; -DS_ENOMEM: no memory to grow. */
ds_inline int ds_htab__update(struct ds_heap *h, struct ds_htab __arena *t, __u64 key, __u64 val, __u64 flags)
{
	__u64 __arena *v = ds_htab__lookup(t, key);
	int err = 0;

	if (v) {
		if (flags == DS_NOEXIST)
			return -DS_EEXIST;
		ds_write_begin(&t->hdr);
		*v = val;
		ds_write_end(&t->hdr);
		return 0;
	}
	if (flags == DS_EXIST)
		return -DS_ENOENT;
	ds_write_begin(&t->hdr);
	if (!key) {
		t->zero_val = val;
		t->zero_used = 1;
		t->count++;
		goto out;
	}
	if ((t->count + 1) * 4 > (t->mask + 1) * 3) {
		err = ds_htab_grow(h, t);
		if (err)
			goto out;
	}
	ds_htab_place(t->slots, t->mask, key, val);
	t->count++;
out:
	ds_write_end(&t->hdr);
	return err;
}

/* Removes key; -DS_ENOENT when absent. */
ds_inline int ds_htab__delete(struct ds_htab __arena *t, __u64 key)
{
	struct ds_htab_slot __arena *slots, *s, *hole;
	__u64 mask, i, j, k, n;

	if (!key) {
		if (!t->zero_used)
			return -DS_ENOENT;
		ds_write_begin(&t->hdr);
		t->zero_used = 0;
		t->zero_val = 0;
		t->count--;
		ds_write_end(&t->hdr);
		return 0;
	}
	mask = t->mask;
	slots = t->slots;
	i = ds_hash64(key) & mask;
	for (n = 0; n <= mask && can_loop; n++) {
		if (slots[i].key == key)
			break;
		if (!slots[i].key)
			return -DS_ENOENT;
		i = (i + 1) & mask;
	}
	if (n > mask || slots[i].key != key)
		return -DS_ENOENT;
	ds_write_begin(&t->hdr);
	/* Backward shift: an entry later in the run moves into the hole when its home slot does not lie
	 * cyclically after the hole, so the run stays unbroken for every key it holds. */
	j = i;
	for (n = 0; n <= mask && can_loop; n++) {
		j = (j + 1) & mask;
		s = &slots[j];
		if (!s->key)
			break;
		k = ds_hash64(s->key) & mask;
		if (((j - k) & mask) >= ((j - i) & mask)) {
			hole = &slots[i];
			hole->key = s->key;
			hole->val = s->val;
			i = j;
		}
	}
	slots[i].key = 0;
	slots[i].val = 0;
	t->count--;
	ds_write_end(&t->hdr);
	return 0;
}

/* Iteration: *pos = 0 to start; each call returns the next entry (0) or -DS_ENOENT at the end. Position
 * 0 is the key 0; position p >= 1 is slot p - 1. Order is the table's, not the keys'. */
ds_inline int ds_htab__next(struct ds_htab __arena *t, __u64 *pos, __u64 *key, __u64 *val)
{
	struct ds_htab_slot __arena *slots = t->slots;
	__u64 p = *pos, cap = t->mask + 1;

	if (p == 0) {
		p = 1;
		if (t->zero_used) {
			*pos = 1;
			*key = 0;
			*val = t->zero_val;
			return 0;
		}
	}
	for (; p <= cap && can_loop; p++) {
		if (slots[p - 1].key) {
			*key = slots[p - 1].key;
			*val = slots[p - 1].val;
			*pos = p + 1;
			return 0;
		}
	}
	*pos = p;
	return -DS_ENOENT;
}

/* Frees the slot array and the header. */
ds_inline void ds_htab__destroy(struct ds_heap *h, struct ds_htab __arena *t)
{
	if (!t)
		return;
	ds_free(h, t->slots, (t->mask + 1) * sizeof(struct ds_htab_slot));
	ds_free(h, t, sizeof(*t));
}

#endif /* ARENA_DS_HTAB_H */
