/* ds_snapshot.c: consistent reads while a writer runs, and invariant checks.
 *
 * A snapshot is the seqlock read side: note the structure's counter (waiting while it is odd), copy,
 * then retry if the counter moved. While a change is under way the copy may see anything the writer
 * ever stored, including memory that was freed and reused as another object; so every pointer is
 * checked against the arena range before it is followed and every walk is bounded by the entry count
 * read at the start. A failed check before the counter moved means the structure is corrupt (-EFAULT);
 * after it moved, it is an ordinary retry.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "arena_ds.h"

#define DS_SNAP_RETRIES 100000

static int ds_ok(struct ds_view v, const void *p, size_t len)
{
	uint64_t a = (uint64_t)(uintptr_t)p;

	return p && a >= v.lo && a + len <= v.hi && a + len > a;
}

static __u64 ds_ld(const volatile __u64 *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/* Each reader returns 0, -ENOSPC, or -EFAULT (a pointer outside the arena). */
typedef int (*ds_reader)(struct ds_view v, const void *obj, void *arg, size_t *n);

static int ds_snapshot(struct ds_view v, const struct ds_seq *hdr, ds_reader read, const void *obj, void *arg,
		       size_t *n)
{
	int i, err = -EAGAIN;
	__u32 s;

	if (!ds_ok(v, hdr, sizeof(*hdr)))
		return -EFAULT;
	for (i = 0; i < DS_SNAP_RETRIES; i++) {
		s = ds_read_begin(hdr);
		err = read(v, obj, arg, n);
		if (!ds_read_retry(hdr, s))
			return err;
		err = -EAGAIN;
	}
	return err;
}

struct ds_out {
	struct ds_kv *kv;
	uint64_t *u64;
	size_t max;
	uint64_t lo, hi;
	size_t off;
};

static int ds_htab_read(struct ds_view v, const void *obj, void *arg, size_t *n)
{
	const struct ds_htab *t = obj;
	struct ds_out *o = arg;
	const struct ds_htab_slot *slots = (const void *)(uintptr_t)ds_ld((const __u64 *)&t->slots);
	__u64 mask = ds_ld(&t->mask), i, k, cnt = 0;

	if (mask + 1 > DS_HTAB_MAX_CAP || !ds_ok(v, slots, (mask + 1) * sizeof(*slots)))
		return -EFAULT;
	if (ds_ld(&t->zero_used)) {
		if (cnt >= o->max)
			return -ENOSPC;
		o->kv[cnt].key = 0;
		o->kv[cnt++].val = ds_ld(&t->zero_val);
	}
	for (i = 0; i <= mask; i++) {
		k = ds_ld(&slots[i].key);
		if (!k)
			continue;
		if (cnt >= o->max)
			return -ENOSPC;
		o->kv[cnt].key = k;
		o->kv[cnt++].val = ds_ld(&slots[i].val);
	}
	*n = cnt;
	return 0;
}

int ds_htab__snapshot(struct ds_view v, const struct ds_htab *t, struct ds_kv *out, size_t max, size_t *n)
{
	struct ds_out o = { .kv = out, .max = max };

	return ds_snapshot(v, &t->hdr, ds_htab_read, t, &o, n);
}

