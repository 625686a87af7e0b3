// The source's own inline assembly may use mnemonics LLVM 14's assembler lacks (here may_goto, written
// the clang-19 way). Emission fails with LLVM's message and a note on what to write instead; no object.
// REQUIRES: clang-14
// RUN: rm -f %t.o
// RUN: %clang14 %bpf_cflags -mcpu=v3 -D__BPF_FEATURE_ADDR_SPACE_CAST -emit-llvm -c %s -o %t.bc
// RUN: not %bindir/arena-lower %t.bc -o %t.o 2>&1 | FileCheck %s
// RUN: not test -e %t.o
// CHECK: arena-lower: error: LLVM 14 BPF backend: <inline asm>:1:2: invalid register/token name
// CHECK: may_goto
// CHECK: arena-lower: note: {{.*}}write can_loop / cond_break from bpf_arena.h

#define SEC(name) __attribute__((section(name), used))

SEC("syscall")
int loop(void *ctx)
{
	int n = 0;

	for (;;) {
		asm volatile goto("may_goto %l[out]" :::: out);
		n++;
	}
out:
	return n;
}

char _license[] SEC("license") = "GPL";
