/* Shared by the verifier corpus: section/map macros, the arena kfuncs, arena address-space helpers.
 * Works with the system libbpf headers (1.1.2) and clang-19. */
#ifndef VCOMMON_H
#define VCOMMON_H
/* No <linux/bpf.h>: it needs the host's <asm/types.h>, which -target bpf does not see. */
typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef signed char __s8;
typedef short __s16;
typedef int __s32;
typedef long long __s64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;
enum { BPF_MAP_TYPE_HASH = 1, BPF_MAP_TYPE_ARRAY = 2 };
enum { XDP_ABORTED = 0, XDP_DROP, XDP_PASS, XDP_TX };
struct xdp_md {
	__u32 data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex;
};
#include <bpf/bpf_helpers.h>
#include "bpf_arena_uapi.h"

#define __arena __attribute__((address_space(1)))
#define NAKED __attribute__((naked))

#define ARENA_MAP(name, flags)                                                                     \
	struct {                                                                                   \
		__uint(type, BPF_MAP_TYPE_ARENA);                                                  \
		__uint(map_flags, BPF_F_MMAPABLE | (flags));                                       \
		__uint(max_entries, 16);                                                           \
	} name SEC(".maps")

#define ARRAY_MAP(name, vtype, n)                                                                  \
	struct {                                                                                   \
		__uint(type, BPF_MAP_TYPE_ARRAY);                                                  \
		__uint(max_entries, n);                                                            \
		__type(key, __u32);                                                                \
		__type(value, vtype);                                                              \
	} name SEC(".maps")

void __arena *bpf_arena_alloc_pages(void *map, void __arena *addr, __u32 page_cnt, int node_id,
				    __u64 flags) __ksym;
void bpf_arena_free_pages(void *map, void __arena *ptr, __u32 page_cnt) __ksym;

#define can_loop ({ __label__ l_break, l_continue; int ret = 1;                                   \
	asm volatile goto("may_goto %l[l_break]" ::: : l_break);                                   \
	goto l_continue; l_break: ret = 0; l_continue:; ret; })

char _license[] SEC("license") = "GPL";
#endif
