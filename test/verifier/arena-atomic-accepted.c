// Atomic add and fetch-add through an arena pointer are accepted (marked PROBE_MEM32).
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend %arena verify %t.o -- %s
// CHECK: processed {{[0-9]+}} insns
#include "vcommon.h"

ARENA_MAP(arena, 0);
SEC("syscall")
int prog(void *ctx)
{
	__u64 __arena *p = bpf_arena_alloc_pages(&arena, NULL, 1, -1, 0);
	if (!p)
		return 1;
	__sync_fetch_and_add(p, 5);
	return __sync_fetch_and_add(p + 1, 1);
}
