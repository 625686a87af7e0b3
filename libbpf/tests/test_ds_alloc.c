/* unit-ds_alloc: the size-class allocator and the hash table's capacity rules, in user space alone.
 *
 * The heap runs over an anonymous mapping (ds_heap__attach_range), the same code BPF runs over the arena.
 * Checks: size classes cover every size once; under random churn no two live objects overlap, no object
 * is corrupted by another's writes, memory comes back zeroed, freed memory is reused (a freed object is
 * the next one handed out in its class, spans are split and reused); exhaustion returns NULL and the
 * heap recovers after a free; a fixed-capacity table refuses the insert past 3/4 with -ENOSPC and stays
 * intact; a growing table doubles; a table that cannot get memory to grow says -ENOMEM and stays intact.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "arena_ds.h"

static int failures;

#define CHECK(cond, ...)                                         \
	do {                                                     \
		if (!(cond)) {                                   \
			fprintf(stderr, "FAIL %s:%d: ", __func__, __LINE__); \
			fprintf(stderr, __VA_ARGS__);            \
			fputc('\n', stderr);                     \
			failures++;                              \
		}                                                \
	} while (0)

static void *region(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	return p;
}

static void test_classes(void)
{
	__u64 s, c, prev = 0;

	for (s = 1; s <= DS_SMALL_MAX; s++) {
		c = ds_size_class(s);
		CHECK(c < DS_NCLASSES, "size %llu -> class %llu", s, c);
		CHECK(ds_class_size(c) >= s, "size %llu in class %llu of %llu bytes", s, c, ds_class_size(c));
		CHECK(c == 0 || ds_class_size(c - 1) < s, "size %llu could use class %llu", s, c - 1);
		CHECK(ds_class_size(c) % 16 == 0, "class %llu not 16-byte multiple", c);
		CHECK(c >= prev, "classes not monotonic at %llu", s);
		prev = c;
	}
	printf("classes: %d classes cover 1..%llu bytes\n", DS_NCLASSES, DS_SMALL_MAX);
}

struct live {
	unsigned char *p;
	__u64 size;
	unsigned char tag;
};

static int cmp_live(const void *a, const void *b)
{
	const struct live *x = a, *y = b;

	return x->p < y->p ? -1 : x->p > y->p;
}

static void test_churn(void)
{
	enum { N = 2000, ROUNDS = 20000 };
	static struct ds_heap h;
	static struct live live[N], sorted[N];
	size_t size = 64 << 20, i;
	unsigned char *base = region(size);
	unsigned long long rng = 12345;
	int r, n = 0;

	CHECK(ds_heap__attach_range(&h, base, size) == 0, "attach");
	for (r = 0; r < ROUNDS; r++) {
		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		if (n < N && (n == 0 || rng % 3)) {
			__u64 sz = rng % 16 ? 1 + (rng >> 8) % DS_SMALL_MAX : DS_SMALL_MAX + (rng >> 8) % 20000;
			unsigned char *p = ds_alloc(&h, sz);
			__u64 j;

			CHECK(p, "alloc %llu failed", sz);
			if (!p)
				continue;
			for (j = 0; j < sz; j++)
				if (p[j]) {
					CHECK(0, "alloc %llu: byte %llu not zero", sz, j);
					break;
				}
			live[n] = (struct live){ p, sz, (unsigned char)(r | 1) };
			memset(p, live[n].tag, sz);
			n++;
		} else {
			int k = (rng >> 16) % n;
			__u64 j;

			for (j = 0; j < live[k].size; j++)
				if (live[k].p[j] != live[k].tag) {
					CHECK(0, "object %p (%llu bytes) overwritten at %llu", (void *)live[k].p, live[k].size, j);
					break;
				}
			ds_free(&h, live[k].p, live[k].size);
			live[k] = live[--n];
		}
	}
	memcpy(sorted, live, n * sizeof(live[0]));
	qsort(sorted, n, sizeof(sorted[0]), cmp_live);
	for (i = 1; i < (size_t)n; i++)
		CHECK(sorted[i - 1].p + sorted[i - 1].size <= sorted[i].p, "objects %p and %p overlap",
		      (void *)sorted[i - 1].p, (void *)sorted[i].p);
	for (i = 0; i < (size_t)n; i++)
		CHECK(sorted[i].p >= base && sorted[i].p + sorted[i].size <= base + size, "object outside the heap");
	CHECK(h.reuses > 0 && h.frees > 0, "no reuse (%llu frees, %llu reuses)", h.frees, h.reuses);
	printf("churn: %d rounds, %d live, %llu allocs, %llu frees, %llu reuses, %llu pages\n", ROUNDS, n,
	       h.allocs, h.frees, h.reuses, h.pages_user);
	munmap(base, size);
}

static void test_reuse_and_exhaustion(void)
{
	static struct ds_heap h;
	size_t size = 8 * DS_PAGE_SIZE;
	void *base = region(size), *a, *b, *span, *span2, *p;
	int count = 0;

	CHECK(ds_heap__attach_range(&h, base, size) == 0, "attach");
	a = ds_alloc(&h, 100);
	ds_free(&h, a, 100);
	b = ds_alloc(&h, 120); /* same class (128) */
	CHECK(a == b, "freed object %p not reused (got %p)", a, b);
	span = ds_alloc(&h, 3 * DS_PAGE_SIZE);
	CHECK(span && ((uintptr_t)span % DS_PAGE_SIZE) == 0, "span not page aligned");
	ds_free(&h, span, 3 * DS_PAGE_SIZE);
	span2 = ds_alloc(&h, DS_PAGE_SIZE + 1); /* 2 pages: split off the tail of the free 3-page span */
	CHECK(span2 == (char *)span + DS_PAGE_SIZE, "span not split from the freed one (%p vs %p)", span2, span);
	while ((p = ds_alloc(&h, 2048)))
		count++;
	CHECK(count > 0 && count < 16, "exhaustion after %d objects", count);
	CHECK(ds_alloc(&h, 2048) == NULL, "allocation past exhaustion succeeded");
	ds_free(&h, b, 120);
	CHECK(ds_alloc(&h, 128) == b, "heap did not recover after a free");
	printf("reuse: freed object and span reused; exhaustion after %d more 2 KiB objects returns NULL\n", count);
	munmap(base, size);
}

