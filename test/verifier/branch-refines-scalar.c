// A branch refines a scalar's range so a stack access with it is in bounds.
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend %arena verify %t.o -- %s
// CHECK: processed {{[0-9]+}} insns
#include "vcommon.h"

SEC("syscall")
NAKED int prog(void)
{
	asm volatile(
		"call %[bpf_get_prandom_u32]\n"
		"r0 &= 7\n"
		"r1 = r10\n"
		"r1 += -64\n"
		"if r0 > 7 goto 1f\n"
		"r0 <<= 3\n"
		"r1 += r0\n"
		"*(u64 *)(r1 + 0) = 0\n"
		"1:\n"
		"r0 = 0\n"
		"exit\n"
		:: [bpf_get_prandom_u32]"i"(bpf_get_prandom_u32));
}
