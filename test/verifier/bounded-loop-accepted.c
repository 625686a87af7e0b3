// A loop with a constant bound is accepted (the verifier walks it).
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend %arena verify %t.o -- %s
// CHECK: processed {{[0-9]+}} insns
#include "vcommon.h"

ARRAY_MAP(vals, __u64, 64);
SEC("syscall")
int prog(void *ctx)
{
	__u64 sum = 0;
	for (__u32 i = 0; i < 64; i++) {
		__u32 k = i;
		__u64 *v = bpf_map_lookup_elem(&vals, &k);
		if (v)
			sum += *v;
	}
	return sum;
}
