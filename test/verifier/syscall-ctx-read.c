// A syscall program reads its context (any in-range offset).
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend %arena verify %t.o -- %s
// CHECK: processed {{[0-9]+}} insns
#include "vcommon.h"

struct args { __u64 a, b; };
SEC("syscall")
int prog(struct args *ctx)
{
	return ctx->a + ctx->b;
}
