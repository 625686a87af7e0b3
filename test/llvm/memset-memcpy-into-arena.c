// memset/memcpy into and out of arena memory are accesses too: the lowering casts both pointers.
// REQUIRES: clang-14, clang-19
// RUN: %clang14 %bpf_cflags -mcpu=v3 -D__BPF_FEATURE_ADDR_SPACE_CAST -emit-llvm -c %s -o %t.bc
// RUN: %bindir/arena-lower %t.bc -o %t14.o --print-ir | FileCheck %s --check-prefix=IR
// RUN: %objdump -d --no-show-raw-insn --mcpu=v3 %t14.o | FileCheck %s --check-prefix=ASM
// RUN: %clang19 %bpf_cflags -mcpu=v3 -c %s -o %t19.o

// RUN: %objdump -d --no-show-raw-insn %t19.o | FileCheck %s --check-prefix=NATIVE

// IR-LABEL: define internal {{.*}}@copy(
// IR-DAG: %[[D:[^ ]+]] = call %struct.big* asm "{{.*}}.long 1", "=r,r"(%struct.big addrspace(1)* %0)
// IR-DAG: %[[S:[^ ]+]] = call %struct.big* asm "{{.*}}.long 1", "=r,r"(%struct.big addrspace(1)* %1)
// IR: call void @llvm.memcpy.p0i8.p0i8.i64(
// IR-LABEL: define internal {{.*}}@clear(
// IR-NEXT: call %struct.big* asm "{{.*}}.long 1", "=r,r"(%struct.big addrspace(1)* %0)
// IR: call void @llvm.memset.p0i8.i64(i8* {{.*}}align 8
// IR-NOT: llvm.mem{{set|cpy|move}}.p1

// ASM-LABEL: <copy>:
// ASM-DAG: r1 = addr_space_cast(r1, 0x0, 0x1)
// ASM-DAG: r2 = addr_space_cast(r2, 0x0, 0x1)
// ASM: *(u64 *)(r1 + 0x18) = r
// ASM: exit
// ASM-LABEL: <clear>:
// ASM-NEXT: r1 = addr_space_cast(r1, 0x0, 0x1)
// ASM: *(u64 *)(r1 + 0x18) = r
// ASM: exit

// clang-19 has this gap: its memcpy/memset expansion stores through the uncast pointer.
// NATIVE-LABEL: <copy>:
// NATIVE-NOT: addr_space_cast
// NATIVE: exit


#include "Inputs/arena_test.h"
ARENA_MAP(arena, 4);
struct big { __u64 a, b, c, d; };

/* memset/memcpy/memmove on arena memory are accesses too: both of their pointers are cast. clang-19
 * leaves them uncast (the verifier then refuses the program); LLVM 22 casts them, as we do. */
static __attribute__((noinline)) void clear(struct big __arena *p)
{
	__builtin_memset(p, 0, sizeof(*p));
}

static __attribute__((noinline)) void copy(struct big __arena *dst, struct big __arena *src)
{
	*dst = *src;
}

SEC("syscall")
int mem(void *ctx)
{
	struct big __arena *p = bpf_arena_alloc_pages(&arena, NULL, 1, -1, 0);
	struct big init = { 1, 2, 3, 4 };

	if (!p)
		return -1;
	p[0] = init;
	copy(&p[1], &p[0]);
	clear(&p[0]);
	return p[0].a + p[0].d + p[1].a * 10 + p[1].d * 100; /* 0 + 0 + 10 + 400 */
}
