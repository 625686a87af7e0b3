// Passing a scalar where a helper expects a map pointer is refused.
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend --expect-fail %arena verify %t.o -- %s
// CHECK: R1 type=scalar expected=map_ptr
#include "vcommon.h"

SEC("syscall")
NAKED int prog(void)
{
	asm volatile(
		"r1 = 0\n"
		"r2 = r10\n"
		"r2 += -8\n"
		"*(u64 *)(r10 - 8) = 0\n"
		"call %[bpf_map_lookup_elem]\n"
		"r0 = 0\n"
		"exit\n"
		:: [bpf_map_lookup_elem]"i"(bpf_map_lookup_elem));
}
