/* unit-ds_concurrent OBJ [--ms N] [--readers N] [--window W] [--backend kernel|user]: one writer,
 * readers at the same time.
 *
 * OBJ is test/ds/Inputs/ds_window.bpf.c compiled. Every structure holds a sliding window of keys (see
 * test_ds_window.h). Phase 1: the BPF program slides the window (the kernel runs it on one CPU) while
 * reader threads here take snapshots (ds_*__snapshot: sequence counter + pointer checks) of all four
 * structures. Phase 2: a thread of this process slides it with the same code while the readers go on.
 * Every snapshot must be a window state (W or W+1 consecutive keys, value 3 * key, the list in order), and
 * each reader must see the window only move forward. A phase fails unless the readers actually saw the
 * writer move (snapshots taken while it ran), so a run where nothing overlapped cannot pass silently.
 * For contrast, the readers also walk the list without the counter and count the torn views they get
 * (reported, not judged: it depends on timing).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena_ds.h"
#include "test_ds_window.h"

#define MAXW 4096

static struct arena_obj *obj;
static struct ds_heap *heap;
static struct ds_test_roots *roots;
static struct win_state *st;
static struct ds_view view;
static uint64_t W = 200;
static atomic_int stop, writer_done;

struct reader {
	pthread_t th;
	unsigned long snaps, moved, bad, torn_unchecked, unchecked;
	uint64_t last_lo[4];
	uint32_t last_seq[4];
	char why[256];
	struct ds_kv kv[MAXW + 2];
	uint64_t vals[MAXW + 2];
};

static int cmp_kv(const void *a, const void *b)
{
	const struct ds_kv *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

/* keys[] sorted: W or W+1 consecutive keys, each value 3 * key, window not moving back. */
static int window_ok(struct reader *r, int s, struct ds_kv *kv, size_t n, uint64_t div, const char *what)
{
	size_t i;

	if (n != W && n != W + 1) {
		snprintf(r->why, sizeof(r->why), "%s: %zu entries, expected %llu or %llu", what, n,
			 (unsigned long long)W, (unsigned long long)W + 1);
		return 0;
	}
	for (i = 0; i < n; i++) {
		uint64_t k = kv[i].key / div;

		if (kv[i].key % div || kv[i].val != 3 * k || (i && k != kv[i - 1].key / div + 1)) {
			snprintf(r->why, sizeof(r->why), "%s: entry %zu (key %llu val %llu) breaks the window", what, i,
				 (unsigned long long)kv[i].key, (unsigned long long)kv[i].val);
			return 0;
		}
	}
	if (kv[0].key / div < r->last_lo[s]) {
		snprintf(r->why, sizeof(r->why), "%s: window went back from %llu to %llu", what,
			 (unsigned long long)r->last_lo[s], (unsigned long long)(kv[0].key / div));
		return 0;
	}
	r->last_lo[s] = kv[0].key / div;
	return 1;
}

static void note_seq(struct reader *r, int s, const struct ds_seq *hdr)
{
	uint32_t q = __atomic_load_n(&hdr->seq, __ATOMIC_RELAXED);

	if (r->snaps > 4 && q != r->last_seq[s])
		r->moved++;
	r->last_seq[s] = q;
}

static int snap_fail(struct reader *r, const char *what, int err)
{
	snprintf(r->why, sizeof(r->why), "%s snapshot: %s", what, strerror(-err));
	return 0;
}

