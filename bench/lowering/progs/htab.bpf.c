/* Bench program for the lowering: an open-addressing hash table in arena globals (array indexing from a
 * global base, compare-and-swap on slots). */
#include "bpf_arena.h"

BPF_ARENA_MAP(arena, 16, 0);
char _license[] SEC("license") = "GPL";

#define SLOTS 1024

struct slot {
	__u64 key;
	__u64 val;
};

struct slot __arena_global table[SLOTS];
__u64 __arena_global inserted, probes;
/* Loop bounds in arena memory: the verifier keeps them imprecise, so the probing loops prune. */
__u64 __arena_global nkeys = 300;

static __u32 hash(__u64 k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return k & (SLOTS - 1);
}

static int insert(__u64 key, __u64 val)
{
	__u32 i = hash(key);

	while (can_loop) {
		struct slot __arena *s = &table[i];

		__sync_fetch_and_add(&probes, 1);
		if (s->key == key || __sync_val_compare_and_swap(&s->key, 0, key) == 0) {
			s->val = val;
			return 0;
		}
		i = (i + 1) & (SLOTS - 1);
	}
	return -1;
}

static __u64 lookup(__u64 key)
{
	__u32 i = hash(key);

	while (can_loop) {
		if (table[i].key == key)
			return table[i].val;
		if (!table[i].key)
			return 0;
		i = (i + 1) & (SLOTS - 1);
	}
	return 0;
}

SEC("syscall") int fill(void *ctx)
{
	for (__u64 k = 1; k <= nkeys && can_loop; k++)
		if (!insert(k * 7919, k))
			inserted++;
	return inserted;
}

SEC("syscall") int check(void *ctx)
{
	__u64 s = 0;

	for (__u64 k = 1; k <= nkeys && can_loop; k++)
		s += lookup(k * 7919);
	return s; /* 300 * 301 / 2 */
}
