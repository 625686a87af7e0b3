// __arena_global places a variable in the arena (section .addr_space.1) with its initial value, from both
// compilers. In explicit mode (clang-14) the variable's address is a user-form value like any other: take
// it, cast_kern it, dereference; naming the variable directly is native mode only (explicit mode gets
// "invalid mem access 'scalar'"). Programs run in order and share the arena.
// REQUIRES: clang-19, clang-14, kernel-arena
// RUN: %clang19 %bpf_cflags -mcpu=v3 -c %s -o %t19.o
// RUN: %clang14 %bpf_cflags -mcpu=v3 -c %s -o %t14.o
// RUN: llvm-readelf -S %t14.o | FileCheck %s --check-prefix=SEC
// RUN: llvm-readelf -S %t19.o | FileCheck %s --check-prefix=SEC
// RUN: %each-backend %arena run %t19.o --json -- %s --check-prefix=RESULT
// RUN: %each-backend %arena run %t14.o --json -- %s --check-prefix=RESULT

// SEC: .addr_space.1 PROGBITS
// RESULT: {"prog":"bump",{{.*}}"retval":{{ ?}}1006{{[,}]}}
// RESULT: {"prog":"bump_again",{{.*}}"retval":{{ ?}}1007{{[,}]}}

#include <bpf_arena.h>

BPF_ARENA_MAP(arena, 4, 0);

int __arena_global counter = 5;
__u64 __arena_global zeroed;

static __always_inline int bump_counter(void)
{
	int __arena *c = &counter;
	__u64 __arena *z = &zeroed;

	cast_kern(c);
	cast_kern(z);
	*c += 1;
	return *z * 1000 + 1000 + *c; /* zeroed reads 0 */
}

SEC("syscall")
int bump(void *ctx)
{
	return bump_counter();
}

SEC("syscall")
int bump_again(void *ctx)
{
	return bump_counter();
}

char _license[] SEC("license") = "GPL";
