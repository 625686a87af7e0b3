/* Bench program for the lowering: a ring queue whose descriptor lives in an arena page (head/tail
 * indices, a slot array addressed from one base pointer). */
#include "bpf_arena.h"

BPF_ARENA_MAP(arena, 16, 0);
char _license[] SEC("license") = "GPL";

#define QLEN 256

struct ring {
	__u32 head, tail;
	__u64 drops;
	__u64 items[QLEN];
};

struct ring __arena *__arena_global ring;

static int push(struct ring __arena *r, __u64 v)
{
	if (r->tail - r->head >= QLEN) {
		r->drops++;
		return -1;
	}
	r->items[r->tail & (QLEN - 1)] = v;
	r->tail++;
	return 0;
}

static int pop(struct ring __arena *r, __u64 *v)
{
	if (r->head == r->tail)
		return -1;
	*v = r->items[r->head & (QLEN - 1)];
	r->head++;
	return 0;
}

SEC("syscall") int run(void *ctx)
{
	struct ring __arena *r = ring;
	__u64 v, s = 0;

	if (!r) {
		r = bpf_arena_alloc_pages(&arena, NULL, 1, -1, 0);
		if (!r)
			return -1;
		ring = r;
	}
	for (int i = 0; i < 300 && can_loop; i++)
		push(r, i);
	for (int i = 0; i < 100 && can_loop; i++)
		if (!pop(r, &v))
			s += v;
	return s + r->drops;
}
