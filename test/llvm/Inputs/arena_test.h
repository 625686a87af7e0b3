/* Self-contained declarations for the lowering tests: no system or project header, so these tests depend
 * only on the compilers and on arena-lower. __arena is address_space(1) on both compilers (clang-14 gets
 * -D__BPF_FEATURE_ADDR_SPACE_CAST from the driver recipe and the lowering does the rest). */
#ifndef ARENA_TEST_H
#define ARENA_TEST_H

typedef unsigned char __u8;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef long long __s64;

#define __arena __attribute__((address_space(1)))
#define SEC(name) __attribute__((section(name), used))
#define __uint(name, val) int(*name)[val]
#define __ksym __attribute__((section(".ksyms")))
#define NULL ((void *)0)

#define ARENA_MAP_TYPE 33        /* BPF_MAP_TYPE_ARENA */
#define ARENA_F_MMAPABLE (1 << 10)

#define ARENA_MAP(name, pages)                          \
	struct {                                        \
		__uint(type, ARENA_MAP_TYPE);           \
		__uint(map_flags, ARENA_F_MMAPABLE);    \
		__uint(max_entries, pages);             \
	} name SEC(".maps")

extern void __arena *bpf_arena_alloc_pages(void *map, void __arena *addr, __u32 page_cnt, int node_id,
					   __u64 flags) __ksym;
extern void bpf_arena_free_pages(void *map, void __arena *ptr, __u32 page_cnt) __ksym;

char _license[] SEC("license") = "GPL";

#endif
