/* test_ds_window.h: the writer of the concurrency test, the same code for BPF and for user space.
 *
 * Every structure holds a sliding window of keys: after win_fill, keys base+1 .. base+W; each step inserts
 * base+W+1, then deletes base+1 and advances base. Every change is its own write section, so a consistent
 * reader sees W or W+1 consecutive keys, each with its value 3 * key (the list: W or W+1 consecutive
 * values, front to back). Anything else means a reader saw a change half done.
 */
#ifndef TEST_DS_WINDOW_H
#define TEST_DS_WINDOW_H

#include "test_ds_ops.h" /* struct ds_test_roots, struct ds_test_elem */

#define WIN_SPARSE_KEY(k) ((k) * 4099ULL) /* spread the sparse keys over several levels */

struct win_state {
	__u64 base;
	__u64 w;
	__u64 steps_done;
	__u64 filled;
	__s64 err;
};

ds_inline int win_insert(struct ds_heap *h, struct ds_test_roots *r, __u64 k)
{
	struct ds_test_elem __arena *e;
	int err;

	if (!k) /* the window never holds key 0; saying so spares the verifier the key-0 paths */
		return -DS_EINVAL;
	err = ds_htab__update(h, r->ht, k, 3 * k, DS_NOEXIST);
	if (!err)
		err = ds_skip__update(h, r->sk, k, 3 * k, DS_NOEXIST);
	if (!err)
		err = ds_sparse__update(h, r->sp, WIN_SPARSE_KEY(k), 3 * k, DS_NOEXIST);
	if (err)
		return err;
	e = ds_alloc(h, sizeof(*e));
	if (!e)
		return -DS_ENOMEM;
	e->val = k;
	ds_list__push_back(r->ls, &e->node);
	return 0;
}

ds_inline int win_delete(struct ds_heap *h, struct ds_test_roots *r, __u64 k)
{
	struct ds_list_node __arena *n;
	int err;

	if (!k)
		return -DS_EINVAL;
	err = ds_htab__delete(r->ht, k);
	if (!err)
		err = ds_skip__delete(h, r->sk, k);
	if (!err)
		err = ds_sparse__delete(h, r->sp, WIN_SPARSE_KEY(k));
	if (err)
		return err;
	n = ds_list__pop_front(r->ls);
	if (!n)
		return -DS_ENOENT;
	ds_free(h, ds_list_entry(n, struct ds_test_elem, node), sizeof(struct ds_test_elem));
	return 0;
}

ds_inline int win_fill(struct ds_heap *h, struct ds_test_roots *r, struct win_state *st)
{
	__u64 i;
	int err = 0;

	/* The next key comes from st (memory), not from the loop counter: a counter that reaches the key
	 * would be compared with constants inside the structures and become precise (no pruning). */
	st->filled = 0;
	for (i = 0; i < st->w && can_loop; i++) {
		err = win_insert(h, r, st->base + st->filled + 1);
		if (err)
			break;
		st->filled++;
	}
	return err;
}

ds_inline int win_steps(struct ds_heap *h, struct ds_test_roots *r, struct win_state *st, __u64 n)
{
	__u64 i;
	int err = 0;

	for (i = 0; i < n && can_loop; i++) {
		err = win_insert(h, r, st->base + st->w + 1);
		if (!err)
			err = win_delete(h, r, st->base + 1);
		if (err)
			break;
		st->base++;
		st->steps_done++;
	}
	return err;
}

#endif /* TEST_DS_WINDOW_H */
