// Kfunc arguments and return values are user-form arena pointers: no cast before a call or a
// comparison, one cast of the returned pointer before it is dereferenced.
// REQUIRES: clang-14, clang-19
// RUN: %clang14 %bpf_cflags -mcpu=v3 -D__BPF_FEATURE_ADDR_SPACE_CAST -emit-llvm -c %s -o %t.bc
// RUN: %bindir/arena-lower %t.bc -o %t14.o --print-ir | FileCheck %s --check-prefix=IR
// RUN: %objdump -d --no-show-raw-insn --mcpu=v3 %t14.o | FileCheck %s --check-prefix=ASM
// RUN: %clang19 %bpf_cflags -mcpu=v3 -c %s -o %t19.o
// RUN: %objdump -d --no-show-raw-insn --mcpu=v3 %t19.o | FileCheck %s --check-prefix=ASM

// IR-LABEL: define {{.*}}@kfuncs(
// IR: [[P:%[0-9]+]] = tail call i8 addrspace(1)* @bpf_arena_alloc_pages(
// IR-NEXT: %[[K:[^ ]+]] = call i8* asm "{{.*}}.long 1", "=r,r"(i8 addrspace(1)* [[P]])
// IR: icmp eq i8 addrspace(1)* [[P]], null
// IR: call i8 addrspace(1)* @bpf_arena_alloc_pages(i8* {{.*}}, i8 addrspace(1)* {{.*}}[[Q:%[0-9]+]],
// IR: icmp {{eq|ne}} i8 addrspace(1)* %{{[0-9]+}}, [[Q]]
// IR: call void @bpf_arena_free_pages(i8* {{.*}}, i8 addrspace(1)* {{.*}}[[Q]], i32 noundef 1)
// IR-NOT: asm
// IR: ret i32

// The returned pointer is compared with NULL and passed to the next kfunc uncast; the one cast feeds the
// store and the final load.
// ASM-LABEL: <kfuncs>:
// ASM: call -0x1
// ASM: if r[[P:[0-9]]] == 0x0 goto
// ASM-NEXT: r[[K:[0-9]]] = addr_space_cast(r[[P]], 0x0, 0x1)
// ASM: *(u64 *)(r[[K]] + 0x0) = r1
// ASM-NOT: addr_space_cast
// ASM: r[[P]] += 0x1000
// ASM: r2 = r[[P]]
// ASM: call -0x1
// ASM-NOT: addr_space_cast
// ASM: = *(u64 *)(r[[K]] + 0x0)
// ASM: exit


#include "Inputs/arena_test.h"
ARENA_MAP(arena, 4);

/* Kfunc arguments and NULL tests use the user form; only the store goes through a cast. */
SEC("syscall")
int kfuncs(void *ctx)
{
	__u64 __arena *p = bpf_arena_alloc_pages(&arena, NULL, 1, -1, 0);
	__u64 __arena *q;

	if (!p)
		return -1;
	*p = 7;
	q = bpf_arena_alloc_pages(&arena, (char __arena *)p + 4096, 1, -1, 0);
	if (q != (__u64 __arena *)((char __arena *)p + 4096))
		return -2;
	bpf_arena_free_pages(&arena, q, 1);
	return *p;
}
