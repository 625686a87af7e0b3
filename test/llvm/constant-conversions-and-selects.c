// (T *)&arena_global is a constant conversion in clang-14's IR (an addrspacecast constant expression as
// the operand of the load and store): it becomes the global's cast kern at function entry. A select of
// arena pointers is cast once, after the select, like any value.
// REQUIRES: clang-14, clang-19
// RUN: %clang14 %bpf_cflags -mcpu=v3 -D__BPF_FEATURE_ADDR_SPACE_CAST -emit-llvm -c %s -o %t.bc
// RUN: %bindir/arena-lower %t.bc -o %t14.o --print-ir | FileCheck %s --check-prefix=IR
// RUN: %objdump -d --no-show-raw-insn --mcpu=v3 %t14.o | FileCheck %s --check-prefix=ASM
// RUN: %clang19 %bpf_cflags -mcpu=v3 -c %s -o %t19.o
// RUN: %objdump -d --no-show-raw-insn --mcpu=v3 %t19.o | FileCheck %s --check-prefix=ASM

// IR-NOT: addrspacecast
// IR-LABEL: define {{.*}}@ex(
// IR-NEXT: %[[G:[^ ]+]] = call i64* asm "{{.*}}.long 1", "=r,r"(i64 addrspace(1)* @g1)
// IR: load i64, i64* %[[G]]
// IR: store i64 %{{[0-9]+}}, i64* %[[G]]
// IR-LABEL: define internal {{.*}}@pick(
// IR: [[S:%[0-9]+]] = select i1 %{{[0-9]+}}, i64 addrspace(1)* @g1, i64 addrspace(1)* %1
// IR-NEXT: call i64* asm "{{.*}}.long 1", "=r,r"(i64 addrspace(1)* [[S]])
// IR-NOT: addrspacecast

// ASM-LABEL: <pick>:
// ASM: r[[P:[0-9]]] = addr_space_cast(r{{[0-9]}}, 0x0, 0x1)
// ASM-NEXT: r0 = *(u64 *)(r[[P]] + 0x0)
// ASM-NEXT: exit
// ASM-LABEL: <ex>:
// ASM: r[[K:[0-9]]] = addr_space_cast(r{{[0-9]}}, 0x0, 0x1)
// ASM: = *(u64 *)(r[[K]] + 0x0)
// ASM-NEXT: += 0xa
// ASM-NEXT: *(u64 *)(r[[K]] + 0x0) = r

#include "Inputs/arena_test.h"
ARENA_MAP(arena, 4);

__u64 __arena g1 = 3, g2 = 4;
struct holder {
	__u64 __arena *p;
	int k;
};

static __attribute__((noinline)) __u64 pick(int c, __u64 __arena *a, __u64 __arena *b)
{
	__u64 __arena *s = c ? a : b;

	return *s;
}

SEC("syscall")
int ex(void *ctx)
{
	__u64 *k = (__u64 *)&g1; /* a constant conversion of an arena global */
	struct holder h = { &g2, 1 };
	volatile struct holder *vh = &h;
	__u64 r;

	*k += 10;                    /* g1 = 13 */
	r = pick(vh->k, vh->p, &g1); /* g2 = 4 */
	r += pick(0, &g2, &g1);      /* g1 = 13 */
	return r + *(vh->p);         /* 4 + 13 + 4 */
}
