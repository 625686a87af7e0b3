// Explicit C casts: (T *)arena_ptr is cast kern (imm 1), (T __arena *)kernel_ptr is cast user
// (imm 1 << 16, printed addr_space_cast(r, 0x1, 0x0)).
// REQUIRES: clang-14, clang-19
// RUN: %clang14 %bpf_cflags -mcpu=v3 -D__BPF_FEATURE_ADDR_SPACE_CAST -emit-llvm -c %s -o %t.bc
// RUN: %bindir/arena-lower %t.bc -o %t14.o --print-ir | FileCheck %s --check-prefix=IR
// RUN: %objdump -d --no-show-raw-insn --mcpu=v3 %t14.o | FileCheck %s --check-prefix=ASM
// RUN: %clang19 %bpf_cflags -mcpu=v3 -c %s -o %t19.o
// RUN: %objdump -d --no-show-raw-insn --mcpu=v3 %t19.o | FileCheck %s --check-prefix=ASM

// IR-LABEL: define internal {{.*}}@roundtrip(i64 addrspace(1)*
// IR-NEXT: call i64* asm "{{.*}}.long 1", "=r,r"(i64 addrspace(1)* %0)
// IR: [[K:%[0-9]+]] = load volatile i64*, i64** %
// IR: [[K2:%[0-9]+]] = load volatile i64*, i64** %
// IR-NEXT: %{{[^ ]+}} = call i64 addrspace(1)* asm "{{.*}}.long 65536", "=r,r"(i64* [[K2]])
// IR-NOT: addrspacecast
// IR: ret i64 addrspace(1)*

// ASM-LABEL: <roundtrip>:
// ASM-NEXT: r[[K:[0-9]]] = addr_space_cast(r1, 0x0, 0x1)
// ASM-NEXT: *(u64 *)(r10 - 0x8) = r[[K]]
// ASM: r0 = addr_space_cast(r{{[0-9]}}, 0x1, 0x0)
// ASM-NEXT: exit


#include "Inputs/arena_test.h"
ARENA_MAP(arena, 4);

/* (T *)arena_ptr is the kernel form (cast kern); (T __arena *)kernel_ptr is the user form (cast user). */
static __attribute__((noinline)) __u64 __arena *roundtrip(__u64 __arena *p)
{
	__u64 *volatile k = (__u64 *)p; /* volatile: keep clang from folding the pair of casts away */

	*k += 1;
	return (__u64 __arena *)k;
}

SEC("syscall")
int casts(void *ctx)
{
	__u64 __arena *p = bpf_arena_alloc_pages(&arena, NULL, 1, -1, 0);
	__u64 __arena *r;

	if (!p)
		return -1;
	p += 1; /* not the arena's first word: its lower 32 bits may be 0, which cast user keeps as NULL */
	*p = 40;
	r = roundtrip(p);
	return *r + (r == p); /* the user form comes back unchanged: 41 + 1 */
}
