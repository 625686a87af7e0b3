// bpf_arena_free and bpf_arena_free_pages take a pointer in either form: after cast_kern (explicit mode,
// the kernel form holds only the 32-bit offset) the right page is still counted down and given back. The
// clang-14 build exercises the kernel form; the clang-19 build (casts are no-ops) must agree.
// REQUIRES: clang-19, clang-14, kernel-arena
// RUN: %clang19 %bpf_cflags -mcpu=v3 -c %s -o %t19.o
// RUN: %clang14 %bpf_cflags -mcpu=v3 -c %s -o %t14.o
// RUN: %each-backend %arena run %t19.o --json -- %s --check-prefix=RESULT
// RUN: %each-backend %arena run %t14.o --json -- %s --check-prefix=RESULT
// RESULT: {"prog":"free_through_kernel_form",{{.*}}"retval":{{ ?}}1{{[,}]}}

#include <bpf_arena.h>

BPF_ARENA_MAP(arena, 4, 0);

#include <bpf_arena_alloc.h>

SEC("syscall")
int free_through_kernel_form(void *ctx)
{
	__u64 __arena *p = bpf_arena_alloc_pages(&arena, NULL, 1, NUMA_NO_NODE, 0), *q;
	void __arena *frag[5];
	int i;

	if (!p)
		return -1;
	cast_kern(p);
	*p = 9;
	bpf_arena_free_pages(&arena, p, 1);
	if (*p != 0)
		return -2; /* the page is gone */
	/* Four 1000-byte fragments fill a page, the fifth opens the next (the current page). */
	for (i = 0; i < 5; i++) {
		frag[i] = bpf_arena_alloc(1000);
		if (!frag[i])
			return -10 - i;
	}
	for (i = 0; i < 4; i++) {
		q = frag[i];
		cast_kern(q);
		bpf_arena_free(q);
	}
	/* The emptied page went back to the kernel, which hands it out next. */
	q = bpf_arena_alloc_pages(&arena, NULL, 1, NUMA_NO_NODE, 0);
	return (__u64)q == ((__u64)frag[0] & ~4095ULL);
}

char _license[] SEC("license") = "GPL";
