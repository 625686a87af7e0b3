// A map lookup result used after its null check is accepted.
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend %arena verify %t.o -- %s
// CHECK: processed {{[0-9]+}} insns
#include "vcommon.h"

ARRAY_MAP(vals, __u64, 4);
SEC("syscall")
int prog(void *ctx)
{
	__u32 k = 1;
	__u64 *v = bpf_map_lookup_elem(&vals, &k);
	if (!v)
		return 0;
	*v += 1;
	return *v;
}
