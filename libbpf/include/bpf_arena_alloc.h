/* bpf_arena_alloc.h: a small page-fragment allocator for BPF programs, on top of bpf_arena_alloc_pages.
 *
 *   void __arena *bpf_arena_alloc(__u32 size);   // NULL when size is 0 or too big, or the arena is full
 *   void bpf_arena_free(void __arena *ptr);      // NULL is ignored; ptr in user or kernel form
 *
 * Include it after declaring the arena map; it allocates from the map named by BPF_ARENA_ALLOC_MAP
 * (default: `arena`). Pointers come back in user form, like bpf_arena_alloc_pages: in explicit-cast mode
 * cast_kern() them before dereferencing.
 *
 * Layout and invariants. Fragments are carved upwards from the start of the current page, 8-byte aligned;
 * the last 8 bytes of every page hold the number of live fragments on it. A fragment never crosses a page,
 * so the largest request is BPF_ARENA_ALLOC_MAX (4088 bytes); use bpf_arena_alloc_pages for more.
 *   - cur_page (user-form address, 0 = none) is the page being carved, cur_off the next free offset.
 *   - A page other than cur_page has a live count > 0: it was abandoned while in use, and it goes back to
 *     the kernel (bpf_arena_free_pages) when its count drops to 0, so a later bpf_arena_alloc_pages can hand
 *     it out again.
 *   - When cur_page's count drops to 0, carving restarts at its offset 0: the memory is reused in place.
 * Fresh pages are zeroed by the kernel; reused fragments are not.
 *
 * Concurrency: the state is two ordinary globals without locking; one program at a time may allocate or
 * free (as under BPF_PROG_TEST_RUN, or a single-CPU attach point). Freeing a pointer twice or one that did
 * not come from bpf_arena_alloc breaks the counts (a count already at 0 is left alone). The kernel form of
 * the arena's very first byte is 0, which bpf_arena_free takes for NULL: prefer user-form pointers.
 */
#ifndef BPF_ARENA_ALLOC_H
#define BPF_ARENA_ALLOC_H

#include "bpf_arena.h"

#ifndef BPF_ARENA_ALLOC_MAP
#define BPF_ARENA_ALLOC_MAP arena
#endif

#define BPF_ARENA_ALLOC_ALIGN 8u
#define BPF_ARENA_ALLOC_MAX (BPF_ARENA_PAGE_SIZE - 8u) /* the page's last 8 bytes are its live count */

static __u64 __bpf_arena_alloc_cur_page;
static __u32 __bpf_arena_alloc_cur_off;

/* The live-fragment counter of a page (its address in either form), ready to dereference. */
static __always_inline __u64 __arena *__bpf_arena_alloc_count(__u64 page)
{
	__u64 __arena *count = (__u64 __arena *)(page + BPF_ARENA_ALLOC_MAX);

	cast_kern(count);
	return count;
}

static __always_inline void __arena *bpf_arena_alloc(__u32 size)
{
	__u64 page = __bpf_arena_alloc_cur_page;
	__u32 off = __bpf_arena_alloc_cur_off;
	__u64 __arena *count;

	if (size == 0 || size > BPF_ARENA_ALLOC_MAX)
		return NULL;
	size = (size + BPF_ARENA_ALLOC_ALIGN - 1) & ~(BPF_ARENA_ALLOC_ALIGN - 1);
	if (!page || off + size > BPF_ARENA_ALLOC_MAX) {
		void __arena *fresh = bpf_arena_alloc_pages(&BPF_ARENA_ALLOC_MAP, NULL, 1, NUMA_NO_NODE, 0);

		if (!fresh)
			return NULL;
		page = (__u64)fresh;
		off = 0;
		__bpf_arena_alloc_cur_page = page;
	}
	count = __bpf_arena_alloc_count(page);
	*count += 1;
	__bpf_arena_alloc_cur_off = off + size;
	return (void __arena *)(page + off);
}

static __always_inline void bpf_arena_free(void __arena *ptr)
{
	__u64 page = (__u64)ptr & ~(__u64)(BPF_ARENA_PAGE_SIZE - 1);
	__u64 __arena *count;
	__u64 left;

	if (!ptr)
		return;
	count = __bpf_arena_alloc_count(page);
	left = *count;
	if (!left)
		return;
	*count = --left;
	if (left)
		return;
	/* Compare arena offsets: ptr may be in kernel form (cast_kern'd), cur_page is in user form. */
	if ((__u32)page == (__u32)__bpf_arena_alloc_cur_page) {
		__bpf_arena_alloc_cur_off = 0;
		return;
	}
	bpf_arena_free_pages(&BPF_ARENA_ALLOC_MAP, (void __arena *)page, 1);
}

#endif /* BPF_ARENA_ALLOC_H */
