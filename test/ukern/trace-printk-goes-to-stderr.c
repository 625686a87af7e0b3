// On the user backend bpf_printk writes to stderr (the kernel writes to trace_pipe), one line per call,
// with the kernel's conversions.
// REQUIRES: user-backend
// RUN: %clang19 -g -O2 -target bpf -idirafter /usr/include/x86_64-linux-gnu -c %s -o %t.o
// RUN: %arena run %t.o --backend user --engine interp 2>&1 | FileCheck %s
// CHECK-DAG: hello -5 7 abcdef
// CHECK-DAG: str xy c=Q
// CHECK-DAG: hello: retval 0
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

SEC("syscall") int hello(void *ctx)
{
	bpf_printk("hello %d %u %lx", -5, 7, 0xabcdefUL);
	bpf_printk("str %s c=%c", "xy", 'Q');
	return 0;
}

char _license[] SEC("license") = "GPL";
