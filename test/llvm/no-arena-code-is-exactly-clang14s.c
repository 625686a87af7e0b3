// A program without arena pointers goes through arena-lower unchanged and LLVM 14's backend is configured
// as clang-14 configures it: the instructions are exactly those of `clang-14 -c`.
// REQUIRES: clang-14
// RUN: %clang14 %bpf_cflags -mcpu=v3 -c %s -o %t.direct.o
// RUN: %clang14 %bpf_cflags -mcpu=v3 -emit-llvm -c %s -o %t.bc
// RUN: %bindir/arena-lower %t.bc -o %t.lowered.o
// RUN: %objdump -d --mcpu=v3 %t.direct.o | tail -n +3 > %t.direct.s
// RUN: %objdump -d --mcpu=v3 %t.lowered.o | tail -n +3 > %t.lowered.s
// RUN: diff %t.direct.s %t.lowered.s
// RUN: FileCheck %s < %t.lowered.s
// CHECK: <count_odd>:
// CHECK-NOT: addr_space_cast
// CHECK: exit

#define SEC(name) __attribute__((section(name), used))

unsigned long long data[16];

SEC("syscall")
int count_odd(void *ctx)
{
	int n = 0;

	for (int i = 0; i < 16; i++)
		n += data[i] & 1;
	return n;
}

char _license[] SEC("license") = "GPL";
