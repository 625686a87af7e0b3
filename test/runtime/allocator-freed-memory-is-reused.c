// Memory freed with bpf_arena_free is reused: a fragment freed on the page being carved is handed out
// again at once, and a page whose fragments are all freed goes back to the kernel and comes back from
// bpf_arena_alloc_pages. Churn proves nothing leaks: 20 rounds of allocating three pages' worth of objects
// and freeing them all (in a scrambled order) run in a 5-page arena (one page holds the test's bookkeeping), which would be exhausted by the second
// round if freed memory were not reused. Same result from both compilers.
// REQUIRES: clang-19, clang-14, kernel-arena
// RUN: %clang19 %bpf_cflags -mcpu=v3 -c %s -o %t19.o
// RUN: %clang14 %bpf_cflags -mcpu=v3 -c %s -o %t14.o
// RUN: %each-backend %arena run %t19.o --json -- %s --check-prefix=RESULT
// RUN: %each-backend %arena run %t14.o --json -- %s --check-prefix=RESULT

// 1: freed-then-allocated fragment has the same address.
// RESULT: {"prog":"same_fragment_again",{{.*}}"retval":{{ ?}}1{{[,}]}}
// 20 rounds completed (x100) + 12 addresses of round 2 that round 1 had handed out (the kernel gives
// back the lowest free pages, so every address recurs).
// RESULT: {"prog":"churn",{{.*}}"retval":{{ ?}}2012{{[,}]}}

#include <bpf_arena.h>

BPF_ARENA_MAP(arena, 5, 0);

#include <bpf_arena_alloc.h>

#define PER_ROUND 12
#define ROUNDS 20

/* Bookkeeping lives in an arena page of its own: arena indexing needs no bounds proofs. */
struct book {
	__u64 first[PER_ROUND];
	__u64 cur[PER_ROUND];
};

SEC("syscall")
int same_fragment_again(void *ctx)
{
	void __arena *a = bpf_arena_alloc(100), *b;

	if (!a)
		return -1;
	bpf_arena_free(a);
	b = bpf_arena_alloc(100);
	if (!b)
		return -2;
	bpf_arena_free(b);
	return a == b;
}

SEC("syscall")
int churn(void *ctx)
{
	struct book __arena *bk = bpf_arena_alloc_pages(&arena, NULL, 1, NUMA_NO_NODE, 0);
	int round, i, j, reused = 0;

	if (!bk)
		return -1;
	cast_kern(bk);

	for (round = 0; round < ROUNDS && can_loop; round++) {
		for (i = 0; i < PER_ROUND && can_loop; i++) {
			__u64 __arena *obj = bpf_arena_alloc(1000);

			if (!obj)
				return -1000 * (round + 1) - i;
			bk->cur[i] = (__u64)obj;
			cast_kern(obj);
			obj[0] = round;
			if (round == 0)
				bk->first[i] = bk->cur[i];
		}
		if (round == 1)
			for (i = 0; i < PER_ROUND && can_loop; i++)
				for (j = 0; j < PER_ROUND && can_loop; j++)
					if (bk->cur[i] == bk->first[j])
						reused++;
		/* 5 and 12 are coprime: every object once, never in allocation order. */
		for (i = 0; i < PER_ROUND && can_loop; i++) {
			__u32 k = (i * 5) % PER_ROUND;

			bpf_arena_free((void __arena *)bk->cur[k]);
		}
	}
	return round * 100 + reused;
}

char _license[] SEC("license") = "GPL";
