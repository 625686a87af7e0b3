/* unit-ds_ops OBJ [--seed N] [--batches N] [--user-only] [--backend kernel|user]: randomised operation
 * sequences on every structure of the arena data-structure library, checked against a reference model
 * after each batch.
 *
 * OBJ is test/ds/Inputs/ds_ops.bpf.c compiled. The op buffer is allocated by this process from the shared
 * heap (user space fills, BPF reads); batches alternate between the BPF program and this process running
 * the same dispatcher (test_ds_ops.h), so each side walks and extends structures the other built, and
 * the heap serves allocations from both. After each batch: every op's result is compared with the model;
 * each structure is walked natively through the mapping and compared entry by entry; its invariants are
 * checked; and the nodes of all structures are checked not to overlap (the allocator never hands out live
 * memory twice). Prints one summary line per structure; exits 1 at the first mismatch, naming it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena_ds.h"
#include "test_ds_ops.h"

#define NOPS 256
#define HT_KEYS 1024
#define SK_KEYS 1024
#define SP_KEYS 512
#define LS_MAX 4096

static struct arena_obj *obj;
static struct ds_heap *heap;
static struct ds_test_roots *roots;
static struct ds_view view;
static uint64_t rng_state;
static const char *where = "";
static const char *batch = "";

static uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static void fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "FAIL [%s%s%s]: ", batch, *batch ? ", " : "", where);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* ---- the reference model ------------------------------------------------------------------------------ */

static struct {
	int ht_has[HT_KEYS];
	uint64_t ht_val[HT_KEYS];
	int sk_has[SK_KEYS];
	uint64_t sk_val[SK_KEYS];
	int sp_has[SP_KEYS];
	uint64_t sp_val[SP_KEYS];
	uint64_t sp_key[SP_KEYS];
	int sp_order[SP_KEYS]; /* indexes sorted by key */
	uint64_t ls[LS_MAX];
	int ls_n;
} m;

static uint64_t ht_key(int i) { return (uint64_t)i * 40503u; } /* includes key 0 */
static uint64_t sk_key(int i) { return (uint64_t)i * 1000 + 7; }
static uint64_t sp_key_of(int i)
{
	/* spread over every tree height, key 0 and the top of the range included */
	switch (i % 4) {
	case 0: return (uint64_t)i;
	case 1: return (uint64_t)i * 4099;
	case 2: return ((uint64_t)i << 40) | 5;
	default: return ~(uint64_t)0 - (uint64_t)i;
	}
}

static int cmp_sp(const void *a, const void *b)
{
	uint64_t x = m.sp_key[*(const int *)a], y = m.sp_key[*(const int *)b];

	return x < y ? -1 : x > y;
}

static int model_update(int *has, uint64_t *val, int i, uint64_t v, unsigned flags)
{
	if (has[i] && flags == DS_NOEXIST)
		return -EEXIST;
	if (!has[i] && flags == DS_EXIST)
		return -ENOENT;
	has[i] = 1;
	val[i] = v;
	return 0;
}

static int model_delete(int *has, uint64_t *val, int i)
{
	if (!has[i])
		return -ENOENT;
	has[i] = 0;
	val[i] = 0;
	return 0;
}

/* ---- op generation and checking ----------------------------------------------------------------------- */

static int gen_ops(struct ds_test_op *ops, int fam)
{
	int i, n = 1 + rnd() % NOPS;

	for (i = 0; i < n; i++) {
		struct ds_test_op *op = &ops[i];
		unsigned r = rnd() % 100;

		memset(op, 0, sizeof(*op));
		op->flags = rnd() % 5 == 0 ? 1 + rnd() % 2 : DS_ANY;
		op->val = rnd();
		switch (fam) {
		case 1:
			op->code = r < 45 ? DS_OP_HT_UPDATE : r < 75 ? DS_OP_HT_DELETE : DS_OP_HT_LOOKUP;
			op->key = ht_key(rnd() % HT_KEYS);
			break;
		case 2:
			op->code = r < 40 ? DS_OP_SK_UPDATE : r < 65 ? DS_OP_SK_DELETE : r < 85 ? DS_OP_SK_LOOKUP
											: DS_OP_SK_RANGE;
			op->key = rnd() % 3 ? sk_key(rnd() % SK_KEYS) : rnd() % (SK_KEYS * 1000 + 10);
			if (op->code == DS_OP_SK_UPDATE)
				op->key = sk_key(rnd() % SK_KEYS);
			if (op->code == DS_OP_SK_RANGE)
				op->val = op->key + rnd() % 50000;
			break;
		case 3:
			op->code = r < 40 ? DS_OP_SP_UPDATE : r < 65 ? DS_OP_SP_DELETE : r < 85 ? DS_OP_SP_LOOKUP
											: DS_OP_SP_NEXT;
			op->key = rnd() % 4 || op->code == DS_OP_SP_UPDATE ? sp_key_of(rnd() % SP_KEYS)
									    : rnd() >> (rnd() % 64);
			break;
		default:
			op->code = r < 30 ? DS_OP_LS_PUSH_BACK : r < 55 ? DS_OP_LS_PUSH_FRONT : r < 70 ? DS_OP_LS_POP_FRONT
				 : r < 85 ? DS_OP_LS_POP_BACK : DS_OP_LS_REMOVE;
			op->val = rnd() % 64;
			if (m.ls_n > LS_MAX - NOPS && op->code <= DS_OP_LS_PUSH_FRONT)
				op->code = DS_OP_LS_POP_FRONT;
			break;
		}
	}
	return n;
}

