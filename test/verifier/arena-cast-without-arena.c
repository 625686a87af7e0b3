// addr_space_cast in a program that names no arena map is refused.
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend --expect-fail %arena verify %t.o -- %s
// CHECK: addr_space_cast insn can only be used in a program that has an associated arena
#include "vcommon.h"

SEC("syscall")
NAKED int prog(void)
{
	asm volatile(
		"r1 = 0\n"
		"r1 = addr_space_cast(r1, 0, 1)\n"
		"r0 = 0\n"
		"exit\n"
		::);
}
