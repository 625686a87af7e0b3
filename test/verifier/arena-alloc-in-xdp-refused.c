// The arena page kfuncs are sleepable on this kernel: an XDP program may not call them.
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend --expect-fail %arena verify %t.o -- %s
// CHECK: program must be sleepable to call sleepable kfunc bpf_arena_alloc_pages
#include "vcommon.h"

ARENA_MAP(arena, 0);
SEC("xdp")
int prog(struct xdp_md *ctx)
{
	__u64 __arena *p = bpf_arena_alloc_pages(&arena, NULL, 1, -1, 0);
	if (p)
		*p += 1;
	return XDP_PASS;
}