static int find_idx(const uint64_t *keys, int n, uint64_t key)
{
	int i;

	for (i = 0; i < n; i++)
		if (keys[i] == key)
			return i;
	return -1;
}

static void expect(int i, const struct ds_test_op *op, int64_t ret, uint64_t out, uint64_t out2)
{
	if (op->ret != ret || op->out != out || op->out2 != out2)
		fail("op %d (code %u key %#llx val %#llx flags %u): got ret %lld out %#llx out2 %#llx, model says "
		     "ret %lld out %#llx out2 %#llx", i, op->code, (unsigned long long)op->key,
		     (unsigned long long)op->val, op->flags, (long long)op->ret, (unsigned long long)op->out,
		     (unsigned long long)op->out2, (long long)ret, (unsigned long long)out, (unsigned long long)out2);
}

static uint64_t ht_keys[HT_KEYS], sk_keys[SK_KEYS];

static void check_op(int i, const struct ds_test_op *op)
{
	int k, j, c;
	uint64_t n, sum;

	switch (op->code) {
	case DS_OP_HT_UPDATE:
		k = find_idx(ht_keys, HT_KEYS, op->key);
		expect(i, op, model_update(m.ht_has, m.ht_val, k, op->val, op->flags), 0, 0);
		break;
	case DS_OP_HT_DELETE:
		k = find_idx(ht_keys, HT_KEYS, op->key);
		expect(i, op, model_delete(m.ht_has, m.ht_val, k), 0, 0);
		break;
	case DS_OP_HT_LOOKUP:
		k = find_idx(ht_keys, HT_KEYS, op->key);
		expect(i, op, m.ht_has[k] ? 0 : -ENOENT, m.ht_val[k], 0);
		break;
	case DS_OP_SK_UPDATE:
	case DS_OP_SK_DELETE:
	case DS_OP_SK_LOOKUP:
		k = find_idx(sk_keys, SK_KEYS, op->key);
		if (k < 0) { /* a key the model never holds */
			expect(i, op, op->code == DS_OP_SK_UPDATE ? op->ret : -ENOENT, 0, 0);
			if (op->code == DS_OP_SK_UPDATE)
				fail("op %d: generator produced an update of an unmodelled key", i);
			break;
		}
		if (op->code == DS_OP_SK_UPDATE)
			expect(i, op, model_update(m.sk_has, m.sk_val, k, op->val, op->flags), 0, 0);
		else if (op->code == DS_OP_SK_DELETE)
			expect(i, op, model_delete(m.sk_has, m.sk_val, k), 0, 0);
		else
			expect(i, op, m.sk_has[k] ? 0 : -ENOENT, m.sk_val[k], 0);
		break;
	case DS_OP_SK_RANGE:
		n = 0;
		sum = 0;
		for (k = 0, c = 0; k < SK_KEYS && c < DS_TEST_RANGE_MAX; k++) {
			if (!m.sk_has[k] || sk_keys[k] < op->key || sk_keys[k] > op->val)
				continue;
			n++;
			c++;
			sum = sum * 31 + sk_keys[k] * 7 + m.sk_val[k];
		}
		expect(i, op, 0, n, sum);
		break;
	case DS_OP_SP_UPDATE:
	case DS_OP_SP_DELETE:
	case DS_OP_SP_LOOKUP:
		k = find_idx(m.sp_key, SP_KEYS, op->key);
		if (k < 0) {
			if (op->code == DS_OP_SP_UPDATE)
				fail("op %d: generator produced an update of an unmodelled key", i);
			expect(i, op, -ENOENT, 0, 0);
			break;
		}
		if (op->code == DS_OP_SP_UPDATE)
			expect(i, op, model_update(m.sp_has, m.sp_val, k, op->val, op->flags), 0, 0);
		else if (op->code == DS_OP_SP_DELETE)
			expect(i, op, model_delete(m.sp_has, m.sp_val, k), 0, 0);
		else
			expect(i, op, m.sp_has[k] ? 0 : -ENOENT, m.sp_val[k], 0);
		break;
	case DS_OP_SP_NEXT:
		for (j = 0; j < SP_KEYS; j++) {
			k = m.sp_order[j];
			if (m.sp_has[k] && m.sp_key[k] >= op->key)
				break;
		}
		if (j == SP_KEYS)
			expect(i, op, -ENOENT, 0, 0);
		else
			expect(i, op, 0, m.sp_key[k], m.sp_val[k]);
		break;
	case DS_OP_LS_PUSH_BACK:
		m.ls[m.ls_n++] = op->val;
		expect(i, op, 0, 0, 0);
		break;
	case DS_OP_LS_PUSH_FRONT:
		memmove(&m.ls[1], &m.ls[0], m.ls_n * sizeof(m.ls[0]));
		m.ls[0] = op->val;
		m.ls_n++;
		expect(i, op, 0, 0, 0);
		break;
	case DS_OP_LS_POP_FRONT:
		if (!m.ls_n) {
			expect(i, op, -ENOENT, 0, 0);
			break;
		}
		expect(i, op, 0, m.ls[0], 0);
		memmove(&m.ls[0], &m.ls[1], --m.ls_n * sizeof(m.ls[0]));
		break;
	case DS_OP_LS_POP_BACK:
		if (!m.ls_n) {
			expect(i, op, -ENOENT, 0, 0);
			break;
		}
		expect(i, op, 0, m.ls[--m.ls_n], 0);
		break;
	case DS_OP_LS_REMOVE:
		for (j = 0; j < m.ls_n && m.ls[j] != op->val; j++)
			;
		if (j == m.ls_n) {
			expect(i, op, -ENOENT, 0, 0);
			break;
		}
		expect(i, op, 0, 0, 0);
		memmove(&m.ls[j], &m.ls[j + 1], (--m.ls_n - j) * sizeof(m.ls[0]));
		break;
	default:
		fail("op %d: unknown code %u", i, op->code);
	}
}

