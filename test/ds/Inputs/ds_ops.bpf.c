/* Executes batches of data-structure operations written by test_ds_ops.c into the arena (the same
 * dispatcher user space runs: libbpf/tests/test_ds_ops.h). One program per structure keeps each
 * program's verification small. */
#include <bpf_arena.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARENA);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 16384); /* 64 MiB */
} arena SEC(".maps");

#include "test_ds_ops.h"

struct ds_heap heap;
struct ds_test_roots roots;
struct ds_test_op __arena *ops;
__u32 nops;
__u64 ht_cap, ht_max, sk_seed;

SEC("syscall") int ds_init(void *ctx)
{
	roots.ht = ds_htab__new(&heap, ht_cap, ht_max);
	roots.sk = ds_skip__new(&heap, sk_seed);
	roots.sp = ds_sparse__new(&heap);
	roots.ls = ds_list__new(&heap);
	return roots.ht && roots.sk && roots.sp && roots.ls ? 0 : 1;
}

SEC("syscall") int ds_run_htab(void *ctx)
{
	ds_test_run(&heap, &roots, ops, nops, 1);
	return 0;
}

SEC("syscall") int ds_run_skip(void *ctx)
{
	ds_test_run(&heap, &roots, ops, nops, 2);
	return 0;
}

SEC("syscall") int ds_run_sparse(void *ctx)
{
	ds_test_run(&heap, &roots, ops, nops, 3);
	return 0;
}

SEC("syscall") int ds_run_list(void *ctx)
{
	ds_test_run(&heap, &roots, ops, nops, 4);
	return 0;
}

char _license[] SEC("license") = "GPL";
