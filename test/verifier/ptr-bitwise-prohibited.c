// A bitwise operation on a stack pointer is refused.
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend --expect-fail %arena verify %t.o -- %s
// CHECK: R1 bitwise operator &= on pointer prohibited
#include "vcommon.h"

SEC("syscall")
NAKED int prog(void)
{
	asm volatile(
		"r1 = r10\n"
		"r1 &= 8\n"
		"r0 = 0\n"
		"exit\n"
		::);
}
