// Reading uninitialised stack is allowed for a privileged loader (the kernel gives an unknown scalar).
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend %arena verify %t.o -- %s
// CHECK: processed {{[0-9]+}} insns
#include "vcommon.h"

SEC("syscall")
NAKED int prog(void)
{
	asm volatile(
		"r0 = *(u64 *)(r10 - 8)\n"
		"exit\n"
		::);
}
