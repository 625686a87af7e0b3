// A linked list built and walked in the arena with can_loop (may_goto) loops verifies within budget: the
// bound lives in a writable global, so the counter stays imprecise and the loop head prunes.
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend %arena verify %t.o -- %s
// CHECK: processed {{[0-9]+}} insns
#include "vcommon.h"

ARENA_MAP(arena, 0);
struct node { struct node __arena *next; __u64 v; };
int nr_nodes = 1000;
SEC("syscall")
int prog(void *ctx)
{
	struct node __arena *head = NULL, *n;
	__u64 sum = 0;
	int i;
	for (i = 0; i < nr_nodes && can_loop; i++) {
		n = bpf_arena_alloc_pages(&arena, NULL, 1, -1, 0);
		if (!n)
			break;
		n->v = i;
		n->next = head;
		head = n;
	}
	for (n = head; n && can_loop; n = n->next)
		sum += n->v;
	return sum;
}
