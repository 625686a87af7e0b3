// A value loaded from the arena is a scalar: arithmetic and comparisons on it are fine.
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend %arena verify %t.o -- %s
// CHECK: processed {{[0-9]+}} insns
#include "vcommon.h"

ARENA_MAP(arena, 0);
SEC("syscall")
int prog(void *ctx)
{
	__u32 __arena *p = bpf_arena_alloc_pages(&arena, NULL, 1, -1, 0);
	if (!p)
		return 1;
	__u32 v = p[3] * 3 + 1;
	if (v > 100)
		v -= 100;
	return v;
}
