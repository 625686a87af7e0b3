// A map-value access with an unchecked variable index is refused.
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend --expect-fail %arena verify %t.o -- %s
// CHECK: math between map_value pointer and register with unbounded min value is not allowed
#include "vcommon.h"

ARRAY_MAP(vals, __u64, 4);
SEC("syscall")
NAKED int prog(void)
{
	asm volatile(
		"call %[bpf_get_prandom_u32]\n"
		"r6 = r0\n"
		"*(u32 *)(r10 - 4) = 0\n"
		"r2 = r10\n"
		"r2 += -4\n"
		"r1 = %[vals] ll\n"
		"call %[bpf_map_lookup_elem]\n"
		"if r0 == 0 goto 1f\n"
		"r0 += r6\n"
		"r0 = *(u8 *)(r0 + 0)\n"
		"1:\n"
		"exit\n"
		:: [vals]"i"(&vals), [bpf_map_lookup_elem]"i"(bpf_map_lookup_elem), [bpf_get_prandom_u32]"i"(bpf_get_prandom_u32));
}
