// In explicit mode cast_kern/cast_user are hand-encoded addr_space_cast instructions: opcode 0xbf, the
// register byte chosen by .ifc (dst = src = the variable's register), off 1, imm 1 (to the kernel form) or
// 1 << 16 (back to the user form). Every allocatable register r0..r9 must come out right, with LLVM 14's
// assembler and with LLVM 19's (explicit mode forced by undefining the feature macro).
// REQUIRES: clang-19, clang-14
// RUN: %clang14 %bpf_cflags -mcpu=v3 -c %s -o %t14.o
// RUN: %objdump -d %t14.o | FileCheck %s
// RUN: %clang19 %bpf_cflags -mcpu=v3 -U__BPF_FEATURE_ADDR_SPACE_CAST -c %s -o %t19.o
// RUN: %objdump -d %t19.o | FileCheck %s

// CHECK: bf 00 01 00 01 00 00 00 r0 = addr_space_cast(r0, 0x0, 0x1)
// CHECK-NEXT: bf 00 01 00 00 00 01 00 r0 = addr_space_cast(r0, 0x1, 0x0)
// CHECK: bf 11 01 00 01 00 00 00 r1 = addr_space_cast(r1, 0x0, 0x1)
// CHECK-NEXT: bf 11 01 00 00 00 01 00 r1 = addr_space_cast(r1, 0x1, 0x0)
// CHECK: bf 22 01 00 01 00 00 00 r2 = addr_space_cast(r2, 0x0, 0x1)
// CHECK-NEXT: bf 22 01 00 00 00 01 00 r2 = addr_space_cast(r2, 0x1, 0x0)
// CHECK: bf 33 01 00 01 00 00 00 r3 = addr_space_cast(r3, 0x0, 0x1)
// CHECK-NEXT: bf 33 01 00 00 00 01 00 r3 = addr_space_cast(r3, 0x1, 0x0)
// CHECK: bf 44 01 00 01 00 00 00 r4 = addr_space_cast(r4, 0x0, 0x1)
// CHECK-NEXT: bf 44 01 00 00 00 01 00 r4 = addr_space_cast(r4, 0x1, 0x0)
// CHECK: bf 55 01 00 01 00 00 00 r5 = addr_space_cast(r5, 0x0, 0x1)
// CHECK-NEXT: bf 55 01 00 00 00 01 00 r5 = addr_space_cast(r5, 0x1, 0x0)
// CHECK: bf 66 01 00 01 00 00 00 r6 = addr_space_cast(r6, 0x0, 0x1)
// CHECK-NEXT: bf 66 01 00 00 00 01 00 r6 = addr_space_cast(r6, 0x1, 0x0)
// CHECK: bf 77 01 00 01 00 00 00 r7 = addr_space_cast(r7, 0x0, 0x1)
// CHECK-NEXT: bf 77 01 00 00 00 01 00 r7 = addr_space_cast(r7, 0x1, 0x0)
// CHECK: bf 88 01 00 01 00 00 00 r8 = addr_space_cast(r8, 0x0, 0x1)
// CHECK-NEXT: bf 88 01 00 00 00 01 00 r8 = addr_space_cast(r8, 0x1, 0x0)
// CHECK: bf 99 01 00 01 00 00 00 r9 = addr_space_cast(r9, 0x0, 0x1)
// CHECK-NEXT: bf 99 01 00 00 00 01 00 r9 = addr_space_cast(r9, 0x1, 0x0)

#include <bpf_arena.h>

#if BPF_ARENA_NATIVE_CASTS
#error "this test needs explicit mode"
#endif

/* A register variable pins the cast's operand to register N. */
#define BOTH_CASTS_IN(N)                                                                                 \
	{                                                                                                \
		register __u64 v asm("r" #N) = x + N;                                                    \
		cast_kern(v);                                                                            \
		cast_user(v);                                                                            \
		asm volatile("" ::"r"(v));                                                               \
	}

SEC("syscall")
int every_register(void *ctx)
{
	__u64 x = (__u64)ctx;

	BOTH_CASTS_IN(0) BOTH_CASTS_IN(1) BOTH_CASTS_IN(2) BOTH_CASTS_IN(3) BOTH_CASTS_IN(4)
	BOTH_CASTS_IN(5) BOTH_CASTS_IN(6) BOTH_CASTS_IN(7) BOTH_CASTS_IN(8) BOTH_CASTS_IN(9)
	return 0;
}

char _license[] SEC("license") = "GPL";
