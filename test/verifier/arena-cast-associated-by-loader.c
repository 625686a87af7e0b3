// A program that never names the arena map but casts into it: the project's loader binds the object's
// arena through fd_array/fd_array_cnt (kernel >= 6.14), so both backends must accept it. (Plain libbpf
// 1.1.2 does not bind it and the kernel then refuses with "... has an associated arena".)
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend %arena verify %t.o -- %s
// CHECK: processed {{[0-9]+}} insns
#include "vcommon.h"
ARENA_MAP(arena, 0);
SEC("xdp")
int prog(struct xdp_md *ctx)
{
	__u64 __arena *p = (__u64 __arena *)(unsigned long)(ctx->rx_queue_index * 8);
	*p += 1;
	return ((void *)&arena != 0) ? XDP_PASS : XDP_DROP;
}
