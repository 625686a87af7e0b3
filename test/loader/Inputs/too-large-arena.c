#include "plain_arena.h"
struct {
	__uint(type, ARENA_MAP_TYPE);
	__uint(map_flags, ARENA_F_MMAPABLE);
	__uint(max_entries, (1u << 20) + 1);
} arena SEC(".maps");
SEC("syscall") int prog(void *ctx) { return 0; }