static int ds_skip_read(struct ds_view v, const void *obj, void *arg, size_t *n)
{
	const struct ds_skip *s = obj;
	struct ds_out *o = arg;
	const struct ds_skip_node *x;
	__u64 limit = ds_ld(&s->count), steps, cnt = 0, k;

	/* Descend to the first key >= lo, then walk level 0. */
	const struct ds_skip_node *const *links = (const struct ds_skip_node *const *)s->head;
	int l = (int)__atomic_load_n(&s->level, __ATOMIC_RELAXED) - 1;

	if (l >= DS_SKIP_MAXLVL)
		return -EFAULT;
	x = NULL;
	for (steps = 0; l >= 0; steps++) {
		if (steps > limit * DS_SKIP_MAXLVL + DS_SKIP_MAXLVL)
			return -EFAULT;
		x = (const void *)(uintptr_t)ds_ld((const __u64 *)&links[l]);
		if (x) {
			__u32 lvl;

			if (!ds_ok(v, x, sizeof(*x)))
				return -EFAULT;
			lvl = __atomic_load_n(&x->level, __ATOMIC_RELAXED);
			if (lvl <= (__u32)l || lvl > DS_SKIP_MAXLVL || !ds_ok(v, x, ds_skip_node_size(lvl)))
				return -EFAULT;
			if (ds_ld(&x->key) < o->lo) {
				links = (const struct ds_skip_node *const *)x->next;
				continue;
			}
		}
		l--;
	}
	for (steps = 0; x; steps++) {
		if (steps > limit || !ds_ok(v, x, ds_skip_node_size(1)))
			return -EFAULT;
		k = ds_ld(&x->key);
		if (k > o->hi)
			break;
		if (cnt >= o->max)
			return -ENOSPC;
		o->kv[cnt].key = k;
		o->kv[cnt++].val = ds_ld(&x->val);
		x = (const void *)(uintptr_t)ds_ld((const __u64 *)&x->next[0]);
	}
	*n = cnt;
	return 0;
}

int ds_skip__snapshot(struct ds_view v, const struct ds_skip *s, uint64_t lo, uint64_t hi, struct ds_kv *out,
		      size_t max, size_t *n)
{
	struct ds_out o = { .kv = out, .max = max, .lo = lo, .hi = hi };

	return ds_snapshot(v, &s->hdr, ds_skip_read, s, &o, n);
}

/* Depth-first, children in slot order, so keys come out sorted. */
static int ds_sparse_read(struct ds_view v, const void *obj, void *arg, size_t *n)
{
	const struct ds_sparse *a = obj;
	struct ds_out *o = arg;
	const struct ds_sparse_node *stack[DS_SPARSE_MAXH];
	__u32 idx[DS_SPARSE_MAXH];
	__u64 prefix[DS_SPARSE_MAXH];
	__u32 height = __atomic_load_n(&a->height, __ATOMIC_RELAXED);
	const struct ds_sparse_node *root = (const void *)(uintptr_t)ds_ld((const __u64 *)&a->root);
	size_t cnt = 0;
	int top;

	*n = 0;
	if (!root)
		return 0;
	if (height < 1 || height > DS_SPARSE_MAXH || !ds_ok(v, root, sizeof(*root)))
		return -EFAULT;
	/* stack[d] is the node at level height-1-d; prefix[d] its key bits above its digit. */
	top = 0;
	stack[0] = root;
	idx[0] = 0;
	prefix[0] = 0;
	while (top >= 0) {
		const struct ds_sparse_node *nd = stack[top];
		__u32 level = height - 1 - top, sh = DS_SPARSE_BITS * level;
		__u64 bm = ds_ld(&nd->bitmap), key;
		__u32 i = idx[top];

		while (i < DS_SPARSE_FANOUT && !((bm >> i) & 1))
			i++;
		if (i >= DS_SPARSE_FANOUT) {
			top--;
			continue;
		}
		idx[top] = i + 1;
		key = prefix[top] | ((__u64)i << sh);
		if (level == 0) {
			if (key < o->lo)
				continue;
			if (cnt >= o->max)
				return -ENOSPC;
			o->kv[cnt].key = key;
			o->kv[cnt++].val = ds_ld(&nd->slot[i].val);
			continue;
		}
		/* skip subtrees wholly below lo */
		if (sh + DS_SPARSE_BITS < 64 && ((key | ((1ULL << sh) - 1)) < o->lo))
			continue;
		{
			const struct ds_sparse_node *c = (const void *)(uintptr_t)ds_ld((const __u64 *)&nd->slot[i].child);

			if (!ds_ok(v, c, sizeof(*c)) || top + 1 >= DS_SPARSE_MAXH)
				return -EFAULT;
			top++;
			stack[top] = c;
			idx[top] = 0;
			prefix[top] = key;
		}
	}
	*n = cnt;
	return 0;
}

