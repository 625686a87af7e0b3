#include "plain_arena.h"
struct {
	__uint(type, ARENA_MAP_TYPE);
	__uint(map_flags, ARENA_F_MMAPABLE);
	__uint(max_entries, 8);
} arena SEC(".maps");

int __arena *__arena target; /* set by user space */

SEC("syscall") int read_target(void *ctx)
{
	int __arena *t = target;

	return t ? *t : -1;
}

SEC("syscall") int write_target(void *ctx)
{
	int __arena *t = target;

	if (!t)
		return -1;
	*t = 777;
	return 0;
}
