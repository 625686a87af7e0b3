// A program that dereferences an arena value without the cast is refused; `arena run` exits non-zero and
// prints the verifier's conclusion in the kernel's words. Written as raw instructions: the compiler would
// insert the cast.
// RUN: %clang19 -g -O2 -target bpf -idirafter /usr/include/x86_64-linux-gnu -c %s -o %t.o
// RUN: %each-backend --expect-fail %arena run %t.o --json -- %s
// CHECK: program 'deref_scalar' refused by the verifier
// CHECK: invalid mem access 'scalar'
#include "Inputs/plain_arena.h"

struct {
	__uint(type, ARENA_MAP_TYPE);
	__uint(map_flags, ARENA_F_MMAPABLE);
	__uint(max_entries, 4);
} arena SEC(".maps");

SEC("syscall") int deref_scalar(void *ctx)
{
	int __arena *p = bpf_arena_alloc_pages(&arena, 0, 1, -1, 0);
	int v;

	if (!p)
		return 0;
	/* r0 holds the user-form value, a scalar to the verifier: load through it directly. */
	asm volatile("%[v] = *(u32 *)(%[p] + 0)" : [v] "=r"(v) : [p] "r"(p));
	return v;
}
