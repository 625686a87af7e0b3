// A may_goto loop head still being explored prunes only by range-within: an imprecise counter that
// differs from the previous iteration's is not "equal". Here the counter r6 decides nothing on the
// path explored first (the loop body), and only the queued side path `if r6 != 5` needs its value;
// pruning the second iteration because r6 was imprecise (as ours once did) would accept the scalar
// dereference reached when r6 == 5. The kernel widens r6 to unknown and finds it.
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend --expect-fail %arena verify %t.o -- %s
// CHECK: R6 invalid mem access 'scalar'
#include "vcommon.h"

SEC("syscall")
NAKED int prog(void)
{
	asm volatile(
		"r6 = 0\n"
		"1:\n"
		"may_goto 3f\n"
		"call %[rnd]\n"
		"if r0 == 0 goto 2f\n"
		"r6 += 1\n"
		"goto 1b\n"
		"2:\n"
		"if r6 != 5 goto 3f\n"
		"r0 = *(u64 *)(r6 + 0)\n"
		"3:\n"
		"r0 = 0\n"
		"exit\n"
		:: [rnd]"i"(bpf_get_prandom_u32));
}
