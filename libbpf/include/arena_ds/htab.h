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
	__u64 shift;    /* 64 - log2(capacity): a key's home slot is the top bits of key * golden ratio */
};

ds_inline __u64 ds_htab_roundup(__u64 n)
{
	__u64 c = DS_HTAB_MIN_CAP;
	int i;

	for (i = 0; c < n && ds_guard(i, 40);)
		c <<= 1;
	return c;
}

/* Home slot of key: Fibonacci hashing, one multiply keeping the top log2(capacity) bits. It spreads runs
 * of consecutive keys evenly (the golden ratio's property) and is what keeps a lookup to a handful of
 * instructions; a table facing keys chosen to collide would want a keyed hash instead. */
ds_inline __u64 ds_htab_home(__u64 key, __u64 shift)
{
	return (key * 0x9e3779b97f4a7c15ULL) >> (shift & 63);
}

/* 64 - log2(cap) for a power of two cap. */
ds_inline __u64 ds_htab_shift(__u64 cap)
{
	return 65 - ds_fls64(cap);
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
	t->shift = ds_htab_shift(cap);
	t->max_cap = max_cap;
	t->slots = slots;
	return t;
}

/* The slot holding key (key != 0), or NULL. The first probe is peeled off the loop: at the load the table
 * keeps, most lookups end there without entering it. */
ds_inline struct ds_htab_slot __arena *ds_htab_find(struct ds_htab_slot __arena *slots, __u64 mask, __u64 shift,
						    __u64 key)
{
	struct ds_htab_slot __arena *s;
	__u64 i, n;

	i = ds_htab_home(key, shift);
	s = &slots[i];
	if (s->key == key)
		return s;
	if (!s->key)
		return NULL;
	for (n = 0; ds_guard(n, mask + 1);) {
		i = (i + 1) & mask;
		s = &slots[i];
		if (s->key == key)
			return s;
		if (!s->key)
			return NULL;
	}
	return NULL;
}

/* Pointer to the value stored under key, or NULL. */
ds_inline __u64 __arena *ds_htab__lookup(struct ds_htab __arena *t, __u64 key)
{
	struct ds_htab_slot __arena *s;

	if (!key)
		return t->zero_used ? &t->zero_val : NULL;
	s = ds_htab_find(t->slots, t->mask, t->shift, key);
	return s ? &s->val : NULL;
}

/* Batched lookups: the header read once into a ref (registers, in BPF), then any number of ref_get calls
 * with no writer in between. This is the fast path of bench/ds: no reloading of the header per key and
 * the value returned in a register rather than through a pointer the program must cast again. */
struct ds_htab_ref {
	struct ds_htab_slot __arena *slots;
	__u64 mask;
	__u64 shift;
	struct ds_htab __arena *t; /* for the key 0, off the fast path */
};

ds_inline void ds_htab__ref(struct ds_htab __arena *t, struct ds_htab_ref *r)
{
	r->slots = t->slots;
	r->mask = t->mask;
	r->shift = t->shift;
	r->t = t;
}

/* 0 and *val when key is present, -DS_ENOENT otherwise. The probe is written out again here (rather
 * than calling ds_htab_find) and reads key and value together at each slot (one cache line): reading the
 * value later, through a slot pointer merged from two paths, costs clang-19 a second address-space cast
 * per hit, which is a measurable share of a lookup this short (bench/ds). */
ds_inline int ds_htab__ref_get(const struct ds_htab_ref *r, __u64 key, __u64 *val)
{
	struct ds_htab_slot __arena *s;
	__u64 i, n, k, v;

	*val = 0; /* defined on every path: the verifier refuses reads of a register never written */
	if (!key) {
		if (!r->t->zero_used)
			return -DS_ENOENT;
		*val = r->t->zero_val;
		return 0;
	}
	i = ds_htab_home(key, r->shift);
	s = &r->slots[i];
	k = s->key;
	v = s->val;
	if (k == key) {
		*val = v;
		return 0;
	}
	for (n = 0; k && ds_guard(n, r->mask + 1);) {
		i = (i + 1) & r->mask;
		s = &r->slots[i];
		k = s->key;
		v = s->val;
		if (k == key) {
			*val = v;
			return 0;
		}
	}
	return -DS_ENOENT;
}

/* 0 and *val when key is present, -DS_ENOENT otherwise. */
ds_inline int ds_htab__get(struct ds_htab __arena *t, __u64 key, __u64 *val)
{
	struct ds_htab_ref r;

	ds_htab__ref(t, &r);
	return ds_htab__ref_get(&r, key, val);
}

/* Places key in the first empty slot of its run; the caller knows the key is absent and a slot free. */
ds_inline void ds_htab_place(struct ds_htab_slot __arena *slots, __u64 mask, __u64 shift, __u64 key, __u64 val)
{
	struct ds_htab_slot __arena *s;
	__u64 i, n;

	i = ds_htab_home(key, shift);
	for (n = 0; ds_guard(n, mask + 1);) {
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
	struct ds_htab_slot __arena *old = t->slots, *nw, *s, *end;
	__u64 ocap = t->mask + 1, ncap = ocap * 2, nshift = t->shift - 1;

	if (ncap > t->max_cap)
		return -DS_ENOSPC;
	nw = ds_alloc(h, ncap * sizeof(struct ds_htab_slot));
	if (!nw)
		return -DS_ENOMEM;
	/* Walk by pointer, compared for equality with the end: a counter compared with `ocap` would narrow
	 * ocap's range on every pass, and the verifier would never see two passes alike. */
	for (s = old, end = old + ocap; s != end && can_loop; s++) {
		if (s->key)
			ds_htab_place(nw, ncap - 1, nshift, s->key, s->val);
	}
	t->slots = nw;
	t->mask = ncap - 1;
	t->shift = nshift;
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
	ds_htab_place(t->slots, t->mask, t->shift, key, val);
	t->count++;
out:
	ds_write_end(&t->hdr);
	return err;
}

/* Removes key; -DS_ENOENT when absent. */
ds_inline int ds_htab__delete(struct ds_htab __arena *t, __u64 key)
{
	struct ds_htab_slot __arena *slots, *s, *hole;
	__u64 mask, shift, i, j, k, n;

	if (!key) {
		if (!t->zero_used)
			return -DS_ENOENT;
		ds_write_begin(&t->hdr);
		ds_clear64(&t->zero_used);
		ds_clear64(&t->zero_val);
		t->count--;
		ds_write_end(&t->hdr);
		return 0;
	}
	mask = t->mask;
	shift = t->shift;
	slots = t->slots;
	i = ds_htab_home(key, shift);
	for (n = 0; ds_guard(n, mask + 1);) {
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
	hole = &slots[i];
	j = i;
	for (n = 0; ds_guard(n, mask + 1);) {
		j = (j + 1) & mask;
		s = &slots[j];
		if (!s->key)
			break;
		k = ds_htab_home(s->key, shift);
		if (((j - k) & mask) >= ((j - i) & mask)) {
			hole->key = s->key;
			hole->val = s->val;
			hole = s;
			i = j;
		}
	}
	ds_clear64(&hole->key);
	ds_clear64(&hole->val);
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
