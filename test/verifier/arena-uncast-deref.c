// Dereferencing the kfunc's result without addr_space_cast is a scalar dereference.
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend --expect-fail %arena verify %t.o -- %s
// CHECK: invalid mem access 'scalar'
#include "vcommon.h"

ARENA_MAP(arena, 0);
SEC("syscall")
int prog(void *ctx)
{
	void __arena *p = bpf_arena_alloc_pages(&arena, NULL, 1, -1, 0);
	unsigned long v;

	if (!p)
		return 0;
	/* the user-form address, never cast to the kernel form */
	asm volatile("%[v] = *(u64 *)(%[p] + 0)" : [v]"=r"(v) : [p]"r"((unsigned long)p));
	return v;
}
