/* Plain arena definitions for the ukern tests (constants are the kernel's, ARENA.md). */
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

#define __arena __attribute__((address_space(1)))

extern void __arena *bpf_arena_alloc_pages(void *map, void __arena *addr, __u32 page_cnt, int node_id,
					   __u64 flags) __ksym;
extern void bpf_arena_free_pages(void *map, void __arena *ptr, __u32 page_cnt) __ksym;
extern int bpf_arena_reserve_pages(void *map, void __arena *addr, __u32 page_cnt) __ksym;

struct {
	__uint(type, 33);           /* BPF_MAP_TYPE_ARENA */
	__uint(map_flags, 1u << 10); /* BPF_F_MMAPABLE */
	__uint(max_entries, 32);
} arena SEC(".maps");

char _license[] SEC("license") = "GPL";
