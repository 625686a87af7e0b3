/* arena_ds/sparse.h: a sparse array keyed by u64 (radix tree, 64-way) in the arena.
 *
 * Layout: every node has 64 slots, a bitmap of the slots in use and their count (528 bytes, size class
 * 768). Level 0 nodes (leaves) hold values; level l > 0 nodes hold children. A tree of height H covers
 * keys below 2^(6H) (H = 11 covers all 64 bits); the height grows when a larger key is inserted (the old
 * root becomes child 0 of a new root) and does not shrink. A node whose count drops to 0 is freed and
 * unlinked from its parent, so every node in the tree holds something.
 *
 * Any u64 value can be stored (presence is the bitmap, not the value). Iteration in key order:
 * ds_sparse__next_ge(a, k) finds the first present key >= k; it restarts from the root after each
 * exhausted subtree, so it needs no stack of parents (at most a few dozen node visits per call).
 */
#ifndef ARENA_DS_SPARSE_H
#define ARENA_DS_SPARSE_H

#include "htab.h" /* DS_ANY/DS_NOEXIST/DS_EXIST */

#define DS_SPARSE_BITS 6
#define DS_SPARSE_FANOUT 64
#define DS_SPARSE_MAXH 11

struct ds_sparse_node {
	__u64 bitmap;
	__u64 count;
	union {
		__u64 val;
		struct ds_sparse_node __arena *child;
	} slot[DS_SPARSE_FANOUT];
};

struct ds_sparse {
	struct ds_seq hdr;
	__u64 count;
	__u32 height;   /* 0 when empty */
	__u32 pad;
	struct ds_sparse_node __arena *root;
};

ds_inline struct ds_sparse __arena *ds_sparse__new(struct ds_heap *h)
{
	return ds_alloc(h, sizeof(struct ds_sparse));
}

ds_inline __u32 ds_sparse_digit(__u64 key, __u32 level)
{
	return (key >> (DS_SPARSE_BITS * (level % DS_SPARSE_MAXH))) & (DS_SPARSE_FANOUT - 1);
}

/* Height needed for key: ceil(significant bits / 6), at least 1 (no loop: one verifier path). */
ds_inline __u32 ds_sparse_height_for(__u64 key)
{
	__u32 bits = ds_fls64(key | 1);

	return (bits + DS_SPARSE_BITS - 1) / DS_SPARSE_BITS;
}

/* The node at `level` on key's path, or NULL when the path stops earlier. */
ds_inline struct ds_sparse_node __arena *ds_sparse_node_at(struct ds_sparse __arena *a, __u64 key, __u32 level)
{
	struct ds_sparse_node __arena *n = a->root;
	__u32 l = a->height, d;
	int i;

	if (!n || level >= l || ds_sparse_height_for(key) > l)
		return NULL;
	for (i = 0; n && ds_guard(i, DS_SPARSE_MAXH);) {
		l = ds_index(l, 16); /* a range the verifier sees unchanged from pass to pass (height <= 11) */
		if (!l)
			return NULL;
		l--;
		if (l == level)
			return n;
		d = ds_sparse_digit(key, l);
		if (!((n->bitmap >> d) & 1))
			return NULL;
		n = n->slot[d].child;
	}
	return NULL;
}

ds_inline __u64 __arena *ds_sparse__lookup(struct ds_sparse __arena *a, __u64 key)
{
	struct ds_sparse_node __arena *n = ds_sparse_node_at(a, key, 0);
	__u32 d = key & (DS_SPARSE_FANOUT - 1);

	if (!n || !((n->bitmap >> d) & 1))
		return NULL;
	return &n->slot[d].val;
}

