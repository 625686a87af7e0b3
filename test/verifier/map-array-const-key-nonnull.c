// An array lookup with a constant in-range key cannot fail: the kernel types the result non-null.
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend %arena verify %t.o -- %s
// CHECK: processed {{[0-9]+}} insns
#include "vcommon.h"
ARRAY_MAP(vals, __u64, 4);
SEC("syscall")
NAKED int prog(void)
{
	asm volatile(
		"*(u32 *)(r10 - 4) = 0\n"
		"r2 = r10\n"
		"r2 += -4\n"
		"r1 = %[vals] ll\n"
		"call %[bpf_map_lookup_elem]\n"
		"r0 = *(u64 *)(r0 + 0)\n"
		"exit\n"
		:: [vals]"i"(&vals), [bpf_map_lookup_elem]"i"(bpf_map_lookup_elem));
}
