// A misaligned 8-byte stack access is refused.
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend --expect-fail %arena verify %t.o -- %s
// CHECK: misaligned stack access off
#include "vcommon.h"

SEC("syscall")
NAKED int prog(void)
{
	asm volatile(
		"*(u64 *)(r10 - 12) = r1\n"
		"r0 = 0\n"
		"exit\n"
		::);
}
