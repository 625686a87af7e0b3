// XDP reads of the packet after a data_end check are accepted.
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend %arena verify %t.o -- %s
// CHECK: processed {{[0-9]+}} insns
#include "vcommon.h"

SEC("xdp")
int prog(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	if (data + 14 > end)
		return XDP_DROP;
	return data[12] == 8 ? XDP_PASS : XDP_DROP;
}
