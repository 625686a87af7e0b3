// --repeat runs xdp programs N times (on a zeroed 64-byte packet) and reports the mean duration; syscall
// programs refuse repeat in the kernel, so they run once whatever --repeat says.
// RUN: %clang19 -g -O2 -target bpf -idirafter /usr/include/x86_64-linux-gnu -c %s -o %t.o
// RUN: %each-backend %arena run %t.o --repeat 1000 --json -- %s
// CHECK: {"prog":"count_packets","backend":"{{.*}}","retval":2,"duration_ns":{{[0-9]+}}}
// CHECK-NEXT: {"prog":"count_calls","backend":"{{.*}}","retval":1,
// CHECK-NEXT: {"prog":"report","backend":"{{.*}}","retval":1000,
#include "Inputs/plain_arena.h"
#include <linux/bpf.h>

struct {
	__uint(type, ARENA_MAP_TYPE);
	__uint(map_flags, ARENA_F_MMAPABLE);
	__uint(max_entries, 1);
} arena SEC(".maps");

int __arena packets;
int __arena calls;

SEC("xdp") int count_packets(struct xdp_md *ctx)
{
	/* The packet is the zeroed 64 bytes the runner passes in. */
	if (ctx->data_end - ctx->data != 64)
		return XDP_ABORTED;
	packets++;
	return XDP_PASS;
}

SEC("syscall") int count_calls(void *ctx)
{
	return ++calls;
}

SEC("syscall") int report(void *ctx)
{
	return packets;
}
