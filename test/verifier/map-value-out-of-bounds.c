// A fixed-offset access past the end of a map value is refused.
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend --expect-fail %arena verify %t.o -- %s
// CHECK: invalid access to map value, value_size=8 off=8 size=8
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
		"if r0 == 0 goto 1f\n"
		"r0 = *(u64 *)(r0 + 8)\n"
		"1:\n"
		"exit\n"
		:: [vals]"i"(&vals), [bpf_map_lookup_elem]"i"(bpf_map_lookup_elem));
}
