// An arena of 4 pages gives out 4 pages and then NULL; an address hint on a taken page is refused.
// RUN: %clang19 -g -O2 -target bpf -idirafter /usr/include/x86_64-linux-gnu -c %s -o %t.o
// RUN: %each-backend %arena run %t.o --json -- %s
// CHECK: {"prog":"fill","backend":"{{.*}}","retval":4,
// CHECK-NEXT: {"prog":"one_more","backend":"{{.*}}","retval":-1,
// CHECK-NEXT: {"prog":"too_many_at_once","backend":"{{.*}}","retval":-1,
#include "Inputs/plain_arena.h"

struct {
	__uint(type, ARENA_MAP_TYPE);
	__uint(map_flags, ARENA_F_MMAPABLE);
	__uint(max_entries, 4);
} arena SEC(".maps");

void __arena *first;

SEC("syscall") int fill(void *ctx)
{
	int n = 0;

	for (int i = 0; i < 6; i++) {
		void __arena *p = bpf_arena_alloc_pages(&arena, 0, 1, -1, 0);

		if (!p)
			break;
		if (!first)
			first = p;
		n++;
	}
	return n;
}

SEC("syscall") int one_more(void *ctx)
{
	return bpf_arena_alloc_pages(&arena, 0, 1, -1, 0) ? 1 : -1;
}

SEC("syscall") int too_many_at_once(void *ctx)
{
	bpf_arena_free_pages(&arena, first, 1);
	/* One page is free again, but two contiguous ones are not. */
	return bpf_arena_alloc_pages(&arena, 0, 2, -1, 0) ? 1 : -1;
}
