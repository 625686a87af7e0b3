/* arena_ds/alloc.h: a size-class allocator over arena pages, shared by BPF and user space.
 *
 * This is the allocator the data structures use; bpf_arena.h's page-fragment allocator is the small
 * general-purpose one. Differences that matter here: objects are sorted into size classes with a free
 * list each, so a freed node is reused by the next allocation of its class (no fragmentation growth under
 * insert/delete churn); blocks larger than a class (hash-table slot arrays) are whole-page spans kept on
 * a first-fit span list; and either side of the arena can allocate, so user space can build structures a
 * BPF program then searches.
 *
 * Layout. `struct ds_heap` is the allocator's state. It lives in ordinary memory both sides see: a BPF
 * global (.bss, mmapped by libbpf; user space finds it with ds_obj__global()). Everything it points to
 * is in the arena.
 *   - small objects (<= DS_SMALL_MAX): 14 classes 16, 32, 48, 64, 96, ... 1536, 2048 bytes (a power of two
 *     and the 3/4 step between). A class carves whole pages front to back (bump[c] .. bump_end[c]); a
 *     freed object goes on free[c], linked through its first 8 bytes.
 *   - spans (> DS_SMALL_MAX): whole pages; a freed span goes on `spans` ({next, npages} in its first 16
 *     bytes); allocation takes the first span large enough, splitting off its tail. A class that needs a
 *     new page takes it the same way, so pages freed as spans come back as small objects too.
 * Memory is never given back to the kernel: a concurrent reader that follows a stale pointer must find
 * mapped memory (see common.h). Returned memory is zeroed (fresh pages are; reused memory is cleared).
 *
 * Where pages come from. BPF: bpf_arena_alloc_pages(&DS_ARENA_MAP, NULL, n, ...), which gives the lowest
 * free pages. User space (once ds_heap__attach() has told the heap where the arena is): pages taken from
 * the top of the arena downwards, each touched at once so that the kernel's fault handler marks it
 * allocated and no later bpf_arena_alloc_pages returns it. The two ends meet only when the arena is full;
 * user space also refuses to go below the highest page BPF was given (bpf_hi). User-side allocation
 * therefore needs an arena without BPF_F_SEGV_ON_FAULT.
 *
 * Frees are sized (ds_free(h, p, size) with the size given at allocation), as kernel slab caches do: no
 * per-object header, so a 16-byte node costs 16 bytes. Single writer: see common.h.
 *
 * BPF users declare the arena map before including this header; its name defaults to `arena`
 * (#define DS_ARENA_MAP before the include to change it).
 */
#ifndef ARENA_DS_ALLOC_H
#define ARENA_DS_ALLOC_H

#include "common.h"

#ifndef DS_ARENA_MAP
#define DS_ARENA_MAP arena
#endif

#define DS_NCLASSES 14
#define DS_CLASS_SLOTS 16 /* arrays indexed by class are padded to a power of two, see DS_CLS */
/* Every index into the class arrays is masked where it is used, not once when computed: a class number
 * kept in a register across a can_loop loop (the zeroing loop) may come out of the loop widened by the
 * verifier to an unknown value, and an unbounded index into a map value is refused. */
#define DS_CLS(c) ds_index(c, DS_CLASS_SLOTS)
#define DS_SMALL_MAX 2048ULL
#define DS_SPAN_MAX_PAGES (1ULL << 20)
#define DS_HEAP_MAGIC 0x70616568736461ULL /* "adsheap" */

struct ds_free_obj {
	struct ds_free_obj __arena *next;
};

struct ds_free_span {
	struct ds_free_span __arena *next;
	__u64 npages;
};

struct ds_heap {
	__u64 magic;                                /* DS_HEAP_MAGIC once used or attached */
	struct ds_free_obj __arena *free[DS_CLASS_SLOTS];
	char __arena *bump[DS_CLASS_SLOTS];            /* next uncarved byte of the class's current page */
	char __arena *bump_end[DS_CLASS_SLOTS];
	struct ds_free_span __arena *spans;
	/* page source */
	__u64 arena_lo, arena_hi;                   /* the arena's user range; 0 until user space attaches */
	__u64 user_lo;                              /* lowest page user space has taken (arena_hi at first) */
	__u64 user_floor;                           /* user pages stay at or above this */
	__u64 bpf_hi;                               /* end of the highest pages BPF was given */
	/* statistics (single writer: plain counters) */
	__u64 pages_bpf, pages_user;
	__u64 allocs, frees, reuses;
};

/* Class of a small size, 0..13: 16, 32, then 3<<(p-1) and 1<<(p+1) for p = 5..10. */
ds_inline __u32 ds_size_class(__u64 size)
{
	__u32 p;

	if (size <= 16)
		return 0;
	if (size <= 32)
		return 1;
	p = ds_fls64(size - 1) - 1; /* 2^p < size <= 2^(p+1), p >= 5 */
	if (size <= (3ULL << (p - 1)))
		return 2 * (p - 5) + 2;
	return 2 * (p - 5) + 3;
}

ds_inline __u64 ds_class_size(__u32 c)
{
	__u32 p;

	if (c == 0)
		return 16;
	if (c == 1)
		return 32;
	if (c & 1) {
		p = (c - 3) / 2 + 5;
		return 1ULL << (p + 1);
	}
	p = (c - 2) / 2 + 5;
	return 3ULL << (p - 1);
}

