// A bpf_loop callback returning 5 is refused.
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend --expect-fail %arena verify %t.o -- %s
// CHECK: At callback return the register R0
#include "vcommon.h"

static __attribute__((noinline)) int cb(__u32 i, void *data)
{
	return 5;
}
SEC("syscall")
int prog(void *ctx)
{
	return bpf_loop(10, cb, NULL, 0);
}
