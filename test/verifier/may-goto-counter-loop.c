// An unbounded counting loop with can_loop verifies: the counter stays imprecise and states prune.
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend %arena verify %t.o -- %s
// CHECK: processed {{[0-9]+}} insns
#include "vcommon.h"

SEC("syscall")
int prog(void *ctx)
{
	__u64 n = 0;
	while (can_loop)
		n += 3;
	return n;
}
