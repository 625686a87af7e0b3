// bpf_arena_alloc_pages places like the kernel's range tree: a freed one-page hole is reused before the
// tail (best fit), a hint gets exactly its page or NULL, reserved pages are never handed out (-EBUSY on
// a second reservation), and freeing reserved pages makes them allocatable. Results are page indexes.
// RUN: %clang19 -g -O2 -target bpf -idirafter /usr/include/x86_64-linux-gnu -c %s -o %t.o
// RUN: %each-backend %arena run %t.o --json -- %s
// CHECK: {"prog":"placement","backend":"{{.*}}","retval":123,
// CHECK-NEXT: {"prog":"reservation","backend":"{{.*}}","retval":1,
#include "Inputs/arena.h"

#define PAGE 4096

static int page_of(void __arena *p, void __arena *base)
{
	return p ? (int)((unsigned long)((char __arena *)p - (char __arena *)base) >> 12) : -1;
}

/* Pages 0, 1, 2; free 1; the next single page is 1 again (hole), then a two-page run goes to 3..4.
 * Encoded as 100 * (hole reused) + 10 * (run at 3) + (hinted page 9 exact, again NULL). */
SEC("syscall") int placement(void *ctx)
{
	void __arena *a = bpf_arena_alloc_pages(&arena, NULL, 1, -1, 0);
	void __arena *b = bpf_arena_alloc_pages(&arena, NULL, 1, -1, 0);
	void __arena *c = bpf_arena_alloc_pages(&arena, NULL, 1, -1, 0);
	void __arena *d, *e, *h, *h2;
	int r = 0;

	if (!a || !b || !c)
		return -1;
	bpf_arena_free_pages(&arena, b, 1);
	d = bpf_arena_alloc_pages(&arena, NULL, 1, -1, 0);
	e = bpf_arena_alloc_pages(&arena, NULL, 2, -1, 0);
	h = bpf_arena_alloc_pages(&arena, (char __arena *)a + 9 * PAGE, 1, -1, 0);
	h2 = bpf_arena_alloc_pages(&arena, (char __arena *)a + 9 * PAGE, 1, -1, 0);
	if (page_of(d, a) == 1)
		r += 100;
	if (page_of(e, a) == 3)
		r += 20;
	if (page_of(h, a) == 9 && !h2)
		r += 3;
	return r;
}

/* Reserve 2 free pages; the hint there fails; reserving again is -EBUSY; after free it works. */
SEC("syscall") int reservation(void *ctx)
{
	void __arena *base = bpf_arena_alloc_pages(&arena, NULL, 1, -1, 0);
	char __arena *at;
	int err;

	if (!base)
		return -1;
	at = (char __arena *)base + 15 * PAGE; /* base is page 5 after placement(): at is page 20, free */
	if (bpf_arena_reserve_pages(&arena, at, 2))
		return -2;
	if (bpf_arena_alloc_pages(&arena, at, 1, -1, 0))
		return -3;
	err = bpf_arena_reserve_pages(&arena, at + PAGE, 1);
	if (err != -16)
		return -4;
	bpf_arena_free_pages(&arena, at, 2);
	return bpf_arena_alloc_pages(&arena, at + PAGE, 1, -1, 0) != NULL;
}
