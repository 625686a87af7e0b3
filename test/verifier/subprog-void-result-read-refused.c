// Reading R0 after calling a subprogram that never set it is refused.
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend --expect-fail %arena verify %t.o -- %s
// CHECK: R0 !read_ok
#include "vcommon.h"
static __attribute__((noinline)) void nothing(__u64 *p)
{
	*p = 1;
}
SEC("syscall")
NAKED int prog(void)
{
	asm volatile(
		"r1 = r10\n"
		"r1 += -8\n"
		"call %[nothing]\n"
		"exit\n"
		:: [nothing]"i"(nothing));
}
