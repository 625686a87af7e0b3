// Arithmetic on an unchecked map-value-or-null pointer is refused.
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend --expect-fail %arena verify %t.o -- %s
// CHECK: R0 pointer arithmetic on map_value_or_null prohibited, null-check it first
#include "vcommon.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} vals SEC(".maps");
SEC("syscall")
NAKED int prog(void)
{
	asm volatile(
		"*(u32 *)(r10 - 4) = 0\n"
		"r2 = r10\n"
		"r2 += -4\n"
		"r1 = %[vals] ll\n"
		"call %[bpf_map_lookup_elem]\n"
		"r0 += 8\n"
		"exit\n"
		:: [vals]"i"(&vals), [bpf_map_lookup_elem]"i"(bpf_map_lookup_elem));
}
