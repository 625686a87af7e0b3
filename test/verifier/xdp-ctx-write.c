// Writing the XDP context is refused.
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend --expect-fail %arena verify %t.o -- %s
// CHECK: invalid bpf_context access off=0 size=4
#include "vcommon.h"

SEC("xdp")
NAKED int prog(void)
{
	asm volatile(
		"r2 = 0\n"
		"*(u32 *)(r1 + 0) = r2\n"
		"r0 = 2\n"
		"exit\n"
		::);
}
