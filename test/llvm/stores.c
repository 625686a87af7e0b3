// Stores through an arena pointer: one cast kern, the stores use it with folded offsets.
// REQUIRES: clang-14, clang-19
// RUN: %clang14 %bpf_cflags -mcpu=v3 -D__BPF_FEATURE_ADDR_SPACE_CAST -emit-llvm -c %s -o %t.bc
// RUN: %bindir/arena-lower %t.bc -o %t14.o --print-ir | FileCheck %s --check-prefix=IR
// RUN: %objdump -d --no-show-raw-insn --mcpu=v3 %t14.o | FileCheck %s --check-prefix=ASM
// RUN: %clang19 %bpf_cflags -mcpu=v3 -c %s -o %t19.o
// RUN: %objdump -d --no-show-raw-insn --mcpu=v3 %t19.o | FileCheck %s --check-prefix=ASM

// IR-LABEL: define internal {{.*}}@fill(%struct.triple addrspace(1)*
// IR-NEXT: %[[K:[^ ]+]] = call %struct.triple* asm "{{.*}}.long 1", "=r,r"(%struct.triple addrspace(1)* %0)
// IR-NOT: asm
// IR: store i64 7, i64* %
// IR: store i64 14, i64* %
// IR: store i64 21, i64* %
// IR-NEXT: ret void

// ASM-LABEL: <fill>:
// ASM-NEXT: r[[P:[0-9]]] = addr_space_cast(r1, 0x0, 0x1)
// ASM-NOT: addr_space_cast
// ASM-DAG: *(u64 *)(r[[P]] + 0x0) = r
// ASM-DAG: *(u64 *)(r[[P]] + 0x8) = r
// ASM-DAG: *(u64 *)(r[[P]] + 0x10) = r
// ASM-NOT: addr_space_cast
// ASM: exit


#include "Inputs/arena_test.h"
ARENA_MAP(arena, 4);
struct triple { __u64 a, b, c; };

static __attribute__((noinline)) void fill(struct triple __arena *p, __u64 v)
{
	p->a = v;
	p->b = v * 2;
	p->c = v * 3;
}

SEC("syscall")
int stores(void *ctx)
{
	struct triple __arena *p = bpf_arena_alloc_pages(&arena, NULL, 1, -1, 0);

	if (!p)
		return -1;
	fill(p, 7);
	return p->a + p->b + p->c;
}
