// Loads through an arena pointer: one cast kern of the pointer serves every load, and the field offsets
// fold into the loads (identical to clang-19).
// REQUIRES: clang-14, clang-19
// RUN: %clang14 %bpf_cflags -mcpu=v3 -D__BPF_FEATURE_ADDR_SPACE_CAST -emit-llvm -c %s -o %t.bc
// RUN: %bindir/arena-lower %t.bc -o %t14.o --print-ir | FileCheck %s --check-prefix=IR
// RUN: %objdump -d --no-show-raw-insn --mcpu=v3 %t14.o | FileCheck %s --check-prefix=ASM
// RUN: %clang19 %bpf_cflags -mcpu=v3 -c %s -o %t19.o
// RUN: %objdump -d --no-show-raw-insn --mcpu=v3 %t19.o | FileCheck %s --check-prefix=ASM

// IR-LABEL: define internal {{.*}}@sum_fields(%struct.triple addrspace(1)*
// IR-NEXT: %[[K:[^ ]+]] = call %struct.triple* asm "{{.*}}.long 1", "=r,r"(%struct.triple addrspace(1)* %0)
// IR-NOT: asm
// IR: getelementptr inbounds %struct.triple, %struct.triple* %[[K]], i64 0, i32 0
// IR-NEXT: load i64, i64* %
// IR-NOT: asm
// IR: getelementptr inbounds %struct.triple, %struct.triple* %[[K]], i64 0, i32 2
// IR-NEXT: load i64, i64* %
// IR: ret i64

// ASM-LABEL: <sum_fields>:
// ASM-NEXT: r[[P:[0-9]]] = addr_space_cast(r1, 0x0, 0x1)
// ASM-NOT: addr_space_cast
// ASM-DAG: = *(u64 *)(r[[P]] + 0x0)
// ASM-DAG: = *(u64 *)(r[[P]] + 0x8)
// ASM-DAG: = *(u64 *)(r[[P]] + 0x10)
// ASM-NOT: addr_space_cast
// ASM: exit


#include "Inputs/arena_test.h"
ARENA_MAP(arena, 4);
struct triple { __u64 a, b, c; };

/* One cast of p serves the three loads; the field offsets fold into the loads. */
static __attribute__((noinline)) __u64 sum_fields(struct triple __arena *p)
{
	return p->a + p->b + p->c;
}

SEC("syscall")
int loads(void *ctx)
{
	struct triple __arena *p = bpf_arena_alloc_pages(&arena, NULL, 1, -1, 0);

	if (!p)
		return -1;
	p->a = 1;
	p->b = 20;
	p->c = 300;
	return sum_fields(p);
}
