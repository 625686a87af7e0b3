// bpf_arena_free_pages returns the page; a read of the freed page gives 0; allocating at the same address
// again (address hint) returns exactly that address, zeroed.
// RUN: %clang19 -g -O2 -target bpf -idirafter /usr/include/x86_64-linux-gnu -c %s -o %t.o
// RUN: %each-backend %arena run %t.o --json -- %s
// CHECK: {"prog":"cycle","backend":"{{.*}}","retval":0,
#include "Inputs/plain_arena.h"

struct {
	__uint(type, ARENA_MAP_TYPE);
	__uint(map_flags, ARENA_F_MMAPABLE);
	__uint(max_entries, 8);
} arena SEC(".maps");

SEC("syscall") int cycle(void *ctx)
{
	volatile long __arena *p = bpf_arena_alloc_pages(&arena, 0, 1, -1, 0);
	volatile long __arena *q;

	if (!p)
		return 1;
	if (*p != 0)
		return 2;     /* fresh pages are zeroed */
	*p = 0x5151;
	if (*p != 0x5151)
		return 3;
	bpf_arena_free_pages(&arena, (void __arena *)p, 1);
	if (*p != 0)
		return 4;     /* freed: reads give 0 */
	q = bpf_arena_alloc_pages(&arena, (void __arena *)p, 1, -1, 0);
	if (q != p)
		return 5;     /* the hint is honoured when free */
	if (*q != 0)
		return 6;     /* and the page comes back zeroed */
	return 0;
}
