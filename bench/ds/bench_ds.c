/* bench-ds OBJ [--keys N] [--lookups N] [--repeat N] [--rounds N] [--cap SLOTS]: the arena hash table against
 * BPF_MAP_TYPE_HASH, from BPF and from user space, in one process and one run.
 *
 * OBJ is bench/ds/ds_bench.bpf.c compiled. User space fills the tables with the same N random keys (two
 * arena tables through the mapping, with the library's own insert code: one created with --cap slots,
 * default 4 x N, one grown from 8 slots by the inserts; the hash map with bpf_map_update_elem), then:
 *   - BPF: xdp programs look up the same `lookups` keys in each table, BPF_PROG_TEST_RUN with `repeat`
 *     reporting the mean time per run; each figure is the best of `rounds` runs, the programs taking
 *     turns within a round (the machine is shared: a slow spell hits all of them); one program walks the
 *     keys without looking up (the loop's own cost) and one does nothing (the harness's);
 *   - user space: every key read through the mapping (ds_htab__lookup on the mapped table, no syscall)
 *     against one bpf_map_lookup_elem syscall per key.
 * Both sides must find every key with the same values, or the figures are not printed (exit 1).
 * Prints a table, then RATIO lines, the last `RATIO arena_htab_vs_bpf_hash <x>` (hash-map time / sized
 * arena table time for the BPF lookups).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>

#include "arena_ds.h"

static uint64_t rng = 0x243f6a8885a308d3ULL;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static int die(const char *fmt, const char *arg, int err)
{
	fprintf(stderr, "bench-ds: ");
	fprintf(stderr, fmt, arg);
	if (err)
		fprintf(stderr, ": %s", strerror(err < 0 ? -err : err));
	fputc('\n', stderr);
	return 1;
}

/* One test run of `repeat` runs; keeps the smallest mean seen in *best. */
static int time_prog(struct arena_obj *obj, const char *name, unsigned repeat, double *best)
{
	struct bpf_program *p = bpf_object__find_program_by_name(arena_obj__bpf(obj), name);
	ARENA_OPTS(arena_run_opts, ro, .repeat = repeat);
	struct arena_run_result res;
	int err;

	if (!p)
		return -ENOENT;
	err = arena_prog__run(obj, p, &ro, &res);
	if (err)
		return err;
	if (res.duration_ns < *best)
		*best = res.duration_ns;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned nkeys = 4096, nlookups = 256, repeat = 2000, rounds = 5, cap = 0, i;
	double t_arena = 1e30, t_hash = 1e30, t_loop = 1e30, t0, t_user, t_sys;
	uint64_t *keys, *sum, expect_sum = 0, user_sum = 0, sys_sum = 0, v;
	double t_empty = 1e30, t_grown = 1e30;
	struct ds_htab *grown;
	unsigned r;
	uint32_t *nlk;
	struct ds_heap *heap;
	struct ds_htab *ht;
	struct bpf_map *hmap;
	struct arena_obj *obj;
	__u64 __arena *lk;
	int err, fd;

	if (argc < 2) {
		fprintf(stderr, "usage: bench-ds OBJ [--keys N] [--lookups N] [--repeat N] [--rounds N] [--cap SLOTS]\n");
		return 2;
	}
	for (i = 2; i < (unsigned)argc; i++) {
		unsigned *dst = !strcmp(argv[i], "--keys") ? &nkeys : !strcmp(argv[i], "--lookups") ? &nlookups
			      : !strcmp(argv[i], "--repeat") ? &repeat : !strcmp(argv[i], "--rounds") ? &rounds
			      : !strcmp(argv[i], "--cap") ? &cap : NULL;

		if (!dst || i + 1 >= (unsigned)argc)
			return die("bad argument '%s'", argv[i], 0) ? 2 : 2;
		*dst = strtoul(argv[++i], NULL, 0);
	}
	if (!nkeys || !rounds)
		return die("need --lookups <= --keys and --rounds >= 1%s", "", 0);

	obj = arena_obj__open(argv[1], NULL);
	if (!obj)
		return die("cannot open %s", argv[1], errno);
	hmap = bpf_object__find_map_by_name(arena_obj__bpf(obj), "hmap");
	if (!hmap)
		return die("%s has no map 'hmap'", argv[1], 0);
	bpf_map__set_max_entries(hmap, nkeys);
	err = arena_obj__load(obj);
	if (err)
		return die("cannot load %s", argv[1], err);
	heap = ds_obj__global(obj, "heap", NULL);
	sum = ds_obj__global(obj, "sum", NULL);
	nlk = ds_obj__global(obj, "nlk", NULL);
	if (!heap || !sum || !nlk)
		return die("%s lacks the globals heap/sum/nlk", argv[1], 0);
	if (*nlk != nlookups || nlookups > nkeys) {
		fprintf(stderr, "bench-ds: %s was built for %u lookups per run (-DBENCH_LOOKUPS), not %u\n", argv[1],
			*nlk, nlookups);
		return 1;
	}
	err = ds_heap__attach(heap, obj);
	if (err)
		return die("attaching the heap%s", "", err);

	/* user space fills both tables */
	keys = calloc(nkeys, sizeof(*keys));
	ht = ds_htab__new(heap, cap ? cap : 4 * nkeys, 0);
	grown = ds_htab__new(heap, 8, 0);
	if (!keys || !ht || !grown)
		return die("out of memory%s", "", ENOMEM);
	fd = bpf_map__fd(hmap);
	for (i = 0; i < nkeys; i++) {
		do
			keys[i] = rnd();
		while (!keys[i] || ds_htab__lookup(ht, keys[i]));
		v = keys[i] ^ 0x5555555555555555ULL;
		err = ds_htab__update(heap, ht, keys[i], v, DS_NOEXIST);
		if (!err)
			err = ds_htab__update(heap, grown, keys[i], v, DS_NOEXIST);
		if (!err && bpf_map_update_elem(fd, &keys[i], &v, BPF_NOEXIST))
			err = -errno;
		if (err)
			return die("filling the tables%s", "", err);
	}
	lk = ds_alloc(heap, nlookups * sizeof(__u64));
	if (!lk)
		return die("out of arena memory%s", "", ENOMEM);
	for (i = 0; i < nlookups; i++) {
		lk[i] = keys[rnd() % nkeys];
		expect_sum += lk[i] ^ 0x5555555555555555ULL;
	}
	*(uint64_t *)ds_obj__global(obj, "ht", NULL) = arena_obj__value(obj, ht);
	*(uint64_t *)ds_obj__global(obj, "ht_grown", NULL) = arena_obj__value(obj, grown);
	*(uint64_t *)ds_obj__global(obj, "lkeys", NULL) = arena_obj__value(obj, lk);

	/* BPF: the same lookups in each table; the sum of the values found proves every key was found */
	for (r = 0; r < rounds; r++) {
		static const char *const progs[] = { "bench_arena_htab", "bench_arena_htab_grown", "bench_bpf_hash" };
		double *const t[] = { &t_arena, &t_grown, &t_hash };
		unsigned k;

		for (k = 0; k < 3; k++) {
			*sum = 0;
			err = time_prog(obj, progs[k], repeat, t[k]);
			if (err)
				return die("running %s", progs[k], err);
			if (*sum != expect_sum)
				return die("%s found the wrong entries", progs[k], 0);
		}
		err = time_prog(obj, "bench_loop_only", repeat, &t_loop);
		if (!err)
			err = time_prog(obj, "bench_empty", repeat, &t_empty);
		if (err)
			return die("running the baseline programs%s", "", err);
	}

	/* user space: every key through the mapping vs one syscall per key. Each side's rounds run back to
	 * back: thousands of syscalls between two mapping rounds would leave that round a cold TLB and cache. */
	t_user = 1e30;
	t_sys = 1e30;
	for (r = 0; r < rounds; r++) {
		user_sum = 0;
		t0 = now_ns();
		for (i = 0; i < nkeys; i++) {
			__u64 *pv = ds_htab__lookup(ht, keys[i]);

			user_sum += pv ? *pv : 0;
		}
		t0 = now_ns() - t0;
		if (t0 < t_user)
			t_user = t0;
	}
	for (r = 0; r < rounds; r++) {
		sys_sum = 0;
		t0 = now_ns();
		for (i = 0; i < nkeys; i++) {
			if (!bpf_map_lookup_elem(fd, &keys[i], &v))
				sys_sum += v;
		}
		t0 = now_ns() - t0;
		if (t0 < t_sys)
			t_sys = t0;
	}
	if (user_sum != sys_sum)
		return die("user-space reads disagree with the syscall reads%s", "", 0);

	printf("%-58s %12s %12s\n", "measurement", "total ns", "ns/lookup");
	printf("%-58s %12.0f %12.2f\n", "BPF  arena htab lookups, table sized 4x keys (xdp)", t_arena, t_arena / nlookups);
	printf("%-58s %12.0f %12.2f\n", "BPF  arena htab lookups, table grown by inserts (xdp)", t_grown, t_grown / nlookups);
	printf("%-58s %12.0f %12.2f\n", "BPF  BPF_MAP_TYPE_HASH lookups (xdp)", t_hash, t_hash / nlookups);
	printf("%-58s %12.0f %12.2f\n", "BPF  loop over the keys only (no lookup)", t_loop, t_loop / nlookups);
	printf("%-58s %12.0f %12s\n", "BPF  empty program (test-run harness per run)", t_empty, "-");
	printf("%-58s %12.0f %12.2f\n", "user arena htab reads through the mapping", t_user, t_user / nkeys);
	printf("%-58s %12.0f %12.2f\n", "user bpf_map_lookup_elem syscalls", t_sys, t_sys / nkeys);
	printf("setup: %u keys, %u BPF lookups per run (test-run mean of %u runs, best of %u rounds); arena table "
	       "capacities %llu (sized) and %llu (grown)\n", nkeys, nlookups, repeat, rounds,
	       (unsigned long long)ht->mask + 1, (unsigned long long)grown->mask + 1);
	printf("RATIO arena_htab_vs_bpf_hash_net_of_loop %.2f\n",
	       t_arena > t_loop ? (t_hash - t_loop) / (t_arena - t_loop) : 0.0);
	printf("RATIO arena_htab_grown_vs_bpf_hash %.2f\n", t_hash / t_grown);
	printf("RATIO user_mapping_vs_syscall %.2f\n", t_sys / t_user);
	printf("RATIO arena_htab_vs_bpf_hash %.2f\n", t_hash / t_arena);
	arena_obj__close(obj);
	return 0;
}
