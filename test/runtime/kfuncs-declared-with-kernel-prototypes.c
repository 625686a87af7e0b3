// The three arena kfuncs of the running kernel are declared with its prototypes (void __arena * pointers;
// clang-19 does not write address_space into BTF, so the object's prototypes are plain pointers, which
// libbpf's compatibility check accepts), libbpf resolves them against the kernel's BTF, and
// they behave as the kernel documents: alloc at a hint, free (the page reads 0 afterwards), reserve (a
// reserved page is never handed out; reserving an allocated page fails with -EBUSY).
// REQUIRES: clang-19, clang-14, kernel-arena
// RUN: %clang19 %bpf_cflags -mcpu=v3 -c %s -o %t19.o
// RUN: %clang14 %bpf_cflags -mcpu=v3 -c %s -o %t14.o
// RUN: bpftool btf dump file %t19.o | FileCheck %s --check-prefix=BTF
// RUN: bpftool btf dump file %t14.o | FileCheck %s --check-prefix=BTF
// RUN: %each-backend %arena run %t19.o --json -- %s --check-prefix=RESULT
// RUN: %each-backend %arena run %t14.o --json -- %s --check-prefix=RESULT

// BTF-DAG: FUNC 'bpf_arena_alloc_pages' type_id={{[0-9]+}} linkage=extern
// BTF-DAG: FUNC 'bpf_arena_free_pages' type_id={{[0-9]+}} linkage=extern
// BTF-DAG: FUNC 'bpf_arena_reserve_pages' type_id={{[0-9]+}} linkage=extern
// BTF-DAG: FUNC_PROTO '(anon)' ret_type_id={{[0-9]+}} vlen=5

// RESULT: {"prog":"alloc_at_hint",{{.*}}"retval":{{ ?}}1{{[,}]}}
// RESULT: {"prog":"free_then_read",{{.*}}"retval":{{ ?}}1{{[,}]}}
// RESULT: {"prog":"reserve",{{.*}}"retval":{{ ?}}-16{{[,}]}}

#include <bpf_arena.h>

BPF_ARENA_MAP(arena, 8, 0);

static __u64 base;

SEC("syscall")
int alloc_at_hint(void *ctx)
{
	__u64 __arena *p = bpf_arena_alloc_pages(&arena, NULL, 1, NUMA_NO_NODE, 0);
	__u64 __arena *q;

	if (!p)
		return -1;
	base = (__u64)p;
	q = bpf_arena_alloc_pages(&arena, (void __arena *)(base + 3 * 4096), 1, NUMA_NO_NODE, 0);
	if ((__u64)q != base + 3 * 4096)
		return -2;
	cast_kern(q);
	*q = 42;
	if (bpf_arena_alloc_pages(&arena, (void __arena *)(base + 3 * 4096), 1, NUMA_NO_NODE, 0))
		return -3; /* taken */
	return 1;
}

SEC("syscall")
int free_then_read(void *ctx)
{
	__u64 __arena *q = (__u64 __arena *)(base + 3 * 4096);
	__u64 __arena *k = q;

	cast_kern(k);
	if (*k != 42)
		return -1;
	bpf_arena_free_pages(&arena, q, 1);
	if (*k != 0)
		return -2; /* an absent page reads 0 */
	q = bpf_arena_alloc_pages(&arena, q, 1, NUMA_NO_NODE, 0);
	if ((__u64)q != base + 3 * 4096)
		return -3;
	k = q;
	cast_kern(k);
	return *k == 0; /* and comes back zeroed */
}

SEC("syscall")
int reserve(void *ctx)
{
	void __arena *r = (void __arena *)(base + 5 * 4096);
	int err;

	err = bpf_arena_reserve_pages(&arena, r, 1);
	if (err)
		return -100 + err;
	if (bpf_arena_alloc_pages(&arena, r, 1, NUMA_NO_NODE, 0))
		return -200;
	/* The first page is allocated: reserving it fails. */
	return bpf_arena_reserve_pages(&arena, (void __arena *)base, 1);
}

char _license[] SEC("license") = "GPL";
