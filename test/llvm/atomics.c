// Atomics on arena memory (add, fetch_add, cmpxchg, xchg) go through the cast pointer like loads.
// REQUIRES: clang-14, clang-19
// RUN: %clang14 %bpf_cflags -mcpu=v3 -D__BPF_FEATURE_ADDR_SPACE_CAST -emit-llvm -c %s -o %t.bc
// RUN: %bindir/arena-lower %t.bc -o %t14.o --print-ir | FileCheck %s --check-prefix=IR
// RUN: %objdump -d --no-show-raw-insn --mcpu=v3 %t14.o | FileCheck %s --check-prefix=ASM
// RUN: %clang19 %bpf_cflags -mcpu=v3 -c %s -o %t19.o
// RUN: %objdump -d --no-show-raw-insn --mcpu=v3 %t19.o | FileCheck %s --check-prefix=ASM

// IR-LABEL: define internal {{.*}}@bump(%struct.counters addrspace(1)*
// IR-NEXT: %[[K:[^ ]+]] = call %struct.counters* asm "{{.*}}.long 1", "=r,r"(%struct.counters addrspace(1)* %0)
// IR-NOT: asm
// IR: atomicrmw add i64* %{{[0-9]+}}, i64 5 seq_cst
// IR: atomicrmw add i64* %{{[0-9]+}}, i64 3 seq_cst
// IR: cmpxchg i32* %{{[0-9]+}}, i32 0, i32 9 seq_cst
// IR: atomicrmw xchg i32* %{{[0-9]+}}, i32 4 seq_cst
// IR: ret i64

// ASM-LABEL: <bump>:
// ASM-NEXT: r[[P:[0-9]]] = addr_space_cast(r1, 0x0, 0x1)
// ASM-NOT: addr_space_cast
// ASM: lock *(u64 *)(r[[P]] + 0x0) += r
// ASM: = atomic_fetch_add((u64 *)(r[[P]] + 0x8), r
// ASM: = cmpxchg32_32(r[[P]] + 0x10, w0, w
// ASM: = xchg32_32(r[[P]] + 0x14, w
// ASM-NOT: addr_space_cast
// ASM: exit


#include "Inputs/arena_test.h"
ARENA_MAP(arena, 4);
struct counters { __u64 hits; __u64 seen; __u32 flag; __u32 pad; };

static __attribute__((noinline)) __u64 bump(struct counters __arena *c)
{
	__u64 old;

	__sync_fetch_and_add(&c->hits, 5);             /* result unused */
	old = __sync_fetch_and_add(&c->seen, 3);       /* fetching */
	old += __sync_val_compare_and_swap(&c->flag, 0, 9);
	old += __sync_lock_test_and_set(&c->pad, 4);   /* exchange */
	return old;
}

SEC("syscall")
int atomics(void *ctx)
{
	struct counters __arena *c = bpf_arena_alloc_pages(&arena, NULL, 1, -1, 0);
	__u64 r;

	if (!c)
		return -1;
	c->seen = 10;
	r = bump(c);
	/* 10 (old seen) + 0 (old flag) + 0 (old pad) = 10; then hits 5, seen 13, flag 9, pad 4 */
	return r * 1000 + c->hits + c->seen + c->flag + c->pad;
}
