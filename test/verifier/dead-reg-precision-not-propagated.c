// A register that is dead at a checkpoint carries no precision into the paths pruned there.
// The first path reaches insn 3: with r7 precise (its known value decided a branch), though r7 is
// dead there. The second path runs a may_goto loop whose counter r1 is compared with an unknown r7
// and leaves it for 3:. Were r7's mark handed on at that pruning, `if r1 < r7` would make the
// counter precise, the loop head could never widen or prune it, and the loop would unroll up to the
// 1M budget (ours did: "BPF program is too large"). The kernel forgets dead registers in its
// checkpoints and accepts in a few dozen insns; so must we.
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend %arena verify %t.o -- %s
// CHECK: prog prog: verdict: accepted
// CHECK: processed {{[1-9][0-9]?[0-9]?}} insns
#include "vcommon.h"

SEC("syscall")
NAKED int prog(void)
{
	asm volatile(
		"call %[rnd]\n"
		"r6 = r0\n"
		"r7 = 1\n"
		"if r6 == 0 goto 2f\n"
		/* first path: r7 == 1 is decided by r7's value, so r7 is precise when it reaches 3: */
		"if r7 == 1 goto 1f\n"
		"r0 = 1\n"
		"1:\n"
		"r0 = 0\n"
		"r1 = 0\n"
		"r2 = 0\n"
		"r3 = 0\n"
		"r4 = 0\n"
		"if r6 != 0 goto 3f\n"
		"goto 3f\n"
		"2:\n"
		/* second path: a may_goto loop, counter in [0, 2^32), bound in [0, 2^33) */
		"call %[rnd]\n"
		"w7 = w0\n"
		"r7 <<= 1\n"
		"call %[rnd]\n"
		"w1 = w0\n"
		"4:\n"
		"may_goto 3f\n"
		"r1 += 1\n"
		"if r1 < r7 goto 4b\n"
		"3:\n"
		/* r7 is dead here: redefined before any read */
		"r7 = 0\n"
		"r0 = r7\n"
		"exit\n"
		:: [rnd]"i"(bpf_get_prandom_u32));
}
