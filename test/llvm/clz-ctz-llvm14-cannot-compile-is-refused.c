// __builtin_clzll / __builtin_ctzll become llvm.ctlz / llvm.cttz, which LLVM 14's BPF backend cannot
// compile: its legalizer loops, growing memory until the process is killed or segfaults (plain
// `clang-14 -target bpf -O2 -c` does the same; not run here for that reason). The lowering passes the
// calls through untouched, as any intrinsic on non-arena values, also when the value comes from arena
// memory; emission then refuses each call at its source line, with exit status 1 and no object, instead
// of crashing. clang-19 compiles the same source.
// REQUIRES: clang-14, clang-19
// RUN: %clang14 %bpf_cflags -mcpu=v3 -D__BPF_FEATURE_ADDR_SPACE_CAST -emit-llvm -c %s -o %t.bc
// RUN: %bindir/arena-lower %t.bc --print-ir | FileCheck %s --check-prefix=IR
// RUN: rm -f %t14.o
// RUN: not %bindir/arena-lower %t.bc -o %t14.o 2>&1 | FileCheck %s --check-prefix=ERR --implicit-check-not=error:
// RUN: not ls %t14.o
// RUN: not %arena cc %s -o %t14cc.o --compiler clang-14 2>&1 | FileCheck %s --check-prefix=ERR
// RUN: %clang19 %bpf_cflags -mcpu=v3 -c %s -o %t19.o

// IR-LABEL: define {{.*}}@clz_plain(
// IR: call i64 @llvm.ctlz.i64(i64 %{{[0-9a-z.]+}}, i1 false)
// IR: call i64 @llvm.cttz.i64(i64 %{{[0-9a-z.]+}}, i1 false)
// IR-LABEL: define {{.*}}@clz_from_arena(
// IR: call {{.*}}* asm "{{.*}}.long 1", "=r,r"
// IR: call i64 @llvm.ctlz.i64(i64 %{{[0-9a-z.]+}}, i1 true)
// IR: call i64 @llvm.cttz.i64(i64 %{{[0-9a-z.]+}}, i1 true)

#include "Inputs/arena_test.h"
ARENA_MAP(arena, 4);

SEC("syscall")
int clz_plain(void *ctx)
{
	volatile __u64 x = 0x00f0000000001000ull;
	__u64 v = x;

	// ERR-DAG: clz-ctz-llvm14-cannot-compile-is-refused.c:[[@LINE+2]]:{{[0-9]+}}: error: LLVM 14's BPF backend cannot compile 'llvm.ctlz.i64' (__builtin_clz*): it crashes on it, as plain clang-14 -target bpf -c does; build with clang-19 (arena cc --compiler clang-19) or compute the bit count without the builtin
	// ERR-DAG: clz-ctz-llvm14-cannot-compile-is-refused.c:[[@LINE+1]]:{{[0-9]+}}: error: LLVM 14's BPF backend cannot compile 'llvm.cttz.i64' (__builtin_ctz*)
	return (v ? __builtin_clzll(v) : 64) * 100 + (v ? __builtin_ctzll(v) : 64);
}

SEC("syscall")
int clz_from_arena(void *ctx)
{
	__u64 __arena *p = bpf_arena_alloc_pages(&arena, NULL, 1, -1, 0);

	if (!p)
		return -1;
	p[0] = 0x00f0000000001000ull;
	p[1] = ((volatile __u64 __arena *)p)[0];
	// ERR-DAG: clz-ctz-llvm14-cannot-compile-is-refused.c:[[@LINE+2]]:{{[0-9]+}}: error: LLVM 14's BPF backend cannot compile 'llvm.ctlz.i64'
	// ERR-DAG: clz-ctz-llvm14-cannot-compile-is-refused.c:[[@LINE+1]]:{{[0-9]+}}: error: LLVM 14's BPF backend cannot compile 'llvm.cttz.i64'
	return __builtin_clzll(p[1]) * 100 + __builtin_ctzll(p[1]);
}
