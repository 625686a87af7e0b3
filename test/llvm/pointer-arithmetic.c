// Pointer arithmetic on an arena pointer is rebuilt in address space 0 on one cast of the base, so
// constant offsets of a[i] and (p + 3)[k] fold into the loads.
// REQUIRES: clang-14, clang-19
// RUN: %clang14 %bpf_cflags -mcpu=v3 -D__BPF_FEATURE_ADDR_SPACE_CAST -emit-llvm -c %s -o %t.bc
// RUN: %bindir/arena-lower %t.bc -o %t14.o --print-ir | FileCheck %s --check-prefix=IR
// RUN: %objdump -d --no-show-raw-insn --mcpu=v3 %t14.o | FileCheck %s --check-prefix=ASM
// RUN: %clang19 %bpf_cflags -mcpu=v3 -c %s -o %t19.o
// RUN: %objdump -d --no-show-raw-insn --mcpu=v3 %t19.o | FileCheck %s --check-prefix=ASM

// No address arithmetic is left in address space 1, and every offset hangs off the one cast.
// IR-LABEL: define internal {{.*}}@pick(i32 addrspace(1)*
// IR-NEXT: %[[K:[^ ]+]] = call i32* asm "{{.*}}.long 1", "=r,r"(i32 addrspace(1)* %0)
// IR-NOT: getelementptr {{.*}}addrspace(1)
// IR-DAG: getelementptr inbounds i32, i32* %[[K]], i64 3
// IR-DAG: getelementptr inbounds i32, i32* %[[K]], i64 4
// IR-DAG: getelementptr inbounds i32, i32* %[[K]], i64 5
// IR-NOT: getelementptr {{.*}}addrspace(1)
// IR: ret i32

// ASM-LABEL: <pick>:
// ASM-NEXT: r[[P:[0-9]]] = addr_space_cast(r1, 0x0, 0x1)
// ASM-NOT: addr_space_cast
// ASM-DAG: = *(u32 *)(r[[P]] + 0x14)
// ASM-DAG: = *(u32 *)(r[[P]] + 0xc)
// ASM-DAG: = *(u32 *)(r[[P]] + 0x10)
// ASM-NOT: addr_space_cast
// ASM: exit


#include "Inputs/arena_test.h"
ARENA_MAP(arena, 4);

/* a[i] with a variable index and p + 3 with a constant one: the address arithmetic is rebuilt on one
 * cast of the base, so the constant offsets fold into the accesses. */
static __attribute__((noinline)) __u32 pick(__u32 __arena *a, __u32 i)
{
	__u32 __arena *q = a + 3;

	return a[i & 7] + q[0] + q[1];
}

SEC("syscall")
int arith(void *ctx)
{
	__u32 __arena *a = bpf_arena_alloc_pages(&arena, NULL, 1, -1, 0);
	int i;

	if (!a)
		return -1;
	for (i = 0; i < 8; i++)
		a[i] = i * 10;
	/* a[5] + a[3] + a[4] = 50 + 30 + 40 */
	return pick(a, 5);
}
