// A back-edge that makes no progress is refused.
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend --expect-fail %arena verify %t.o -- %s
// CHECK: infinite loop detected at insn 1
#include "vcommon.h"

SEC("syscall")
NAKED int prog(void)
{
	asm volatile(
		"r0 = 0\n"
		"if r0 == 0 goto -1\n"
		"exit\n"
		::);
}
