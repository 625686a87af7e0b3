/* Lookups for bench/ds: the same keys looked up in the arena hash table (arena_ds/htab.h) and in a
 * BPF_MAP_TYPE_HASH holding the same entries, each program an xdp program so that BPF_PROG_TEST_RUN's
 * repeat gives a mean per run. `bench_loop_only` walks the keys without looking anything up: the loop's
 * own cost, and `bench_empty` the test-run harness's, reported so the lookups can be compared net of them.
 * The hot loops only sum the values (the driver checks the sum): anything more would be the same added
 * cost on both sides. */
#include <bpf_arena.h>

/* bpf_arena.h gives only the arena's UAPI; the two other constants this file needs: */
#define BENCH_MAP_TYPE_HASH 1 /* BPF_MAP_TYPE_HASH */
#define BENCH_XDP_PASS 2

/* Lookups per run, fixed at build time (bench/ds/run.sh passes -DBENCH_LOOKUPS=N): a constant-bound loop
 * needs no may_goto, so the loop around the lookups costs as little as it can in both programs. */
#ifndef BENCH_LOOKUPS
#define BENCH_LOOKUPS 256
#endif

struct {
	__uint(type, BPF_MAP_TYPE_ARENA);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 4096); /* 16 MiB */
} arena SEC(".maps");

struct {
	__uint(type, BENCH_MAP_TYPE_HASH);
	__uint(max_entries, 4096); /* resized by the driver before load */
	__type(key, __u64);
	__type(value, __u64);
} hmap SEC(".maps");

#include <arena_ds/htab.h>

struct ds_heap heap;
struct ds_htab __arena *ht, *ht_grown;
__u64 __arena *lkeys; /* the keys to look up, filled by user space */
__u32 nlk = BENCH_LOOKUPS; /* read by the driver: the count this object was built for */
__u64 sum; /* every program sums the values it found: the driver checks it against the keys */

static __always_inline __u64 arena_lookups(struct ds_htab __arena *t)
{
	__u64 __arena *keys = lkeys;
	struct ds_htab_ref ref;
	__u64 s = 0, v = 0;
	__u32 i;

	ds_htab__ref(t, &ref);
	for (i = 0; i < BENCH_LOOKUPS; i++) {
		ds_htab__ref_get(&ref, keys[i], &v); /* v = 0 when absent */
		s += v;
	}
	return s;
}

/* The table sized for its keys (capacity 4x the keys: most lookups end at the first probe). */
SEC("xdp") int bench_arena_htab(void *ctx)
{
	sum = arena_lookups(ht);
	return BENCH_XDP_PASS;
}

/* The same keys in a table grown from 8 slots by inserts (load between 3/8 and 3/4). */
SEC("xdp") int bench_arena_htab_grown(void *ctx)
{
	sum = arena_lookups(ht_grown);
	return BENCH_XDP_PASS;
}

SEC("xdp") int bench_bpf_hash(void *ctx)
{
	__u64 __arena *keys = lkeys;
	__u64 s = 0;
	__u32 i;

	for (i = 0; i < BENCH_LOOKUPS; i++) {
		__u64 k = keys[i];
		__u64 *v = bpf_map_lookup_elem(&hmap, &k);

		if (v)
			s += *v;
	}
	sum = s;
	return BENCH_XDP_PASS;
}

SEC("xdp") int bench_empty(void *ctx)
{
	return BENCH_XDP_PASS;
}

SEC("xdp") int bench_loop_only(void *ctx)
{
	__u64 __arena *keys = lkeys;
	__u64 s = 0;
	__u32 i;

	for (i = 0; i < BENCH_LOOKUPS; i++)
		s += keys[i];
	sum = s;
	return BENCH_XDP_PASS;
}

char _license[] SEC("license") = "GPL";
