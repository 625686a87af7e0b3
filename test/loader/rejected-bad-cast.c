// addr_space_cast converts only between address spaces 1 and 0; any other pair is refused with the
// kernel's words. The instruction is encoded by hand (imm = 2 << 16 | 1, i.e. as 1 -> as 2).
// RUN: %clang19 -g -O2 -target bpf -idirafter /usr/include/x86_64-linux-gnu -c %s -o %t.o
// RUN: %each-backend --expect-fail %arena run %t.o -- %s
// CHECK: addr_space_cast insn can only convert between address space 1 and 0
#include "Inputs/plain_arena.h"

struct {
	__uint(type, ARENA_MAP_TYPE);
	__uint(map_flags, ARENA_F_MMAPABLE);
	__uint(max_entries, 4);
} arena SEC(".maps");

SEC("syscall") int bad_cast(void *ctx)
{
	void __arena *p = bpf_arena_alloc_pages(&arena, 0, 1, -1, 0);

	/* r0 = addr_space_cast(r0, 2, 1): opcode 0xbf, dst=src=r0, off 1, imm 0x20001 */
	asm volatile(".byte 0xbf, 0x00; .short 1; .long 0x20001" ::: "r0");
	return p != 0;
}
