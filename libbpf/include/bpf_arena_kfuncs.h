/* bpf_arena_kfuncs.h: the arena kfuncs of the running kernel (6.18), with the kernel's prototypes.
 *
 * Read off the kernel BTF (`bpftool btf dump file /sys/kernel/btf/vmlinux`): the FUNCs carrying the
 * `bpf_kfunc` decl tag are bpf_arena_alloc_pages, bpf_arena_free_pages and bpf_arena_reserve_pages; their
 * arena pointers (parameters and return value) are `void *` under a TYPE_TAG 'address_space(1)', which is
 * what __arena spells in native mode (clang-19 does not write that tag into the object's BTF; libbpf's
 * prototype check compares shapes and accepts plain pointers, as in explicit mode). bpf_arena_get_kern_vm_start
 * and bpf_arena_get_user_vm_start are in the BTF too but carry no bpf_kfunc tag: they are internal helpers of
 * the verifier and JITs, not callable from programs.
 *
 * The kernel's parameter suffixes (p__map, addr__ign) only matter in the kernel's own BTF. Declarations are
 * weak so an object that only declares them opens on a kernel lacking one (reserve_pages is recent); a
 * program that calls a kfunc the kernel lacks does not load.
 */
#ifndef BPF_ARENA_KFUNCS_H
#define BPF_ARENA_KFUNCS_H

#ifndef NUMA_NO_NODE
#define NUMA_NO_NODE (-1)
#endif

/* Allocate page_cnt zeroed pages (at addr when addr is non-NULL and free, else anywhere); returns the
 * user-form address of the first one, or NULL when the arena has no room. flags must be 0. */
extern void __arena *bpf_arena_alloc_pages(void *map, void __arena *addr, __u32 page_cnt, int node_id,
					   __u64 flags) __ksym __weak;

/* Free page_cnt pages starting at ptr (user or kernel form); later reads there give 0. */
extern void bpf_arena_free_pages(void *map, void __arena *ptr, __u32 page_cnt) __ksym __weak;

/* Reserve page_cnt pages at ptr so bpf_arena_alloc_pages never hands them out; 0 or negative errno
 * (-EBUSY when a page in the range is already allocated or reserved). */
extern int bpf_arena_reserve_pages(void *map, void __arena *ptr, __u32 page_cnt) __ksym __weak;

#endif /* BPF_ARENA_KFUNCS_H */