static void test_htab_capacity(void)
{
	static struct ds_heap h, small;
	size_t size = 16 << 20;
	void *base = region(size), *sbase;
	struct ds_htab *t;
	__u64 k, v;
	char why[256];
	int err, i;

	CHECK(ds_heap__attach_range(&h, base, size) == 0, "attach");
	/* fixed capacity: 8 slots hold 6 entries, the 7th is refused */
	t = ds_htab__new(&h, 8, 8);
	for (k = 1; k <= 6; k++)
		CHECK(ds_htab__update(&h, t, k, k * 10, DS_ANY) == 0, "insert %llu into fixed table", k);
	err = ds_htab__update(&h, t, 7, 70, DS_ANY);
	CHECK(err == -ENOSPC, "7th insert into an 8-slot fixed table: %d, expected -ENOSPC", err);
	CHECK(ds_htab__update(&h, t, 3, 33, DS_ANY) == 0, "update of an existing key in a full table");
	CHECK(t->count == 6 && t->mask == 7, "fixed table changed: count %llu capacity %llu", t->count, t->mask + 1);
	CHECK(!ds_htab__get(t, 3, &v) && v == 33, "lookup in full table");
	CHECK(ds_htab__check(ds_view__range(base, size), t, why, sizeof(why)) == 0, "%s", why);
	CHECK(ds_htab__delete(t, 2) == 0 && ds_htab__update(&h, t, 7, 70, DS_ANY) == 0, "insert after delete");
	printf("fixed: 8-slot table full at 6 entries (-ENOSPC), usable again after a delete\n");

	/* growth */
	t = ds_htab__new(&h, 8, 0);
	for (k = 1; k <= 1000; k++)
		CHECK(ds_htab__update(&h, t, k * 7919, k, DS_NOEXIST) == 0, "grow insert %llu", k);
	CHECK(t->mask + 1 == 2048, "1000 entries: capacity %llu, expected 2048", t->mask + 1);
	for (k = 1; k <= 1000; k++)
		CHECK(!ds_htab__get(t, k * 7919, &v) && v == k, "after growth: key %llu", k * 7919);
	CHECK(ds_htab__check(ds_view__range(base, size), t, why, sizeof(why)) == 0, "%s", why);
	printf("growth: 1000 entries in 2048 slots, all found\n");

	/* no memory to grow */
	sbase = region(4 * DS_PAGE_SIZE);
	CHECK(ds_heap__attach_range(&small, sbase, 4 * DS_PAGE_SIZE) == 0, "attach small");
	t = ds_htab__new(&small, 8, 0);
	for (i = 1, err = 0; i < 100000 && !err; i++)
		err = ds_htab__update(&small, t, i, i, DS_ANY);
	CHECK(err == -ENOMEM, "exhausted heap: %d, expected -ENOMEM", err);
	CHECK(t->count == (__u64)i - 2, "count %llu after %d inserts", t->count, i - 2);
	CHECK(ds_htab__check(ds_view__range(sbase, 4 * DS_PAGE_SIZE), t, why, sizeof(why)) == 0, "%s", why);
	for (k = 1; k < (__u64)i - 1; k++)
		CHECK(!ds_htab__get(t, k, &v) && v == k, "after -ENOMEM: key %llu", k);
	printf("enomem: growth refused at %llu entries, table intact\n", t->count);
	munmap(base, size);
	munmap(sbase, 4 * DS_PAGE_SIZE);
}

int main(void)
{
	test_classes();
	test_churn();
	test_reuse_and_exhaustion();
	test_htab_capacity();
	if (failures) {
		printf("FAILED: %d checks\n", failures);
		return 1;
	}
	printf("PASS\n");
	return 0;
}
