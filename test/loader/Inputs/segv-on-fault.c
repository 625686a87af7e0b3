#include "plain_arena.h"
struct {
	__uint(type, ARENA_MAP_TYPE);
	__uint(map_flags, ARENA_F_MMAPABLE | ARENA_F_SEGV_ON_FAULT);
	__uint(max_entries, 4);
} arena SEC(".maps");

void __arena *allocated; /* in .bss, read by user space */

SEC("syscall") int alloc_one(void *ctx)
{
	int __arena *p = bpf_arena_alloc_pages(&arena, 0, 1, -1, 0);

	if (!p)
		return -1;
	*p = 31337;
	allocated = p;
	return 0;
}
