// A static subprogram that returns nothing (R0 never set in it) is accepted: only the caller's later use
// of R0 would be refused.
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend %arena verify %t.o -- %s
// CHECK: processed {{[0-9]+}} insns
#include "vcommon.h"
static __attribute__((noinline)) void set(__u64 *p)
{
	*p = 3;
}
SEC("syscall")
int prog(void *ctx)
{
	__u64 x = 0;
	set(&x);
	return x;
}
