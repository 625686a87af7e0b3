/* Bench program for the lowering: a linked list built, summed and freed in the arena (pointer chasing:
 * one cast per node visited). */
#include "bpf_arena.h"

BPF_ARENA_MAP(arena, 64, 0);
char _license[] SEC("license") = "GPL";

struct node {
	struct node __arena *next;
	__u64 key, val;
};

struct node __arena *__arena_global head;

SEC("syscall") int build(void *ctx)
{
	for (int i = 0; i < 32 && can_loop; i++) {
		struct node __arena *n = bpf_arena_alloc_pages(&arena, NULL, 1, -1, 0);

		if (!n)
			return -1;
		n->key = i;
		n->val = (__u64)i * i;
		n->next = head;
		head = n;
	}
	return 0;
}

SEC("syscall") int sum(void *ctx)
{
	__u64 s = 0;

	for (struct node __arena *n = head; n && can_loop; n = n->next)
		s += n->val + (n->key & 1);
	return s;
}

SEC("syscall") int drain(void *ctx)
{
	int freed = 0;

	while (head && can_loop) {
		struct node __arena *n = head;

		head = n->next;
		bpf_arena_free_pages(&arena, n, 1);
		freed++;
	}
	return freed;
}
