// Dereferencing a scalar is refused.
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend --expect-fail %arena verify %t.o -- %s
// CHECK: R1 invalid mem access 'scalar'
#include "vcommon.h"

SEC("syscall")
NAKED int prog(void)
{
	asm volatile(
		"r1 = 4096\n"
		"r0 = *(u64 *)(r1 + 0)\n"
		"exit\n"
		::);
}
