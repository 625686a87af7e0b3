// __arena globals (section .addr_space.1, which libbpf 1.1 cannot open by itself) keep their initial
// values, are shared by the programs of one object, and every reference is relocated into the arena.
// RUN: %clang19 -g -O2 -target bpf -idirafter /usr/include/x86_64-linux-gnu -c %s -o %t.o
// RUN: llvm-readelf -S %t.o | FileCheck %s --check-prefix=ELF
// ELF: .addr_space.1
// RUN: %each-backend %arena run %t.o --json -- %s
// CHECK: {"prog":"bump","backend":"{{.*}}","retval":15,
// CHECK-NEXT: {"prog":"sum","backend":"{{.*}}","retval":25,
// CHECK-NEXT: {"prog":"again","backend":"{{.*}}","retval":115,
#include "Inputs/plain_arena.h"

struct {
	__uint(type, ARENA_MAP_TYPE);
	__uint(map_flags, ARENA_F_MMAPABLE);
	__uint(max_entries, 4);
} arena SEC(".maps");

int __arena counter = 5;
int __arena table[4] = { 1, 2, 3, 4 };

SEC("syscall") int bump(void *ctx)
{
	counter += 10;
	return counter;
}

/* Runs after bump and sees its store: 1 + 2 + 3 + (4 + 15). */
SEC("syscall") int sum(void *ctx)
{
	int s = 0;

	table[3] += counter;
	for (int i = 0; i < 4; i++)
		s += table[i];
	return s;
}

SEC("syscall") int again(void *ctx)
{
	counter += 100;
	return counter;
}
