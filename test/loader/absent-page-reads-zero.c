// An access to an arena page nobody allocated does not fault the program: loads read 0, stores are dropped.
// RUN: %clang19 -g -O2 -target bpf -idirafter /usr/include/x86_64-linux-gnu -c %s -o %t.o
// RUN: %each-backend %arena run %t.o --json -- %s
// CHECK: {"prog":"load_absent","backend":"{{.*}}","retval":0,
// CHECK-NEXT: {"prog":"store_absent_then_load","backend":"{{.*}}","retval":0,
// CHECK-NEXT: {"prog":"present_page_works","backend":"{{.*}}","retval":77,
#include "Inputs/plain_arena.h"

struct {
	__uint(type, ARENA_MAP_TYPE);
	__uint(map_flags, ARENA_F_MMAPABLE);
	__uint(max_entries, 16);
} arena SEC(".maps");

int __arena first = 1;  /* page 0 is present (globals); page 9 is never allocated */

static volatile int __arena *far_page(void)
{
	return (volatile int __arena *)((char __arena *)&first + 9 * 4096 + 128);
}

SEC("syscall") int load_absent(void *ctx)
{
	return *far_page();
}

SEC("syscall") int store_absent_then_load(void *ctx)
{
	volatile int __arena *p = far_page();

	*p = 1234;
	return *p;
}

SEC("syscall") int present_page_works(void *ctx)
{
	volatile int __arena *p = (volatile int __arena *)((char __arena *)&first + 128);

	*p = 77;
	return *p;
}