int ds_sparse__snapshot(struct ds_view v, const struct ds_sparse *a, uint64_t lo, struct ds_kv *out, size_t max,
			size_t *n)
{
	struct ds_out o = { .kv = out, .max = max, .lo = lo };

	return ds_snapshot(v, &a->hdr, ds_sparse_read, a, &o, n);
}

static int ds_list_read(struct ds_view v, const void *obj, void *arg, size_t *n)
{
	const struct ds_list *l = obj;
	struct ds_out *o = arg;
	const struct ds_list_node *x = (const void *)(uintptr_t)ds_ld((const __u64 *)&l->first);
	__u64 limit = ds_ld(&l->count);
	size_t cnt = 0;

	for (; x; x = (const void *)(uintptr_t)ds_ld((const __u64 *)&x->next)) {
		if (cnt > limit || !ds_ok(v, x, sizeof(*x)) || !ds_ok(v, (const char *)x + o->off, 8))
			return -EFAULT;
		if (cnt >= o->max)
			return -ENOSPC;
		o->u64[cnt++] = ds_ld((const __u64 *)((const char *)x + o->off));
	}
	*n = cnt;
	return 0;
}

int ds_list__snapshot(struct ds_view v, const struct ds_list *l, size_t val_off, uint64_t *out, size_t max,
		      size_t *n)
{
	struct ds_out o = { .u64 = out, .max = max, .off = val_off };

	return ds_snapshot(v, &l->hdr, ds_list_read, l, &o, n);
}

/* ---- invariant checks ------------------------------------------------------------------------------- */

#define DS_FAIL(...)                                   \
	do {                                           \
		if (why && len)                        \
			snprintf(why, len, __VA_ARGS__); \
		return -EUCLEAN;                       \
	} while (0)

int ds_htab__check(struct ds_view v, const struct ds_htab *t, char *why, size_t len)
{
	__u64 mask = t->mask, i, cnt = t->zero_used ? 1 : 0, j, home;
	const struct ds_htab_slot *slots = t->slots;

	if (t->hdr.seq & 1)
		DS_FAIL("htab: write in progress (seq %u)", t->hdr.seq);
	if ((mask + 1) & mask || mask + 1 < DS_HTAB_MIN_CAP)
		DS_FAIL("htab: capacity %llu is not a power of two >= 8", (unsigned long long)mask + 1);
	if (t->shift != ds_htab_shift(mask + 1))
		DS_FAIL("htab: shift %llu does not match capacity %llu", (unsigned long long)t->shift,
			(unsigned long long)mask + 1);
	if (!ds_ok(v, slots, (mask + 1) * sizeof(*slots)))
		DS_FAIL("htab: slot array %p outside the arena", (const void *)slots);
	for (i = 0; i <= mask; i++) {
		if (!slots[i].key)
			continue;
		cnt++;
		/* every slot from the key's home up to it must be occupied (linear probing invariant) */
		home = ds_htab_home(slots[i].key, t->shift);
		for (j = home; j != i; j = (j + 1) & mask)
			if (!slots[j].key)
				DS_FAIL("htab: key %llu in slot %llu unreachable (empty slot %llu on its run)",
					(unsigned long long)slots[i].key, (unsigned long long)i, (unsigned long long)j);
	}
	if (cnt != t->count)
		DS_FAIL("htab: count %llu but %llu entries", (unsigned long long)t->count, (unsigned long long)cnt);
	if (t->count * 4 > (mask + 1) * 3)
		DS_FAIL("htab: load %llu/%llu above 3/4", (unsigned long long)t->count, (unsigned long long)mask + 1);
	return 0;
}

