// bpf_loop with a callback returning 0/1 is accepted.
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend %arena verify %t.o -- %s
// CHECK: processed {{[0-9]+}} insns
#include "vcommon.h"

static int cb(__u32 i, void *data)
{
	*(__u64 *)data += i;
	return 0;
}
SEC("syscall")
int prog(void *ctx)
{
	__u64 sum = 0;
	bpf_loop(10, cb, &sum, 0);
	return sum;
}
