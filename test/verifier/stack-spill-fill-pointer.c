// A pointer spilled to the stack and filled back keeps its type.
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend %arena verify %t.o -- %s
// CHECK: processed {{[0-9]+}} insns
#include "vcommon.h"

SEC("syscall")
NAKED int prog(void)
{
	asm volatile(
		"*(u64 *)(r10 - 8) = r10\n"
		"r1 = *(u64 *)(r10 - 8)\n"
		"r0 = *(u64 *)(r1 - 8)\n"
		"exit\n"
		::);
}
