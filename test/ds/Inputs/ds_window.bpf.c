/* The BPF writer of the concurrency test (libbpf/tests/test_ds_window.h): one run advances the window
 * `nsteps` times while user-space threads take snapshots.
 *
 * win_insert/win_delete are wrapped in global functions: the verifier checks a global function once, on
 * its own, and at each call knows only that it returns an int. Inlined, the eight structure operations
 * of a step multiply their paths (a key that may be 0, a free list that may be empty...) and the program
 * runs out of the verifier's budget under -mcpu=v3. */
#include <bpf_arena.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARENA);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 16384);
} arena SEC(".maps");

#include "test_ds_window.h"

struct ds_heap heap;
struct ds_test_roots roots;
struct win_state st;
__u64 nsteps;

__attribute__((noinline)) int win_insert_one(__u64 k)
{
	return win_insert(&heap, &roots, k);
}

__attribute__((noinline)) int win_delete_one(__u64 k)
{
	return win_delete(&heap, &roots, k);
}

SEC("syscall") int win_init(void *ctx)
{
	__u64 i;
	int err = 0;

	roots.ht = ds_htab__new(&heap, 64, 0);
	roots.sk = ds_skip__new(&heap, 42);
	roots.sp = ds_sparse__new(&heap);
	roots.ls = ds_list__new(&heap);
	if (!roots.ht || !roots.sk || !roots.sp || !roots.ls)
		return 1;
	st.filled = 0;
	for (i = 0; i < st.w && can_loop; i++) {
		err = win_insert_one(st.base + st.filled + 1);
		if (err)
			break;
		st.filled++;
	}
	st.err = err;
	return err ? 2 : 0;
}

SEC("syscall") int win_step(void *ctx)
{
	__u64 i;
	int err = 0;

	for (i = 0; i < nsteps && can_loop; i++) {
		err = win_insert_one(st.base + st.w + 1);
		if (!err)
			err = win_delete_one(st.base + 1);
		if (err)
			break;
		st.base++;
		st.steps_done++;
	}
	st.err = err;
	return err ? 3 : 0;
}

char _license[] SEC("license") = "GPL";
