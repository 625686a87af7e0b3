// BPF_ARENA_MAP refuses at compile time the fixed user addresses the kernel would refuse at map creation:
// not page aligned (kernel: -EINVAL) or a range crossing a 4 GiB boundary (kernel: -ERANGE), on both
// compilers. A valid address right below a 4 GiB boundary compiles.
// REQUIRES: clang-19, clang-14
// RUN: not %clang19 %bpf_cflags -DADDR=0x100000000800ULL -c %s -o %t.o 2>&1 | FileCheck %s --check-prefix=ALIGN
// RUN: not %clang14 %bpf_cflags -DADDR=0x100000000800ULL -c %s -o %t.o 2>&1 | FileCheck %s --check-prefix=ALIGN
// RUN: not %clang19 %bpf_cflags -DADDR=0xffffe000ULL -c %s -o %t.o 2>&1 | FileCheck %s --check-prefix=CROSS
// RUN: not %clang14 %bpf_cflags -DADDR=0xffffe000ULL -c %s -o %t.o 2>&1 | FileCheck %s --check-prefix=CROSS
// RUN: %clang19 %bpf_cflags -DADDR=0xffff8000ULL -c %s -o %t.o
// RUN: %clang14 %bpf_cflags -DADDR=0xffff8000ULL -c %s -o %t.o
// ALIGN: BPF_ARENA_MAP arena: the user address must be page aligned
// CROSS: BPF_ARENA_MAP arena: the arena must not cross a 4 GiB boundary

#include <bpf_arena.h>

BPF_ARENA_MAP(arena, 8, 0, ADDR);

char _license[] SEC("license") = "GPL";
