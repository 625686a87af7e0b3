// Allocating and freeing arena pages through the kfuncs is accepted.
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend %arena verify %t.o -- %s
// CHECK: processed {{[0-9]+}} insns
#include "vcommon.h"

ARENA_MAP(arena, 0);
SEC("syscall")
int prog(void *ctx)
{
	char __arena *p = bpf_arena_alloc_pages(&arena, NULL, 2, -1, 0);
	if (!p)
		return 1;
	p[4096] = 1;
	bpf_arena_free_pages(&arena, p, 2);
	return 0;
}
