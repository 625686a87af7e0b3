// A static subprogram call with a pointer to the caller's stack is accepted.
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend %arena verify %t.o -- %s
// CHECK: processed {{[0-9]+}} insns
#include "vcommon.h"

static __attribute__((noinline)) int add(__u64 *p, __u64 v)
{
	*p += v;
	return *p > 10;
}
SEC("syscall")
int prog(void *ctx)
{
	__u64 x = 3;
	add(&x, 4);
	return add(&x, 5);
}
