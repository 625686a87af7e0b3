/* Bench program for the lowering: an arena-global histogram updated with atomics, plus per-bucket
 * statistics in a struct array (globals in .addr_space.1, variable indices, fetch-and-add). */
#include "bpf_arena.h"

BPF_ARENA_MAP(arena, 4, 0);
char _license[] SEC("license") = "GPL";

#define BUCKETS 64

struct stat {
	__u64 count, sum, min, max;
};

__u64 __arena_global hist[BUCKETS];
struct stat __arena_global stats[BUCKETS];
__u64 __arena_global total;

static void record(__u64 v)
{
	__u32 b = (v * 2654435761u) % BUCKETS;
	struct stat __arena *s = &stats[b];

	__sync_fetch_and_add(&hist[b], 1);
	__sync_fetch_and_add(&total, v);
	s->count++;
	s->sum += v;
	if (!s->min || v < s->min)
		s->min = v;
	if (v > s->max)
		s->max = v;
}

SEC("syscall") int fill(void *ctx)
{
	for (__u64 i = 1; i <= 500 && can_loop; i++)
		record(i);
	return total == 500 * 501 / 2;
}

SEC("syscall") int spread(void *ctx)
{
	__u64 used = 0, widest = 0;

	for (int b = 0; b < BUCKETS && can_loop; b++) {
		if (hist[b])
			used++;
		if (stats[b].max - stats[b].min > widest)
			widest = stats[b].max - stats[b].min;
	}
	return used * 1000 + (widest & 0x3ff);
}
