// A stack read below the 512-byte frame is refused.
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend --expect-fail %arena verify %t.o -- %s
// CHECK: invalid read from stack R10 off=-520 size=8
#include "vcommon.h"

SEC("syscall")
NAKED int prog(void)
{
	asm volatile(
		"r0 = *(u64 *)(r10 - 520)\n"
		"exit\n"
		::);
}
