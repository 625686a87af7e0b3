// An XDP program that names its arena and reaches it through an address it computed (cast before the
// access) verifies.
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend %arena verify %t.o -- %s
// CHECK: processed {{[0-9]+}} insns
#include "vcommon.h"
ARENA_MAP(arena, 0);
SEC("xdp")
int prog(struct xdp_md *ctx)
{
	__u64 __arena *p = (__u64 __arena *)(unsigned long)(ctx->rx_queue_index * 8);
	/* name the arena map (ld_imm64) so the program is associated with it */
	asm volatile("r0 = %[arena] ll" ::[arena] "i"(&arena) : "r0");
	*p += 1;
	return XDP_PASS;
}
