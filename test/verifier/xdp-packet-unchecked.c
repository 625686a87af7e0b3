// An XDP packet read without a data_end check is refused.
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend --expect-fail %arena verify %t.o -- %s
// CHECK: invalid access to packet
#include "vcommon.h"

SEC("xdp")
int prog(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	return data[12];
}