int ds_skip__check(struct ds_view v, const struct ds_skip *s, char *why, size_t len)
{
	const struct ds_skip_node *x, *y;
	__u64 cnt;
	__u32 l;

	if (s->hdr.seq & 1)
		DS_FAIL("skip: write in progress");
	if (s->level > DS_SKIP_MAXLVL)
		DS_FAIL("skip: level %u", s->level);
	for (l = 0; l < DS_SKIP_MAXLVL; l++) {
		x = s->head[l];
		if (l >= s->level) {
			if (x)
				DS_FAIL("skip: head[%u] set above level %u", l, s->level);
			continue;
		}
		if (!x)
			DS_FAIL("skip: level %u in use but empty", l);
		for (cnt = 0; x; x = y, cnt++) {
			if (cnt > s->count || !ds_ok(v, x, sizeof(*x)) || !ds_ok(v, x, ds_skip_node_size(x->level)))
				DS_FAIL("skip: bad node %p at level %u", (const void *)x, l);
			if (x->level <= l || x->level > DS_SKIP_MAXLVL)
				DS_FAIL("skip: node key %llu of level %u linked at level %u",
					(unsigned long long)x->key, x->level, l);
			y = x->next[l];
			if (y && (!ds_ok(v, y, sizeof(*y)) || y->key <= x->key))
				DS_FAIL("skip: level %u not strictly increasing after key %llu", l,
					(unsigned long long)x->key);
		}
		if (l == 0 && cnt != s->count)
			DS_FAIL("skip: count %llu but %llu nodes", (unsigned long long)s->count,
				(unsigned long long)cnt);
	}
	return 0;
}

static int ds_sparse_check_node(struct ds_view v, const struct ds_sparse_node *n, __u32 level, __u64 *entries,
				char *why, size_t len)
{
	__u64 c = 0;
	__u32 i;
	int err;

	if (!ds_ok(v, n, sizeof(*n)))
		DS_FAIL("sparse: node %p outside the arena", (const void *)n);
	for (i = 0; i < DS_SPARSE_FANOUT; i++) {
		if (!((n->bitmap >> i) & 1))
			continue;
		c++;
		if (level == 0) {
			(*entries)++;
			continue;
		}
		err = ds_sparse_check_node(v, n->slot[i].child, level - 1, entries, why, len);
		if (err)
			return err;
	}
	if (c != n->count || !c)
		DS_FAIL("sparse: node at level %u holds %llu entries, count says %llu", level, (unsigned long long)c,
			(unsigned long long)n->count);
	return 0;
}

int ds_sparse__check(struct ds_view v, const struct ds_sparse *a, char *why, size_t len)
{
	__u64 entries = 0;
	int err;

	if (a->hdr.seq & 1)
		DS_FAIL("sparse: write in progress");
	if (!a->root) {
		if (a->count || a->height)
			DS_FAIL("sparse: empty tree with count %llu height %u", (unsigned long long)a->count, a->height);
		return 0;
	}
	if (a->height < 1 || a->height > DS_SPARSE_MAXH)
		DS_FAIL("sparse: height %u", a->height);
	err = ds_sparse_check_node(v, a->root, a->height - 1, &entries, why, len);
	if (err)
		return err;
	if (entries != a->count)
		DS_FAIL("sparse: count %llu but %llu entries", (unsigned long long)a->count,
			(unsigned long long)entries);
	return 0;
}

int ds_list__check(struct ds_view v, const struct ds_list *l, char *why, size_t len)
{
	const struct ds_list_node *x, *prev = NULL;
	__u64 cnt = 0;

	if (l->hdr.seq & 1)
		DS_FAIL("list: write in progress");
	for (x = l->first; x; prev = x, x = x->next, cnt++) {
		if (cnt > l->count || !ds_ok(v, x, sizeof(*x)))
			DS_FAIL("list: bad node %p after %llu nodes", (const void *)x, (unsigned long long)cnt);
		if (x->prev != prev)
			DS_FAIL("list: node %llu's prev is %p, expected %p", (unsigned long long)cnt,
				(const void *)x->prev, (const void *)prev);
	}
	if (l->last != prev)
		DS_FAIL("list: last is %p, walk ended at %p", (const void *)l->last, (const void *)prev);
	if (cnt != l->count)
		DS_FAIL("list: count %llu but %llu nodes", (unsigned long long)l->count, (unsigned long long)cnt);
	return 0;
}
