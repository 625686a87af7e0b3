/* What a user outside the project writes: libbpf's bpf_helpers.h and their own arena definitions, no
 * project header. Constants are the kernel's (ARENA.md). */
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

#define __arena __attribute__((address_space(1)))
#define ARENA_MAP_TYPE 33
#define ARENA_F_MMAPABLE (1u << 10)
#define ARENA_F_SEGV_ON_FAULT (1u << 17)
#define ARENA_F_NO_USER_CONV (1u << 18)

extern void __arena *bpf_arena_alloc_pages(void *map, void __arena *addr, __u32 page_cnt, int node_id,
					   __u64 flags) __ksym;
extern void bpf_arena_free_pages(void *map, void __arena *ptr, __u32 page_cnt) __ksym;

char _license[] SEC("license") = "GPL";
