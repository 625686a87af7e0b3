// can_loop and cond_break are the only bound of these loops: the verifier accepts them only because the
// may_goto exit edge is real, and the programs end once the kernel's budget is spent. Both compilers must
// encode may_goto identically (clang-19 assembles the mnemonic, clang-14 gets it as bytes with the offset
// computed by the assembler from the loop's exit label). The iteration count depends on the kernel's
// budget (time-based on 6.18), so the programs report whether the loop ran more than 1000 times. The
// count is compared after a round trip through a global: compared directly, the verifier would track it
// exactly through every iteration it explores and never prune (1M-instruction limit).
// REQUIRES: clang-19, clang-14, kernel-arena
// RUN: %clang19 %bpf_cflags -mcpu=v3 -c %s -o %t19.o
// RUN: %clang14 %bpf_cflags -mcpu=v3 -c %s -o %t14.o
// RUN: %objdump -d %t19.o | FileCheck %s --check-prefix=INSN
// RUN: %objdump -d %t14.o | FileCheck %s --check-prefix=INSN
// clang-19 below -mcpu=v2 does not define __BPF_FEATURE_MAY_GOTO: the byte encoding, LLVM 19's assembler.
// RUN: %clang19 %bpf_cflags -mcpu=v1 -c %s -o %t19v1.o
// RUN: %objdump -d %t19v1.o | FileCheck %s --check-prefix=INSN
// RUN: %each-backend %arena run %t19.o --json -- %s --check-prefix=RESULT
// RUN: %each-backend %arena run %t14.o --json -- %s --check-prefix=RESULT

// may_goto: opcode e5, registers 0, off +2 (over the body and the back edge), imm 0.
// INSN-LABEL: <count_with_can_loop>:
// INSN: e5 00 02 00 00 00 00 00 may_goto +0x2
// INSN-NEXT: {{r[0-9]}} += 0x1
// INSN-NEXT: goto -0x3
// INSN-LABEL: <count_with_cond_break>:
// INSN: e5 00 02 00 00 00 00 00 may_goto +0x2
// INSN-NEXT: {{r[0-9]}} += 0x1
// INSN-NEXT: goto -0x3

// RESULT: {"prog":"count_with_can_loop",{{.*}}"retval":{{ ?}}1{{[,}]}}
// RESULT: {"prog":"count_with_cond_break",{{.*}}"retval":{{ ?}}1{{[,}]}}

#include <bpf_arena.h>

static volatile __u64 iterations;

SEC("syscall")
int count_with_can_loop(void *ctx)
{
	__u64 n = 0;

	while (can_loop)
		n++;
	iterations = n;
	return iterations > 1000;
}

SEC("syscall")
int count_with_cond_break(void *ctx)
{
	__u64 n = 0;

	for (;;) {
		cond_break;
		n++;
	}
	iterations = n;
	return iterations > 1000;
}

char _license[] SEC("license") = "GPL";