static int read_all(struct reader *r)
{
	size_t n, i;
	int err;

	err = ds_htab__snapshot(view, roots->ht, r->kv, MAXW + 2, &n);
	if (err)
		return snap_fail(r, "htab", err);
	qsort(r->kv, n, sizeof(r->kv[0]), cmp_kv);
	if (!window_ok(r, 0, r->kv, n, 1, "htab"))
		return 0;
	note_seq(r, 0, &roots->ht->hdr);

	err = ds_skip__snapshot(view, roots->sk, 0, ~0ULL, r->kv, MAXW + 2, &n);
	if (err)
		return snap_fail(r, "skip", err);
	if (!window_ok(r, 1, r->kv, n, 1, "skiplist"))
		return 0;
	note_seq(r, 1, &roots->sk->hdr);

	err = ds_sparse__snapshot(view, roots->sp, 0, r->kv, MAXW + 2, &n);
	if (err)
		return snap_fail(r, "sparse", err);
	if (!window_ok(r, 2, r->kv, n, WIN_SPARSE_KEY(1), "sparse"))
		return 0;
	note_seq(r, 2, &roots->sp->hdr);

	err = ds_list__snapshot(view, roots->ls, offsetof(struct ds_test_elem, val), r->vals, MAXW + 2, &n);
	if (err)
		return snap_fail(r, "list", err);
	for (i = 0; i < n; i++) {
		r->kv[i].key = r->vals[i];
		r->kv[i].val = 3 * r->vals[i];
	}
	if (!window_ok(r, 3, r->kv, n, 1, "list"))
		return 0;
	note_seq(r, 3, &roots->ls->hdr);
	return 1;
}

/* The same list walk without the sequence counter (pointers still checked, so it cannot crash). */
static void read_unchecked(struct reader *r)
{
	const struct ds_list_node *x = roots->ls->first;
	uint64_t prev = 0, n = 0;
	int torn = 0;

	for (; x && n <= W + 1; x = __atomic_load_n((struct ds_list_node *const *)&x->next, __ATOMIC_RELAXED), n++) {
		uint64_t v;

		if (!arena_obj__contains(obj, x, sizeof(struct ds_test_elem))) {
			torn = 1;
			break;
		}
		v = ((const struct ds_test_elem *)x)->val;
		if (n && v != prev + 1)
			torn = 1;
		prev = v;
	}
	if (n != W && n != W + 1)
		torn = 1;
	r->unchecked++;
	r->torn_unchecked += torn;
}

static void *reader_main(void *arg)
{
	struct reader *r = arg;

	while (!atomic_load(&stop)) {
		if (!read_all(r)) {
			r->bad++;
			break;
		}
		r->snaps++;
		read_unchecked(r);
	}
	return NULL;
}

static void *user_writer(void *arg)
{
	long ms = (long)arg;
	struct timespec t0, t;
	int err;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		err = win_steps(heap, roots, st, 200);
		if (err) {
			st->err = err;
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 < ms);
	atomic_store(&writer_done, 1);
	return NULL;
}

