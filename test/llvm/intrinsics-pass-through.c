// Intrinsics whose operands are not arena pointers pass through the lowering untouched, even when their
// values were loaded from arena memory: bswap, ctpop, abs, fshl (a rotate), and on stack buffers
// lifetime.start/end and a stack-to-stack memcpy. Only the loads get a cast; both compilers emit one
// cast per function and the same byte swap. (__builtin_expect is consumed by clang-14's -O2 pipeline.)
// REQUIRES: clang-14, clang-19
// RUN: %clang14 %bpf_cflags -mcpu=v3 -D__BPF_FEATURE_ADDR_SPACE_CAST -emit-llvm -c %s -o %t.bc
// RUN: %bindir/arena-lower %t.bc -o %t14.o --print-ir | FileCheck %s --check-prefix=IR
// RUN: %objdump -d --no-show-raw-insn --mcpu=v3 %t14.o | FileCheck %s --check-prefix=ASM
// RUN: %clang19 %bpf_cflags -mcpu=v3 -c %s -o %t19.o
// RUN: %objdump -d --no-show-raw-insn --mcpu=v3 %t19.o | FileCheck %s --check-prefix=ASM

// IR-LABEL: define internal {{.*}}@mix(i64 addrspace(1)*
// IR-NEXT: %[[K:[^ ]+]] = call i64* asm "{{.*}}.long 1", "=r,r"(i64 addrspace(1)* %0)
// IR-NOT: asm
// IR-DAG: call i64 @llvm.bswap.i64(i64 %
// IR-DAG: call i64 @llvm.ctpop.i64(i64 %
// IR-DAG: call i64 @llvm.abs.i64(i64 %{{[0-9]+}}, i1 true)
// IR-DAG: call i64 @llvm.fshl.i64(i64 %[[B:[0-9]+]], i64 %[[B]], i64 13)
// IR: ret i64

// IR-LABEL: define internal {{.*}}@copy_on_stack(i64 addrspace(1)*
// IR: call i64* asm "{{.*}}.long 1", "=r,r"(i64 addrspace(1)* %0)
// IR-NOT: asm
// IR: call void @llvm.lifetime.start.p0i8(i64 48, i8* nonnull %[[X:[0-9]+]])
// IR: call void @llvm.lifetime.start.p0i8(i64 48, i8* nonnull %[[Y:[0-9]+]])
// IR: call void @llvm.memcpy.p0i8.p0i8.i64(i8* {{.*}}%[[Y]], i8* {{.*}}%[[X]], i64 48, i1 false)
// IR: call void @llvm.lifetime.end.p0i8(i64 48, i8* nonnull %[[Y]])
// IR: call void @llvm.lifetime.end.p0i8(i64 48, i8* nonnull %[[X]])
// IR: ret i64

// ASM-LABEL: <mix>:
// ASM-NEXT: r2 = addr_space_cast(r1, 0x0, 0x1)
// ASM-NOT: addr_space_cast
// ASM: = be64 r
// ASM-NOT: addr_space_cast
// ASM: exit
// ASM-LABEL: <copy_on_stack>:
// ASM-NEXT: = addr_space_cast(r1, 0x0, 0x1)
// ASM-NOT: addr_space_cast
// ASM-NOT: call
// ASM: exit

#include "Inputs/arena_test.h"
ARENA_MAP(arena, 4);

struct blob { __u64 w[6]; };

static __attribute__((noinline)) __u64 mix(__u64 __arena *p)
{
	__u64 a = p[0], b = p[1];
	__s64 s = (__s64)p[2];
	__u64 r = 0;

	r += __builtin_bswap64(a);
	r += __builtin_popcountll(b);
	r += __builtin_llabs(s);
	r += (__s64)a > s ? a : (__u64)s;
	r += a < b ? a : b;
	r += (b << 13) | (b >> 51);
	if (__builtin_expect(a == 7, 0))
		r += 1000;
	return r;
}

/* The variable indices keep both buffers in memory, so the copy stays a stack-to-stack memcpy. */
static __attribute__((noinline)) __u64 copy_on_stack(__u64 __arena *p)
{
	struct blob x, y;
	int i;

	for (i = 0; i < 6; i++)
		x.w[i] = p[i] + i;
	x.w[p[5] & 3] = 7;
	__builtin_memcpy(&y, &x, sizeof(x));
	y.w[p[1] & 1] ^= p[5];
	return y.w[p[0] & 3] + y.w[5];
}

SEC("syscall")
int intrinsics(void *ctx)
{
	__u64 __arena *p = bpf_arena_alloc_pages(&arena, NULL, 1, -1, 0);

	if (!p)
		return -1;
	p[0] = 0x0102030405060708ull;
	p[1] = 0xff00ff00ull;
	p[2] = (__u64)-12345;
	p[5] = 99;
	return (int)(mix(p) ^ (mix(p) >> 32)) + (int)copy_on_stack(p);
}
