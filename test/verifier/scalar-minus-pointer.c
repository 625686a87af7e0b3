// Subtracting a pointer from a scalar is refused.
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend --expect-fail %arena verify %t.o -- %s
// CHECK: R0 tried to subtract pointer from scalar
#include "vcommon.h"

SEC("syscall")
NAKED int prog(void)
{
	asm volatile(
		"r0 = 5\n"
		"r0 -= r10\n"
		"exit\n"
		::);
}