/* Fresh pages for the heap, zeroed, or NULL when the arena has none left. */
#ifdef __bpf__
ds_inline void __arena *ds_heap_pages(struct ds_heap *h, __u64 n)
{
	void __arena *p;
	__u64 end;

	p = bpf_arena_alloc_pages(&DS_ARENA_MAP, NULL, n, -1 /* NUMA_NO_NODE */, 0);
	if (!p)
		return NULL;
	end = (__u64)p + n * DS_PAGE_SIZE;
	if (end > h->bpf_hi)
		h->bpf_hi = end;
	h->pages_bpf += n;
	return p;
}
#else
static inline void *ds_heap_pages(struct ds_heap *h, __u64 n)
{
	__u64 lo, i;

	if (!h->arena_hi || n > (h->user_lo - h->user_floor) / DS_PAGE_SIZE)
		return NULL;
	lo = h->user_lo - n * DS_PAGE_SIZE;
	if (lo < h->bpf_hi)
		return NULL;
	/* Fault each page in now: from then on the kernel counts it allocated. */
	for (i = 0; i < n; i++)
		*(volatile __u64 *)(uintptr_t)(lo + i * DS_PAGE_SIZE) = 0;
	h->user_lo = lo;
	h->pages_user += n;
	return (void *)(uintptr_t)lo;
}
#endif

ds_inline void ds_zero(void __arena *p, __u64 size)
{
	__u64 __arena *w = (__u64 __arena *)p;
	__u64 i, n = ds_bound(size / 8);

	for (i = ds_unknown_zero(); i < n && can_loop; i++)
		ds_clear64(&w[i]);
}

/* n zeroed pages: the first free span large enough (split from its tail), else fresh pages. */
ds_inline void __arena *ds_take_pages(struct ds_heap *h, __u64 n, int *reused)
{
	struct ds_free_span __arena *s, *prev = NULL;
	char __arena *ret;
	__u32 guard;

	*reused = 0;
	s = h->spans;
	for (guard = 0; s && ds_guard(guard, DS_WALK_MAX);) {
		if (s->npages == n) {
			if (prev)
				prev->next = s->next;
			else
				h->spans = s->next;
			ret = (char __arena *)s;
			goto reuse;
		}
		if (s->npages > n) {
			s->npages -= n;
			ret = (char __arena *)s + s->npages * DS_PAGE_SIZE;
			goto reuse;
		}
		prev = s;
		s = s->next;
	}
	return ds_heap_pages(h, n);
reuse:
	ds_zero(ret, n * DS_PAGE_SIZE);
	*reused = 1;
	return ret;
}

ds_inline void __arena *ds_alloc_span(struct ds_heap *h, __u64 size)
{
	void __arena *ret;
	__u64 n = (size + DS_PAGE_SIZE - 1) / DS_PAGE_SIZE;
	int reused;

	if (n > DS_SPAN_MAX_PAGES)
		return NULL;
	ret = ds_take_pages(h, n, &reused);
	if (ret) {
		h->allocs++;
		h->reuses += reused;
	}
	return ret;
}

/* Zeroed memory for an object of `size` bytes (16-byte aligned; page aligned above DS_SMALL_MAX), or NULL
 * when the arena is exhausted. */
ds_inline void __arena *ds_alloc(struct ds_heap *h, __u64 size)
{
	struct ds_free_obj __arena *o;
	char __arena *p;
	__u64 csize;
	__u32 c;

	if (h->magic != DS_HEAP_MAGIC)
		h->magic = DS_HEAP_MAGIC;
	if (size > DS_SMALL_MAX)
		return ds_alloc_span(h, size);
	c = ds_index(ds_size_class(size), DS_CLASS_SLOTS);
	csize = ds_class_size(c);
	o = h->free[DS_CLS(c)];
	if (o) {
		h->free[DS_CLS(c)] = o->next;
		ds_zero(o, csize);
		h->allocs++;
		h->reuses++;
		return o;
	}
	p = h->bump[DS_CLS(c)];
	if (!p || p + csize > h->bump_end[DS_CLS(c)]) {
		int reused;

		p = ds_take_pages(h, 1, &reused); /* a freed span's page before a fresh one */
		if (!p)
			return NULL;
		h->bump_end[DS_CLS(c)] = p + DS_PAGE_SIZE;
	}
	h->bump[DS_CLS(c)] = p + csize;
	h->allocs++;
	return p;
}

/* Gives back an object from ds_alloc(h, size) (same size). NULL is ignored. */
ds_inline void ds_free(struct ds_heap *h, void __arena *p, __u64 size)
{
	struct ds_free_span __arena *s;
	struct ds_free_obj __arena *o;
	__u32 c;

	if (!p)
		return;
	h->frees++;
	if (size > DS_SMALL_MAX) {
		s = (struct ds_free_span __arena *)p;
		s->npages = (size + DS_PAGE_SIZE - 1) / DS_PAGE_SIZE;
		s->next = h->spans;
		h->spans = s;
		return;
	}
	c = ds_index(ds_size_class(size), DS_CLASS_SLOTS);
	o = (struct ds_free_obj __arena *)p;
	o->next = h->free[DS_CLS(c)];
	h->free[DS_CLS(c)] = o;
}

#endif /* ARENA_DS_ALLOC_H */