static long elapsed_ms(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static int run_phase(const char *name, int nreaders, long ms, int bpf_writer)
{
	struct reader *rd = calloc(nreaders, sizeof(*rd));
	struct bpf_program *step = bpf_object__find_program_by_name(arena_obj__bpf(obj), "win_step");
	unsigned long snaps = 0, moved = 0, bad = 0, torn = 0, unchecked = 0;
	uint64_t steps0 = st->steps_done;
	struct timespec t0;
	pthread_t wt;
	int i, ok = 1;

	if (!rd || !step) {
		fprintf(stderr, "FAIL: setup of phase %s\n", name);
		return 0;
	}
	atomic_store(&stop, 0);
	atomic_store(&writer_done, 0);
	for (i = 0; i < nreaders; i++)
		pthread_create(&rd[i].th, NULL, reader_main, &rd[i]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (bpf_writer) {
		*(uint64_t *)ds_obj__global(obj, "nsteps", NULL) = 200;
		while (elapsed_ms(&t0) < ms) {
			struct arena_run_result res;
			int err = arena_prog__run(obj, step, NULL, &res);

			if (err || res.retval) {
				fprintf(stderr, "FAIL [%s]: win_step: err %d retval %d (writer error %lld)\n", name, err,
					res.retval, (long long)st->err);
				ok = 0;
				break;
			}
		}
	} else {
		pthread_create(&wt, NULL, user_writer, (void *)ms);
		pthread_join(wt, NULL);
		if (st->err) {
			fprintf(stderr, "FAIL [%s]: user writer error %lld\n", name, (long long)st->err);
			ok = 0;
		}
	}
	atomic_store(&stop, 1);
	for (i = 0; i < nreaders; i++) {
		pthread_join(rd[i].th, NULL);
		snaps += rd[i].snaps;
		moved += rd[i].moved;
		bad += rd[i].bad;
		torn += rd[i].torn_unchecked;
		unchecked += rd[i].unchecked;
		if (rd[i].bad)
			fprintf(stderr, "FAIL [%s]: reader %d: inconsistent snapshot: %s\n", name, i, rd[i].why);
	}
	printf("%s: %llu writer steps, %lu snapshots by %d readers, %lu taken while the writer moved, %lu "
	       "inconsistent; without the counter %lu of %lu list walks were torn\n",
	       name, (unsigned long long)(st->steps_done - steps0), snaps, nreaders, moved, bad, torn, unchecked);
	if (bad)
		ok = 0;
	if (!snaps || !moved || st->steps_done == steps0) {
		fprintf(stderr, "FAIL [%s]: the readers never overlapped the writer (snapshots %lu, moved %lu)\n", name,
			snaps, moved);
		ok = 0;
	}
	free(rd);
	return ok;
}

int main(int argc, char **argv)
{
	enum arena_backend backend = ARENA_BACKEND_KERNEL;
	const char *engine = NULL;
	long ms = 1000;
	int readers = 2, i, err, ok;
	struct arena_run_result res;

	if (argc < 2) {
		fprintf(stderr, "usage: unit-ds_concurrent OBJ [--ms N] [--readers N] [--window W] [--backend kernel|user]\n");
		return 2;
	}
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--ms") && i + 1 < argc)
			ms = strtol(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--readers") && i + 1 < argc)
			readers = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--window") && i + 1 < argc)
			W = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--backend") && i + 1 < argc && !strcmp(argv[i + 1], "kernel"))
			i++, backend = ARENA_BACKEND_KERNEL;
		else if (!strcmp(argv[i], "--backend") && i + 1 < argc && !strcmp(argv[i + 1], "user"))
			i++, backend = ARENA_BACKEND_USER;
		else if (!strcmp(argv[i], "--engine") && i + 1 < argc)
			engine = argv[++i];
		else {
			fprintf(stderr, "unit-ds_concurrent: unknown argument '%s'\n", argv[i]);
			return 2;
		}
	}
	if (W < 1 || W > MAXW - 2 || readers < 1 || readers > 16) {
		fprintf(stderr, "unit-ds_concurrent: --window must be 1..%d and --readers 1..16\n", MAXW - 2);
		return 2;
	}
	ARENA_OPTS(arena_open_opts, oopts, .backend = backend, .engine = engine);
	obj = arena_obj__open(argv[1], &oopts);
	if (!obj || (err = arena_obj__load(obj))) {
		fprintf(stderr, "FAIL: cannot open/load %s\n", argv[1]);
		return 1;
	}
	view = ds_view__of(obj);
	heap = ds_obj__global(obj, "heap", NULL);
	roots = ds_obj__global(obj, "roots", NULL);
	st = ds_obj__global(obj, "st", NULL);
	if (!heap || !roots || !st) {
		fprintf(stderr, "FAIL: globals heap/roots/st not found\n");
		return 1;
	}
	st->w = W;
	err = arena_prog__run(obj, bpf_object__find_program_by_name(arena_obj__bpf(obj), "win_init"), NULL, &res);
	if (err || res.retval) {
		fprintf(stderr, "FAIL: win_init: err %d retval %d (writer error %lld)\n", err, res.retval,
			(long long)st->err);
		return 1;
	}
	err = ds_heap__attach(heap, obj);
	if (err) {
		fprintf(stderr, "FAIL: attach heap: %s\n", strerror(-err));
		return 1;
	}
	ok = run_phase("bpf writer", readers, ms, 1);
	ok &= run_phase("user writer", readers, ms, 0);
	arena_obj__close(obj);
	printf("%s\n", ok ? "PASS" : "FAIL");
	return ok ? 0 : 1;
}
