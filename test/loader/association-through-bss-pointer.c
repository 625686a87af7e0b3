// A program that reaches the arena only through a pointer kept in .bss never names the arena map; the
// kernel refuses such a program unless the loader associates it with the arena, which ours does.
// RUN: %clang19 -g -O2 -target bpf -idirafter /usr/include/x86_64-linux-gnu -c %s -o %t.o
// RUN: %objdump -d %t.o | FileCheck %s --check-prefix=ASM
// The reader has a cast but no reference to the arena map (no ld_imm64 of it):
// ASM-LABEL: <read_through_bss>:
// ASM: addr_space_cast
// RUN: %each-backend %arena run %t.o --json -- %s
// CHECK: {"prog":"publish","backend":"{{.*}}","retval":0,
// CHECK-NEXT: {"prog":"read_through_bss","backend":"{{.*}}","retval":42,
#include "Inputs/plain_arena.h"

struct {
	__uint(type, ARENA_MAP_TYPE);
	__uint(map_flags, ARENA_F_MMAPABLE);
	__uint(max_entries, 4);
} arena SEC(".maps");

int __arena *shared_ptr; /* an ordinary global (.bss) holding an arena pointer */

SEC("syscall") int publish(void *ctx)
{
	int __arena *p = bpf_arena_alloc_pages(&arena, 0, 1, -1, 0);

	if (!p)
		return -1;
	*p = 42;
	shared_ptr = p;
	return 0;
}

SEC("syscall") int read_through_bss(void *ctx)
{
	int __arena *p = shared_ptr;

	return p ? *p : -2;
}
