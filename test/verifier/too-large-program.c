// A loop whose counter the verifier must track past the budget is refused.
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend --expect-fail %arena verify %t.o -- %s
// CHECK: BPF program is too large. Processed 1000001 insn
#include "vcommon.h"

SEC("syscall")
NAKED int prog(void)
{
	asm volatile(
		"call %[bpf_get_prandom_u32]\n"
		"r6 = r0\n"
		"r7 = 0\n"
		"1:\n"
		"r7 += 1\n"
		"if r7 != r6 goto 1b\n"
		"r0 = 0\n"
		"exit\n"
		:: [bpf_get_prandom_u32]"i"(bpf_get_prandom_u32));
}
