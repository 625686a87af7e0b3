// An atomic on an absent arena page is skipped by the kernel's fault fixup, registers untouched: so a
// fetch_add "returns" its operand, an xchg the new value, a cmpxchg the expected value. The page stays
// absent (a later load reads 0).
// RUN: %clang19 -g -O2 -target bpf -idirafter /usr/include/x86_64-linux-gnu -c %s -o %t.o
// RUN: %each-backend %arena run %t.o --json -- %s
// CHECK: {"prog":"fetch_add_absent","backend":"{{.*}}","retval":5,
// CHECK-NEXT: {"prog":"xchg_absent","backend":"{{.*}}","retval":7,
// CHECK-NEXT: {"prog":"cmpxchg_absent","backend":"{{.*}}","retval":3,
// CHECK-NEXT: {"prog":"still_absent","backend":"{{.*}}","retval":0,
// CHECK-NEXT: {"prog":"present_fetch_add","backend":"{{.*}}","retval":15,
#include "Inputs/arena.h"

int __arena first = 1; /* page 0 is present; page 12 is never allocated */

static volatile long __arena *absent(void)
{
	return (volatile long __arena *)((char __arena *)&first + 12 * 4096 + 64);
}

SEC("syscall") int fetch_add_absent(void *ctx)
{
	return __sync_fetch_and_add(absent(), 5);
}

SEC("syscall") int xchg_absent(void *ctx)
{
	return __sync_lock_test_and_set(absent(), 7);
}

SEC("syscall") int cmpxchg_absent(void *ctx)
{
	return __sync_val_compare_and_swap(absent(), 3, 9);
}

SEC("syscall") int still_absent(void *ctx)
{
	return *absent();
}

SEC("syscall") int present_fetch_add(void *ctx)
{
	volatile long __arena *p = (volatile long __arena *)((char __arena *)&first + 64);

	*p = 10;
	__sync_fetch_and_add(p, 5);
	return *p;
}
