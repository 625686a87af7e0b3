// The same header compiles for user space (a layout header shared by both sides): __arena and
// __arena_global are empty, cast_kern/cast_user do nothing, the arena constants match the kernel's, and
// nothing BPF-only (kfuncs, maps, loops) is declared.
// REQUIRES: clang-19
// RUN: %clang19 -Wall -Werror -I %include %s -o %t
// RUN: %t | FileCheck %s
// CHECK: type 33 mmapable 0x400 segv 0x20000 no_user_conv 0x40000
// CHECK-NEXT: casts are no-ops: 1
// CHECK-NEXT: native 0

#include <bpf_arena.h>
#include <stdio.h>

struct node {
	struct node __arena *next;
	int value;
};

int main(void)
{
	struct node n = { 0, 7 }, *p = &n;
	struct node __arena *q = p;

	cast_kern(q);
	cast_user(q);
	printf("type %d mmapable %#x segv %#x no_user_conv %#x\n", BPF_MAP_TYPE_ARENA, BPF_F_MMAPABLE,
	       BPF_F_SEGV_ON_FAULT, BPF_F_NO_USER_CONV);
	printf("casts are no-ops: %d\n", q == p && q->value == 7);
	printf("native %d\n", BPF_ARENA_NATIVE_CASTS);
#ifdef can_loop
	printf("can_loop leaked into user space\n");
#endif
	return 0;
}