/* ---- whole-structure comparison ----------------------------------------------------------------------- */

struct extent {
	uint64_t lo, hi;
	const char *what;
};
static struct extent ext[1 << 16];
static int next_ext;

static void add_extent(const void *p, uint64_t size, const char *what)
{
	if (next_ext < (int)(sizeof(ext) / sizeof(ext[0])))
		ext[next_ext++] = (struct extent){ (uintptr_t)p, (uintptr_t)p + size, what };
}

static int cmp_ext(const void *a, const void *b)
{
	const struct extent *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static void sparse_extents(const struct ds_sparse_node *n, unsigned level)
{
	unsigned i;

	add_extent(n, sizeof(*n), "sparse node");
	if (!level)
		return;
	for (i = 0; i < DS_SPARSE_FANOUT; i++)
		if ((n->bitmap >> i) & 1)
			sparse_extents(n->slot[i].child, level - 1);
}

static void compare_all(struct ds_test_op *ops)
{
	char why[256];
	__u64 pos = 0, key, val, k2;
	const struct ds_skip_node *x;
	const struct ds_list_node *ln;
	int i, cnt, e;

	/* hash table: iterate, every entry in the model and vice versa */
	where = "htab walk";
	if (ds_htab__check(view, roots->ht, why, sizeof(why)))
		fail("%s", why);
	for (cnt = 0; !ds_htab__next(roots->ht, &pos, &key, &val); cnt++) {
		i = find_idx(ht_keys, HT_KEYS, key);
		if (i < 0 || !m.ht_has[i] || m.ht_val[i] != val)
			fail("entry %#llx -> %#llx not in the model", (unsigned long long)key, (unsigned long long)val);
	}
	for (i = 0, e = 0; i < HT_KEYS; i++)
		e += m.ht_has[i];
	if (cnt != e)
		fail("%d entries walked, model has %d", cnt, e);

	where = "skip walk";
	if (ds_skip__check(view, roots->sk, why, sizeof(why)))
		fail("%s", why);
	x = ds_skip__first(roots->sk);
	for (i = 0; i < SK_KEYS; i++) {
		if (!m.sk_has[i])
			continue;
		if (!x || x->key != sk_keys[i] || x->val != m.sk_val[i])
			fail("expected key %llu at this position, found %s%llu", (unsigned long long)sk_keys[i],
			     x ? "" : "end ", x ? (unsigned long long)x->key : 0ULL);
		x = ds_skip__next((struct ds_skip_node *)x);
	}
	if (x)
		fail("extra key %llu", (unsigned long long)x->key);

	where = "sparse walk";
	if (ds_sparse__check(view, roots->sp, why, sizeof(why)))
		fail("%s", why);
	key = 0;
	for (i = 0; i < SP_KEYS; i++) {
		int k = m.sp_order[i];

		if (!m.sp_has[k])
			continue;
		if (ds_sparse__next_ge(roots->sp, key, &k2, &val) || k2 != m.sp_key[k] || val != m.sp_val[k])
			fail("next_ge(%#llx): expected %#llx", (unsigned long long)key, (unsigned long long)m.sp_key[k]);
		key = k2 + 1;
		if (!key)
			break;
	}
	if (key && !ds_sparse__next_ge(roots->sp, key, &k2, &val))
		fail("extra key %#llx", (unsigned long long)k2);

	where = "list walk";
	if (ds_list__check(view, roots->ls, why, sizeof(why)))
		fail("%s", why);
	ln = roots->ls->first;
	for (i = 0; i < m.ls_n; i++, ln = ln->next) {
		const struct ds_test_elem *el = (const void *)ln;

		if (!ln || el->val != m.ls[i])
			fail("element %d: expected %llu", i, (unsigned long long)m.ls[i]);
	}
	if (ln)
		fail("list longer than the model's %d elements", m.ls_n);

	/* no two live objects overlap, whichever side allocated them */
	where = "allocator";
	next_ext = 0;
	add_extent(ops, NOPS * sizeof(*ops), "op buffer");
	add_extent(roots->ht, sizeof(*roots->ht), "htab");
	add_extent(roots->ht->slots, (roots->ht->mask + 1) * sizeof(struct ds_htab_slot), "htab slots");
	add_extent(roots->sk, sizeof(*roots->sk), "skip");
	for (x = ds_skip__first(roots->sk); x; x = x->next[0])
		add_extent(x, ds_class_size(ds_size_class(ds_skip_node_size(x->level))), "skip node");
	add_extent(roots->sp, sizeof(*roots->sp), "sparse");
	if (roots->sp->root)
		sparse_extents(roots->sp->root, roots->sp->height - 1);
	add_extent(roots->ls, sizeof(*roots->ls), "list");
	for (ln = roots->ls->first; ln; ln = ln->next)
		add_extent(ln, sizeof(struct ds_test_elem), "list element");
	qsort(ext, next_ext, sizeof(ext[0]), cmp_ext);
	for (i = 1; i < next_ext; i++)
		if (ext[i].lo < ext[i - 1].hi)
			fail("%s at %#llx overlaps %s at %#llx", ext[i].what, (unsigned long long)ext[i].lo,
			     ext[i - 1].what, (unsigned long long)ext[i - 1].lo);
	for (i = 0; i < next_ext; i++)
		if (!arena_obj__contains(obj, (void *)(uintptr_t)ext[i].lo, ext[i].hi - ext[i].lo))
			fail("%s at %#llx outside the arena", ext[i].what, (unsigned long long)ext[i].lo);
}

static struct bpf_program *prog(const char *name)
{
	struct bpf_program *p = bpf_object__find_program_by_name(arena_obj__bpf(obj), name);

	if (!p)
		fail("program %s not found", name);
	return p;
}

static void run_prog(const char *name)
{
	struct arena_run_result res;
	int err = arena_prog__run(obj, prog(name), NULL, &res);

	if (err || res.retval)
		fail("running %s: err %d retval %d", name, err, res.retval);
}

static void *global(const char *name)
{
	void *p = ds_obj__global(obj, name, NULL);

	if (!p)
		fail("global %s not found: %s", name, strerror(errno));
	return p;
}

int main(int argc, char **argv)
{
	static const char *const progs[] = { NULL, "ds_run_htab", "ds_run_skip", "ds_run_sparse", "ds_run_list" };
	static const char *const names[] = { NULL, "htab", "skiplist", "sparse", "list" };
	unsigned long seed = 1, batches = 400;
	int user_only = 0, i, b, err, nbatch[5][2] = { { 0 } }, nops_done[5] = { 0 };
	enum arena_backend backend = ARENA_BACKEND_KERNEL;
	const char *engine = NULL;
	struct ds_test_op *ops;
	uint64_t *ops_root;

	if (argc < 2) {
		fprintf(stderr, "usage: unit-ds_ops OBJ [--seed N] [--batches N] [--user-only] [--backend kernel|user]\n");
		return 2;
	}
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--batches") && i + 1 < argc)
			batches = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--user-only"))
			user_only = 1;
		else if (!strcmp(argv[i], "--backend") && i + 1 < argc && !strcmp(argv[i + 1], "kernel"))
			i++, backend = ARENA_BACKEND_KERNEL;
		else if (!strcmp(argv[i], "--backend") && i + 1 < argc && !strcmp(argv[i + 1], "user"))
			i++, backend = ARENA_BACKEND_USER;
		else if (!strcmp(argv[i], "--engine") && i + 1 < argc)
			engine = argv[++i];
		else {
			fprintf(stderr, "unit-ds_ops: unknown argument '%s'\n", argv[i]);
			return 2;
		}
	}
	rng_state = seed * 0x9e3779b97f4a7c15ULL + 1;
	for (i = 0; i < HT_KEYS; i++)
		ht_keys[i] = ht_key(i);
	for (i = 0; i < SK_KEYS; i++)
		sk_keys[i] = sk_key(i);
	for (i = 0; i < SP_KEYS; i++) {
		m.sp_key[i] = sp_key_of(i);
		m.sp_order[i] = i;
	}
	qsort(m.sp_order, SP_KEYS, sizeof(int), cmp_sp);

	where = "load";
	ARENA_OPTS(arena_open_opts, oopts, .backend = backend, .engine = engine);
	obj = arena_obj__open(argv[1], &oopts);
	if (!obj)
		fail("cannot open %s: %s", argv[1], strerror(errno));
	err = arena_obj__load(obj);
	if (err)
		fail("cannot load %s: %s", argv[1], strerror(-err));
	view = ds_view__of(obj);
	heap = global("heap");
	roots = global("roots");
	*(uint64_t *)global("ht_cap") = 8; /* start small: growth is exercised */
	*(uint64_t *)global("sk_seed") = seed;
	where = "init";
	batch = "";
	run_prog("ds_init");
	err = ds_heap__attach(heap, obj);
	if (err)
		fail("attach heap: %s", strerror(-err));
	ops = ds_alloc(heap, NOPS * sizeof(*ops)); /* user space fills, BPF reads */
	if (!ops)
		fail("user-side allocation of the op buffer failed");
	ops_root = global("ops");
	*ops_root = arena_obj__value(obj, ops);
	if (ds_obj__root(obj, "ops") != (void *)ops || ds_obj__root(obj, "roots") != NULL)
		fail("ds_obj__root: 'ops' does not give back the op buffer, or a struct passed for a pointer");

	for (b = 0; b < (int)batches; b++) {
		int fam = 1 + rnd() % 4, bpf_side = !user_only && (rnd() & 1), n;
		char label[64];

		snprintf(label, sizeof(label), "batch %d %s on %s", b, names[fam], bpf_side ? "bpf" : "user");
		batch = label;
		where = "results";
		n = gen_ops(ops, fam);
		if (bpf_side) {
			*(uint32_t *)global("nops") = n;
			run_prog(progs[fam]);
		} else {
			ds_test_run(heap, roots, ops, n, fam);
		}
		for (i = 0; i < n; i++)
			check_op(i, &ops[i]);
		compare_all(ops);
		nbatch[fam][bpf_side]++;
		nops_done[fam] += n;
	}
	for (i = 1; i <= 4; i++)
		printf("%s: %d ops in %d bpf + %d user batches: match\n", names[i], nops_done[i], nbatch[i][1],
		       nbatch[i][0]);
	printf("heap: %llu allocs, %llu frees, %llu reuses, %llu bpf pages, %llu user pages\n",
	       (unsigned long long)heap->allocs, (unsigned long long)heap->frees, (unsigned long long)heap->reuses,
	       (unsigned long long)heap->pages_bpf, (unsigned long long)heap->pages_user);
	if (!heap->reuses)
		fail("freed memory was never reused");
	if (!user_only && (!heap->pages_bpf || !heap->pages_user))
		fail("expected pages from both sides");
	arena_obj__close(obj);
	printf("PASS\n");
	return 0;
}