ds_inline int ds_sparse__update(struct ds_heap *h, struct ds_sparse __arena *a, __u64 key, __u64 val, __u64 flags)
{
	struct ds_sparse_node __arena *n, *c;
	__u64 __arena *v = ds_sparse__lookup(a, key);
	__u32 need, l, d;
	int i, err = 0;

	if (v) {
		if (flags == DS_NOEXIST)
			return -DS_EEXIST;
		ds_write_begin(&a->hdr);
		*v = val;
		ds_write_end(&a->hdr);
		return 0;
	}
	if (flags == DS_EXIST)
		return -DS_ENOENT;
	need = ds_sparse_height_for(key);
	ds_write_begin(&a->hdr);
	if (!a->root) {
		n = ds_alloc(h, sizeof(struct ds_sparse_node));
		if (!n) {
			err = -DS_ENOMEM;
			goto out;
		}
		a->root = n;
		a->height = need; /* an empty tree starts at the height the key needs: no empty chain */
	}
	for (i = 0; a->height < need && ds_guard(i, DS_SPARSE_MAXH);) {
		n = ds_alloc(h, sizeof(struct ds_sparse_node));
		if (!n) {
			err = -DS_ENOMEM;
			goto out;
		}
		n->slot[0].child = a->root;
		n->bitmap = 1;
		n->count = 1;
		a->root = n;
		a->height++;
	}
	n = a->root;
	l = a->height;
	for (i = 0; l > 1 && ds_guard(i, DS_SPARSE_MAXH);) {
		l = ds_index(l, 16);
		l--;
		d = ds_sparse_digit(key, l);
		if (!((n->bitmap >> d) & 1)) {
			/* An empty child left by a failed allocation further down is harmless: it is
			 * reused by the next insert on this path. */
			c = ds_alloc(h, sizeof(struct ds_sparse_node));
			if (!c) {
				err = -DS_ENOMEM;
				goto out;
			}
			n->slot[d].child = c;
			n->bitmap |= 1ULL << d;
			n->count++;
		}
		n = n->slot[d].child;
	}
	d = key & (DS_SPARSE_FANOUT - 1);
	n->slot[d].val = val;
	n->bitmap |= 1ULL << d;
	n->count++;
	a->count++;
out:
	ds_write_end(&a->hdr);
	return err;
}

ds_inline int ds_sparse__delete(struct ds_heap *h, struct ds_sparse __arena *a, __u64 key)
{
	struct ds_sparse_node __arena *n, *p;
	__u32 l, d;

	n = ds_sparse_node_at(a, key, 0);
	d = key & (DS_SPARSE_FANOUT - 1);
	if (!n || !((n->bitmap >> d) & 1))
		return -DS_ENOENT;
	ds_write_begin(&a->hdr);
	n->bitmap &= ~(1ULL << d);
	ds_clear64(&n->slot[d].val);
	n->count--;
	a->count--;
	/* Free emptied nodes bottom-up; each parent is found again from the root (height <= 11). */
	for (l = ds_unknown_zero(); l < DS_SPARSE_MAXH && n && !n->count && can_loop; l++) {
		l = ds_index(l, 16);
		if (l + 1 >= a->height) {
			a->root = NULL;
			a->height = 0;
			ds_free(h, n, sizeof(struct ds_sparse_node));
			break;
		}
		p = ds_sparse_node_at(a, key, l + 1);
		if (!p)
			break;
		d = ds_sparse_digit(key, l + 1);
		p->bitmap &= ~(1ULL << d);
		ds_clear64(&p->slot[d].child);
		p->count--;
		ds_free(h, n, sizeof(struct ds_sparse_node));
		n = p;
	}
	ds_write_end(&a->hdr);
	return 0;
}

/* First present key >= start: 0 with *key and *val set, or -DS_ENOENT. */
ds_inline int ds_sparse__next_ge(struct ds_sparse __arena *a, __u64 start, __u64 *key, __u64 *val)
{
	struct ds_sparse_node __arena *n;
	__u64 k = start, bits;
	__u32 l, d, i, sh;
	int guard;

	if (!a->root || ds_sparse_height_for(k) > a->height)
		return -DS_ENOENT;
	n = a->root;
	l = a->height - 1;
	for (guard = 0; ds_guard(guard, 4 * DS_SPARSE_MAXH * DS_SPARSE_MAXH);) {
		l = ds_index(l, 16);
		d = ds_sparse_digit(k, l);
		bits = n->bitmap >> d;
		if (!bits) {
			/* Subtree exhausted: move k to the start of the next subtree one level up and
			 * search again from the root. */
			if (l + 1 >= a->height)
				return -DS_ENOENT;
			sh = DS_SPARSE_BITS * ((l + 1) % DS_SPARSE_MAXH);
			k = ((k >> sh) + 1) << sh;
			if (!k || ds_sparse_height_for(k) > a->height)
				return -DS_ENOENT;
			n = a->root;
			l = a->height - 1;
			continue;
		}
		i = d + ds_ctz64(bits);
		if (i != d) {
			sh = DS_SPARSE_BITS * (l % DS_SPARSE_MAXH);
			k = (sh + DS_SPARSE_BITS >= 64 ? 0 : (k >> (sh + DS_SPARSE_BITS)) << (sh + DS_SPARSE_BITS)) |
			    ((__u64)i << sh);
		}
		if (l == 0) {
			*key = k;
			*val = n->slot[i & (DS_SPARSE_FANOUT - 1)].val;
			return 0;
		}
		n = n->slot[i & (DS_SPARSE_FANOUT - 1)].child;
		l--;
	}
	return -DS_ENOENT;
}

#endif /* ARENA_DS_SPARSE_H */
