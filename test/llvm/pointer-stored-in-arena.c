// An arena pointer stored into arena memory keeps its user form: only the address written through is
// cast, never the value stored.
// REQUIRES: clang-14, clang-19
// RUN: %clang14 %bpf_cflags -mcpu=v3 -D__BPF_FEATURE_ADDR_SPACE_CAST -emit-llvm -c %s -o %t.bc
// RUN: %bindir/arena-lower %t.bc -o %t14.o --print-ir | FileCheck %s --check-prefix=IR
// RUN: %objdump -d --no-show-raw-insn --mcpu=v3 %t14.o | FileCheck %s --check-prefix=ASM
// RUN: %clang19 %bpf_cflags -mcpu=v3 -c %s -o %t19.o
// RUN: %objdump -d --no-show-raw-insn --mcpu=v3 %t19.o | FileCheck %s --check-prefix=ASM

// IR-LABEL: define internal {{.*}}@link(%struct.node addrspace(1)* {{.*}}%0, %struct.node addrspace(1)* {{.*}}%1)
// IR-NEXT: %[[K:[^ ]+]] = call %struct.node* asm "{{.*}}.long 1", "=r,r"(%struct.node addrspace(1)* %0)
// IR-NOT: asm
// IR: store %struct.node addrspace(1)* %1, %struct.node addrspace(1)** %
// IR-NEXT: ret void

// ASM-LABEL: <link>:
// ASM-NEXT: r[[P:[0-9]]] = addr_space_cast(r1, 0x0, 0x1)
// ASM-NEXT: *(u64 *)(r[[P]] + 0x0) = r2
// ASM-NEXT: exit


#include "Inputs/arena_test.h"
ARENA_MAP(arena, 4);
struct node { struct node __arena *next; __u64 val; };

/* The link written into arena memory is the user-form value: the pointer being stored is never cast,
 * only the pointer being written through is. */
static __attribute__((noinline)) void link(struct node __arena *n, struct node __arena *next)
{
	n->next = next;
}

SEC("syscall")
int stored(void *ctx)
{
	struct node __arena *a = bpf_arena_alloc_pages(&arena, NULL, 1, -1, 0);
	struct node __arena *b;

	if (!a)
		return -1;
	b = a + 1;
	b->val = 42;
	link(a, b);
	/* Reading the link back and following it gives b; its user form equals b's. */
	return a->next->val + (a->next == b);
}
