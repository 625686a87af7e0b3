// BPF_ARENA_MAP's fixed user address (map_extra) reaches the kernel intact for addresses above and below
// 2^32, from both compilers. The map definition carries `__uint(map_extra, addr)` only when addr fits in 32
// bits (0 otherwise: libbpf reads array dimensions as 32-bit, clang-14 truncates 64-bit enums); the full
// value is the companion __u64 `__arena_map_extra__<map>` in section .arena.map_extra, which the loader
// applies. The program checks that the arena's pages come back at addr. The dimension's array is of char:
// int[addr] is 4 GiB or more for addr >= 1 GiB, which the kernel's BTF checks refuse (libbpf then drops the
// object's BTF with only a warning).
// REQUIRES: clang-19, clang-14, kernel-arena
// RUN: %clang19 %bpf_cflags -mcpu=v3 -DADDR=0x100000000000ULL -c %s -o %t19hi.o
// RUN: %clang14 %bpf_cflags -mcpu=v3 -DADDR=0x100000000000ULL -c %s -o %t14hi.o
// RUN: %clang19 %bpf_cflags -mcpu=v3 -DADDR=0x40000000 -c %s -o %t19lo.o
// RUN: %clang14 %bpf_cflags -mcpu=v3 -DADDR=0x40000000 -c %s -o %t14lo.o

// The encoding, as every loader sees it.
// RUN: llvm-readelf -s %t14hi.o | FileCheck %s --check-prefix=SYM
// RUN: llvm-objdump -s -j .arena.map_extra %t14hi.o | FileCheck %s --check-prefix=HI-BYTES
// RUN: llvm-objdump -s -j .arena.map_extra %t19lo.o | FileCheck %s --check-prefix=LO-BYTES
// RUN: bpftool btf dump file %t14hi.o | FileCheck %s --check-prefix=HI-BTF
// RUN: bpftool btf dump file %t19lo.o | FileCheck %s --check-prefix=LO-BTF
// SYM: {{ 8 OBJECT +LOCAL +DEFAULT +[0-9]+ __arena_map_extra__arena$}}
// HI-BYTES: 0000 00000000 00100000
// LO-BYTES: 0000 00000040 00000000
// The map definition's members come in order, each type emitted just before the struct: the last array
// is map_extra's dimension.
// HI-BTF: ARRAY '(anon)' type_id={{[0-9]+}} index_type_id={{[0-9]+}} nr_elems=0
// HI-BTF-NEXT: STRUCT '(anon)' size=32 vlen=4
// HI-BTF: 'map_extra' type_id=
// LO-BTF: [[[C:[0-9]+]]] INT 'char' size=1
// LO-BTF-NEXT: ARRAY '(anon)' type_id=[[C]] index_type_id={{[0-9]+}} nr_elems=1073741824
// LO-BTF-NEXT: STRUCT '(anon)' size=32 vlen=4
// LO-BTF: 'map_extra' type_id=

// RUN: %each-backend %arena run %t19hi.o --json -- %s --check-prefix=RESULT
// RUN: %each-backend %arena run %t14hi.o --json -- %s --check-prefix=RESULT
// RUN: %each-backend %arena run %t19lo.o --json -- %s --check-prefix=RESULT
// RUN: %each-backend %arena run %t14lo.o --json -- %s --check-prefix=RESULT
// RESULT: {"prog":"pages_at_fixed_address",{{.*}}"retval":{{ ?}}1{{[,}]}}

#include <bpf_arena.h>

#define PAGES 8

BPF_ARENA_MAP(arena, PAGES, 0, ADDR);

__attribute__((noinline)) int in_arena(__u64 a)
{
	return a >= ADDR && a < ADDR + PAGES * 4096ULL;
}

SEC("syscall")
int pages_at_fixed_address(void *ctx)
{
	void __arena *p = bpf_arena_alloc_pages(&arena, NULL, 1, NUMA_NO_NODE, 0);

	if (!p)
		return -1;
	return in_arena((__u64)p) ? 1 : -2;
}

char _license[] SEC("license") = "GPL";
