// bpf_arena_alloc returns NULL when the arena has no page left for the request, keeps serving requests
// that still fit the page being carved, refuses sizes it can never serve (0, more than a page minus its
// count), and serves again once a page has been emptied and given back. Same result from both compilers.
// REQUIRES: clang-19, clang-14, kernel-arena
// RUN: %clang19 %bpf_cflags -mcpu=v3 -c %s -o %t19.o
// RUN: %clang14 %bpf_cflags -mcpu=v3 -c %s -o %t14.o
// RUN: %each-backend %arena run %t19.o --json -- %s --check-prefix=RESULT
// RUN: %each-backend %arena run %t14.o --json -- %s --check-prefix=RESULT

// 4 pages x 4 objects of 1000 bytes (4088 usable bytes per page) = 16 before the first NULL.
// RESULT: {"prog":"fill_until_null",{{.*}}"retval":{{ ?}}16{{[,}]}}

#include <bpf_arena.h>

BPF_ARENA_MAP(arena, 4, 0);

#include <bpf_arena_alloc.h>

static __u64 objs[4];

SEC("syscall")
int fill_until_null(void *ctx)
{
	int n = 0;
	void __arena *p;

	if (bpf_arena_alloc(0) || bpf_arena_alloc(BPF_ARENA_ALLOC_MAX + 1))
		return -1;
	while (n < 100 && can_loop) {
		p = bpf_arena_alloc(1000);
		if (!p)
			break;
		if (n < 4)
			objs[n] = (__u64)p; /* the first page's four objects */
		n++;
	}
	if (bpf_arena_alloc(1000))
		return -2; /* still full */
	if (!bpf_arena_alloc(80))
		return -3; /* 88 bytes remain on the page being carved */
	/* Empty the first page: it goes back to the kernel, and the next request gets it again. */
	bpf_arena_free((void __arena *)objs[0]);
	bpf_arena_free((void __arena *)objs[1]);
	bpf_arena_free((void __arena *)objs[2]);
	if (bpf_arena_alloc(1000))
		return -4; /* one live fragment keeps the page */
	bpf_arena_free((void __arena *)objs[3]);
	p = bpf_arena_alloc(1000);
	if (!p)
		return -5;
	if ((__u64)p != objs[0])
		return -6;
	if (!bpf_arena_alloc(BPF_ARENA_ALLOC_MAX - 1000))
		return -7; /* the rest of that page, to the byte */
	return n;
}

char _license[] SEC("license") = "GPL";
