// BPF_F_NO_USER_CONV: the cast back to the user form (addr_space_cast(r, 1, 0)) becomes a 32-bit move, so
// a pointer converted that way and stored keeps only its low 32 bits; without the flag the arena's upper
// 32 bits are put back. A kfunc's result is already in user form and keeps its upper bits either way.
// RUN: %clang19 -g -O2 -target bpf -idirafter /usr/include/x86_64-linux-gnu -c %s -o %t.conv.o
// RUN: %clang19 -g -O2 -target bpf -idirafter /usr/include/x86_64-linux-gnu -DNO_CONV -c %s -o %t.noconv.o
// RUN: %objdump -d %t.conv.o | FileCheck %s --check-prefix=ASM
// ASM: addr_space_cast({{r[0-9]+}}, 0x0, 0x1)
// ASM: addr_space_cast({{r[0-9]+}}, 0x1, 0x0)
// RUN: %each-backend %arena run %t.conv.o --json -- %s --check-prefix=CONV
// RUN: %each-backend %arena run %t.noconv.o --json -- %s --check-prefix=NOCONV
// CONV: {"prog":"convert","backend":"{{.*}}","retval":1,
// CONV-NEXT: {"prog":"alloc_result","backend":"{{.*}}","retval":1,
// NOCONV: {"prog":"convert","backend":"{{.*}}","retval":0,
// NOCONV-NEXT: {"prog":"alloc_result","backend":"{{.*}}","retval":1,
#include "Inputs/plain_arena.h"

struct {
	__uint(type, ARENA_MAP_TYPE);
#ifdef NO_CONV
	__uint(map_flags, ARENA_F_MMAPABLE | ARENA_F_NO_USER_CONV);
#else
	__uint(map_flags, ARENA_F_MMAPABLE);
#endif
	__uint(max_entries, 4);
} arena SEC(".maps");

int __arena *__arena stored;

/* Returns whether the stored, converted pointer has its upper 32 bits. */
SEC("syscall") int convert(void *ctx)
{
	int __arena *p = bpf_arena_alloc_pages(&arena, 0, 1, -1, 0);
	int *kern;

	if (!p)
		return -1;
	kern = (int *)p;                 /* cast to the kernel form: the low 32 bits */
	asm volatile("" : "+r"(kern));   /* keeps clang from folding the two casts away */
	stored = (int __arena *)kern;    /* cast back to the user form */
	return ((unsigned long)stored >> 32) != 0;
}

SEC("syscall") int alloc_result(void *ctx)
{
	int __arena *p = bpf_arena_alloc_pages(&arena, 0, 1, -1, 0);

	return p && ((unsigned long)p >> 32) != 0;
}
