// Division by a zero immediate is refused.
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend --expect-fail %arena verify %t.o -- %s
// CHECK: div by zero
#include "vcommon.h"

SEC("syscall")
NAKED int prog(void)
{
	asm volatile(
		"r0 = 1\n"
		"r0 /= 0\n"
		"exit\n"
		::);
}
