// Arithmetic on an arena pointer keeps it an arena pointer (done in 32 bits): indexed stores accepted.
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend %arena verify %t.o -- %s
// CHECK: processed {{[0-9]+}} insns
#include "vcommon.h"

ARENA_MAP(arena, 0);
SEC("syscall")
int prog(void *ctx)
{
	__u64 __arena *p = bpf_arena_alloc_pages(&arena, NULL, 2, -1, 0);
	if (!p)
		return 1;
	for (int i = 0; i < 100; i++)
		p[i * 7] = i;
	return 0;
}
