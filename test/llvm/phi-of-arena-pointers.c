// A phi of arena pointers (list walk) is cast right after the phi, once per iteration; the NULL test
// uses the user form.
// REQUIRES: clang-14, clang-19
// RUN: %clang14 %bpf_cflags -mcpu=v3 -D__BPF_FEATURE_ADDR_SPACE_CAST -emit-llvm -c %s -o %t.bc
// RUN: %bindir/arena-lower %t.bc -o %t14.o --print-ir | FileCheck %s --check-prefix=IR
// RUN: %objdump -d --no-show-raw-insn --mcpu=v3 %t14.o | FileCheck %s --check-prefix=ASM
// RUN: %clang19 %bpf_cflags -mcpu=v3 -c %s -o %t19.o
// RUN: %objdump -d --no-show-raw-insn --mcpu=v3 %t19.o | FileCheck %s --check-prefix=ASM

// IR-LABEL: define internal {{.*}}@walk(%struct.node addrspace(1)*
// IR: icmp eq %struct.node addrspace(1)* %0, null
// IR: [[PHI:%[0-9]+]] = phi %struct.node addrspace(1)* [ %[[NEXT:[0-9]+]], %{{[0-9]+}} ], [ %0, %{{[0-9]+}} ]
// IR-NEXT: %[[K:[^ ]+]] = call %struct.node* asm "{{.*}}.long 1", "=r,r"(%struct.node addrspace(1)* [[PHI]])
// IR: %[[NEXT]] = load %struct.node addrspace(1)*, %struct.node addrspace(1)** %
// IR: icmp ne %struct.node addrspace(1)* %[[NEXT]], null

// The loop: the NULL test on the user form, the cast at the top of each iteration, loads through it.
// ASM-LABEL: <walk>:
// ASM: if r1 == 0x0 goto
// ASM: r[[P:[0-9]]] = addr_space_cast(r1, 0x0, 0x1)
// ASM-NEXT: = *(u64 *)(r[[P]] + 0x8)
// ASM: r1 = *(u64 *)(r[[P]] + 0x0)
// ASM-NEXT: if r1 == 0x0 goto
// ASM-NOT: addr_space_cast
// ASM: exit


#include "Inputs/arena_test.h"
ARENA_MAP(arena, 4);
struct node { struct node __arena *next; __u64 val; };

/* n is a phi of arena pointers: it is cast once per iteration, after the phi, and compared with NULL
 * in its user form. */
static __attribute__((noinline)) __u64 walk(struct node __arena *n)
{
	__u64 s = 0;
	int k;

	for (k = 0; n && k < 16; k++) {
		s += n->val;
		n = n->next;
	}
	return s;
}

SEC("syscall")
int phi(void *ctx)
{
	struct node __arena *base = bpf_arena_alloc_pages(&arena, NULL, 1, -1, 0);
	int i;

	if (!base)
		return -1;
	for (i = 0; i < 5; i++) {
		base[i].val = i + 1;
		base[i].next = i < 4 ? &base[i + 1] : NULL;
	}
	return walk(base);
}
