// A fixed user address beyond 32 bits (map_extra = 1 << 44), declared with the runtime header's
// BPF_ARENA_MAP: libbpf 1.1 cannot read it from the map definition, so the loader takes it from the
// companion `.arena.map_extra` record, and the arena is mapped exactly there.
// RUN: %arena cc %s -o %t.o
// RUN: llvm-readelf -s %t.o | FileCheck %s --check-prefix=SYM
// SYM: __arena_map_extra__arena
// RUN: %each-backend %arena run %t.o --json -- %s
// CHECK: {"prog":"where","backend":"{{.*}}","retval":16,
// CHECK-NEXT: {"prog":"low_bits_of_base","backend":"{{.*}}","retval":8192,
#include "bpf_arena.h"

BPF_ARENA_MAP(arena, 4, 0, 1ull << 44);
char _license[] SEC("license") = "GPL";

/* Bits 40..47 of an allocated page's user address: 1 << 44 gives 16. */
SEC("syscall") int where(void *ctx)
{
	void __arena *p = bpf_arena_alloc_pages(&arena, 0, 1, -1, 0);

	return (unsigned long)p >> 40;
}

/* An address hint inside the fixed range is honoured: the third page sits at 1 << 44 plus 8192. */
SEC("syscall") int low_bits_of_base(void *ctx)
{
	void __arena *p = bpf_arena_alloc_pages(&arena, (void __arena *)((1ull << 44) + 8192), 1, -1, 0);

	return p ? (int)((unsigned long)p & 0xffffffff) : -1;
}
