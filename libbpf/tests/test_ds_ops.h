/* test_ds_ops.h: one batch of data-structure operations, the same code for BPF and for user space.
 *
 * The randomised tests (test_ds_ops.c) write a batch of operations into the arena, have either the BPF
 * program (test/ds/Inputs/ds_ops.bpf.c) or this process execute it with exactly this code, and compare
 * every result and then every structure's full contents against a reference model. Batches alternate
 * between the two sides, so each side both fills structures the other searches and walks structures
 * the other built, with one heap allocating for both.
 */
#ifndef TEST_DS_OPS_H
#define TEST_DS_OPS_H

#include "arena_ds/arena_ds.h"

enum ds_test_code {
	DS_OP_NONE,
	DS_OP_HT_UPDATE, DS_OP_HT_DELETE, DS_OP_HT_LOOKUP,
	DS_OP_SK_UPDATE, DS_OP_SK_DELETE, DS_OP_SK_LOOKUP, DS_OP_SK_RANGE,
	DS_OP_SP_UPDATE, DS_OP_SP_DELETE, DS_OP_SP_LOOKUP, DS_OP_SP_NEXT,
	DS_OP_LS_PUSH_BACK, DS_OP_LS_PUSH_FRONT, DS_OP_LS_POP_FRONT, DS_OP_LS_POP_BACK, DS_OP_LS_REMOVE,
};

#define DS_TEST_RANGE_MAX 32 /* entries a range scan visits at most */
#define DS_TEST_LIST_WALK 8192

struct ds_test_op {
	__u32 code;
	__u32 flags;  /* update flags */
	__u64 key;    /* range scans: low bound */
	__u64 val;    /* range scans: high bound; list ops: the element value */
	__s64 ret;    /* results, written by whoever runs the batch */
	__u64 out;
	__u64 out2;
};

struct ds_test_elem {
	struct ds_list_node node;
	__u64 val;
};

struct ds_test_roots {
	struct ds_htab __arena *ht;
	struct ds_skip __arena *sk;
	struct ds_sparse __arena *sp;
	struct ds_list __arena *ls;
};

ds_inline void ds_test_htab(struct ds_heap *h, struct ds_htab __arena *t, struct ds_test_op __arena *op)
{
	__u64 __arena *v;

	switch (op->code) {
	case DS_OP_HT_UPDATE:
		op->ret = ds_htab__update(h, t, op->key, op->val, op->flags);
		break;
	case DS_OP_HT_DELETE:
		op->ret = ds_htab__delete(t, op->key);
		break;
	case DS_OP_HT_LOOKUP:
		v = ds_htab__lookup(t, op->key);
		op->ret = v ? 0 : -DS_ENOENT;
		op->out = v ? *v : 0;
		break;
	}
}

ds_inline void ds_test_skip(struct ds_heap *h, struct ds_skip __arena *s, struct ds_test_op __arena *op)
{
	struct ds_skip_node __arena *x;
	__u64 __arena *v;
	__u64 n = 0, sum = 0;
	int i;

	switch (op->code) {
	case DS_OP_SK_UPDATE:
		op->ret = ds_skip__update(h, s, op->key, op->val, op->flags);
		break;
	case DS_OP_SK_DELETE:
		op->ret = ds_skip__delete(h, s, op->key);
		break;
	case DS_OP_SK_LOOKUP:
		v = ds_skip__lookup(s, op->key);
		op->ret = v ? 0 : -DS_ENOENT;
		op->out = v ? *v : 0;
		break;
	case DS_OP_SK_RANGE:
		x = ds_skip__lower_bound(s, op->key);
		for (i = 0; x && x->key <= op->val && i < DS_TEST_RANGE_MAX && can_loop; i++) {
			n++;
			sum = sum * 31 + x->key * 7 + x->val;
			x = ds_skip__next(x);
		}
		op->ret = 0;
		op->out = n;
		op->out2 = sum;
		break;
	}
}

ds_inline void ds_test_sparse(struct ds_heap *h, struct ds_sparse __arena *a, struct ds_test_op __arena *op)
{
	__u64 __arena *v;
	__u64 k = 0, val = 0;

	switch (op->code) {
	case DS_OP_SP_UPDATE:
		op->ret = ds_sparse__update(h, a, op->key, op->val, op->flags);
		break;
	case DS_OP_SP_DELETE:
		op->ret = ds_sparse__delete(h, a, op->key);
		break;
	case DS_OP_SP_LOOKUP:
		v = ds_sparse__lookup(a, op->key);
		op->ret = v ? 0 : -DS_ENOENT;
		op->out = v ? *v : 0;
		break;
	case DS_OP_SP_NEXT:
		op->ret = ds_sparse__next_ge(a, op->key, &k, &val);
		op->out = k;
		op->out2 = val;
		break;
	}
}

ds_inline void ds_test_list(struct ds_heap *h, struct ds_list __arena *l, struct ds_test_op __arena *op)
{
	struct ds_test_elem __arena *e;
	struct ds_list_node __arena *n;
	int i;

	switch (op->code) {
	case DS_OP_LS_PUSH_BACK:
	case DS_OP_LS_PUSH_FRONT:
		e = ds_alloc(h, sizeof(*e));
		if (!e) {
			op->ret = -DS_ENOMEM;
			break;
		}
		e->val = op->val;
		if (op->code == DS_OP_LS_PUSH_BACK)
			ds_list__push_back(l, &e->node);
		else
			ds_list__push_front(l, &e->node);
		op->ret = 0;
		break;
	case DS_OP_LS_POP_FRONT:
	case DS_OP_LS_POP_BACK:
		n = op->code == DS_OP_LS_POP_FRONT ? ds_list__pop_front(l) : ds_list__pop_back(l);
		op->ret = n ? 0 : -DS_ENOENT;
		if (n) {
			e = ds_list_entry(n, struct ds_test_elem, node);
			op->out = e->val;
			ds_free(h, e, sizeof(*e));
		}
		break;
	case DS_OP_LS_REMOVE:
		op->ret = -DS_ENOENT;
		n = l->first;
		for (i = 0; n && ds_guard(i, DS_TEST_LIST_WALK);) {
			e = ds_list_entry(n, struct ds_test_elem, node);
			if (e->val == op->val) {
				ds_list__remove(l, n);
				ds_free(h, e, sizeof(*e));
				op->ret = 0;
				break;
			}
			n = n->next;
		}
		break;
	}
}

/* Runs ops[0..n) on the structure each op names; `which` selects one family (0: all). */
ds_inline void ds_test_run(struct ds_heap *h, struct ds_test_roots *r, struct ds_test_op __arena *ops, __u32 n,
			   __u32 which)
{
	struct ds_test_op __arena *op;
	__u32 i, c;

	for (i = 0; i < n && can_loop; i++) {
		op = &ops[i];
		c = op->code;
		if (c >= DS_OP_HT_UPDATE && c <= DS_OP_HT_LOOKUP && (which == 0 || which == 1))
			ds_test_htab(h, r->ht, op);
		else if (c >= DS_OP_SK_UPDATE && c <= DS_OP_SK_RANGE && (which == 0 || which == 2))
			ds_test_skip(h, r->sk, op);
		else if (c >= DS_OP_SP_UPDATE && c <= DS_OP_SP_NEXT && (which == 0 || which == 3))
			ds_test_sparse(h, r->sp, op);
		else if (c >= DS_OP_LS_PUSH_BACK && c <= DS_OP_LS_REMOVE && (which == 0 || which == 4))
			ds_test_list(h, r->ls, op);
	}
}

#endif /* TEST_DS_OPS_H */
