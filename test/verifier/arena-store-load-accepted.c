// An arena page allocated by the kfunc, written and read through an __arena pointer: clang-19 casts it
// (addr_space_cast 1->0), the verifier types the result PTR_TO_ARENA and accepts.
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend %arena verify %t.o -- %s
// CHECK: processed {{[0-9]+}} insns
#include "vcommon.h"
ARENA_MAP(arena, 0);

SEC("syscall")
int prog(void *ctx)
{
	int __arena *p = bpf_arena_alloc_pages(&arena, NULL, 1, -1, 0);

	if (!p)
		return 1;
	p[0] = 42;
	p[1] = p[0] + 1;
	return p[1];
}
