// With BPF_F_NO_USER_CONV the same program verifies (cast_user becomes a 32-bit move).
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend %arena verify %t.o -- %s
// CHECK: processed {{[0-9]+}} insns
#include "vcommon.h"

ARENA_MAP(arena, BPF_F_NO_USER_CONV);
struct node { struct node __arena *next; __u64 v; };
SEC("syscall")
int prog(void *ctx)
{
	struct node __arena *a = bpf_arena_alloc_pages(&arena, NULL, 1, -1, 0);
	if (!a)
		return 1;
	a->next = a + 1;
	return 0;
}
