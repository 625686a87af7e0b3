// A variable index bounded by a check before indexing a map value is accepted.
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend %arena verify %t.o -- %s
// CHECK: processed {{[0-9]+}} insns
#include "vcommon.h"

struct big { __u32 a[16]; };
ARRAY_MAP(vals, struct big, 1);
SEC("syscall")
int prog(void *ctx)
{
	__u32 k = 0, i = bpf_get_prandom_u32();
	struct big *v = bpf_map_lookup_elem(&vals, &k);
	if (!v)
		return 0;
	if (i < 16)
		return v->a[i];
	return 0;
}
