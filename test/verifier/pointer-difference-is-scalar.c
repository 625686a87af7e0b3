// The difference of two pointers (pkt_end - pkt) is a scalar for a privileged loader.
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend %arena verify %t.o -- %s
// CHECK: processed {{[0-9]+}} insns
#include "vcommon.h"
SEC("xdp")
NAKED int prog(void)
{
	asm volatile(
		"r2 = *(u32 *)(r1 + 0)\n"
		"r1 = *(u32 *)(r1 + 4)\n"
		"r1 -= r2\n"
		"r0 = 2\n"
		"if r1 > 100 goto 1f\n"
		"r0 = 1\n"
		"1:\n"
		"exit\n");
}
