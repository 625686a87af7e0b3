// A stack write above the frame pointer is refused.
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend --expect-fail %arena verify %t.o -- %s
// CHECK: invalid write to stack R10 off=8 size=8
#include "vcommon.h"

SEC("syscall")
NAKED int prog(void)
{
	asm volatile(
		"*(u64 *)(r10 + 8) = r1\n"
		"r0 = 0\n"
		"exit\n"
		::);
}
