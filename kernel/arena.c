/* BPF_MAP_TYPE_ARENA with the kernel's semantics (kernel/bpf/arena.c, range_tree.c), in user space.
 *
 * Memory layout. One memfd of max_entries pages holds the arena's contents (sparse: a page nobody touched
 * costs nothing). It is mapped twice:
 *   - the program side: a 4 GiB + 64 KiB PROT_NONE reservation; kern_vm_start is 32 KiB into it, and an
 *     access goes to kern_vm_start + (u32)ptr + off, so any s16 offset stays inside the reservation. The
 *     memfd sits at kern_vm_start + (u32)user_vm_start, as the kernel maps page pgoff at kern_vm_start +
 *     lower 32 bits of its user address;
 *   - the user side: at user_vm_start (map_extra, or chosen by the first mmap, never crossing a 4 GiB
 *     boundary), MAP_SHARED, so both sides see the same pages.
 * A page is present or absent. Absent pages hold zeros (freeing punches a hole in the memfd). On the user
 * side they are PROT_NONE (a user access faults the page in, or is a SIGSEGV). On the program side the whole
 * 4 GiB window is read-only anonymous memory (reads map the kernel's shared zero page, nothing is
 * allocated) and a present page is the memfd's page mapped read-write over it; freeing maps the zero memory
 * back *before* punching the hole, so no read ever touches a shmem hole (a read fault there would allocate
 * a page). So a program's load from an absent page reads 0 without faulting (the kernel needs a fault and a
 * fixup, ~1 us), while a store or an atomic still faults (write to a read-only page) and is dropped by the
 * JIT's exception table; the interpreter tests the present bitmap before a store. Only the 32 KiB guards
 * around the window stay PROT_NONE. Present pages carry the user's protection on the user side. The present bitmap is indexed by program-side window page ((u32)addr >> 12): the
 * interpreter tests it without a lock (bits flip only under the lock, after the mapping changed).
 *
 * Allocation state is the kernel's range tree of free page offsets, reproduced with its exact choices:
 * best fit by size, ties to the range (re)inserted last, first overlapping range cleared first. A range is
 * free, reserved (bpf_arena_reserve_pages: neither free nor present) or present.
 *
 * User faults. The user range is a fault region (fault.c): an access to an absent page gets a zeroed page
 * mapped on both sides and resumes, unless BPF_F_SEGV_ON_FAULT, where the fault stays a SIGSEGV. Every
 * state change happens under one mutex per arena, which the signal handler takes too: no code holding it
 * touches user arena memory, so it never deadlocks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "internal.h"

#define PAGE 4096ull
#define SZ_4G (1ull << 32)
#define GUARD_SZ (1ull << 16) /* covers every s16 insn offset; half on each side */
#define WINDOW_PAGES (SZ_4G / PAGE)

struct rnode {
	uint32_t start, last; /* inclusive, page offsets from user_vm_start */
	uint64_t seq;         /* order of (re)insertion: ties in best fit go to the latest */
};

struct arena_priv {
	pthread_mutex_t lock;
	char *resv;           /* the program-side reservation */
	char *kbase;          /* kern_vm_start */
	uint64_t user_start, user_end, size;
	uint32_t base_w;      /* window page of pgoff 0: (u32)user_start >> 12 */
	bool window_mapped, user_mapped;
	int user_prot;
	uint64_t *present, *umapped; /* bitmaps over window pages */
	uint64_t present_cnt;
	struct rnode *r;      /* free ranges sorted by start */
	uint32_t nr, capr;
	uint64_t seq;
	struct ukern_fault_region region;
	struct ukern_map *map;
	struct arena_priv *next_mapped; /* list of arenas with a user mapping */
};

/* Arenas with a user mapping. A MAP_FIXED mapping of one arena over another's range replaces it (the kernel
 * would close the old vma); we only learn of it here, and must then forget the old one's user side, or its
 * fault region and frees would act on the new mapping. */
static pthread_mutex_t mapped_lock = PTHREAD_MUTEX_INITIALIZER;
static struct arena_priv *mapped_list;

static void forget_overlapping_users(struct arena_priv *self, uint64_t start, uint64_t end)
{
	pthread_mutex_lock(&mapped_lock);
	for (struct arena_priv **l = &mapped_list; *l;) {
		struct arena_priv *o = *l;

		if (o != self && o->user_start < end && start < o->user_end) {
			pthread_mutex_lock(&o->lock);
			ukern_fault_unregister(&o->region);
			o->user_mapped = false;
			pthread_mutex_unlock(&o->lock);
			*l = o->next_mapped;
			continue;
		}
		l = &o->next_mapped;
	}
	pthread_mutex_unlock(&mapped_lock);
}

/* ---- range tree --------------------------------------------------------------------------------- */

/* Index of the first range overlapping [start, last], or -1. */
static long rt_first(struct arena_priv *a, uint32_t start, uint32_t last)
{
	uint32_t lo = 0, hi = a->nr;

	while (lo < hi) { /* first range whose last >= start */
		uint32_t mid = (lo + hi) / 2;

		if (a->r[mid].last < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < a->nr && a->r[lo].start <= last)
		return lo;
	return -1;
}

static int rt_insert(struct arena_priv *a, uint32_t start, uint32_t last)
{
	uint32_t i = 0;

	if (a->nr == a->capr) {
		uint32_t ncap = a->capr ? a->capr * 2 : 16;
		struct rnode *n = realloc(a->r, ncap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		a->r = n;
		a->capr = ncap;
	}
	while (i < a->nr && a->r[i].start < start)
		i++;
	memmove(&a->r[i + 1], &a->r[i], (a->nr - i) * sizeof(*a->r));
	a->r[i] = (struct rnode){ start, last, ++a->seq };
	a->nr++;
	return 0;
}

static void rt_remove(struct arena_priv *a, long i)
{
	memmove(&a->r[i], &a->r[i + 1], (a->nr - i - 1) * sizeof(*a->r));
	a->nr--;
}

static int rt_clear(struct arena_priv *a, uint32_t start, uint32_t len)
{
	uint32_t last = start + len - 1;
	long i;

	while ((i = rt_first(a, start, last)) >= 0) {
		struct rnode *n = &a->r[i];

		if (n->start < start && n->last > last) {
			uint32_t old_last = n->last;

			n->last = start - 1;
			n->seq = ++a->seq;
			if (rt_insert(a, last + 1, old_last))
				return -ENOMEM;
		} else if (n->start < start) {
			n->last = start - 1;
			n->seq = ++a->seq;
		} else if (n->last > last) {
			n->start = last + 1;
			n->seq = ++a->seq;
			break;
		} else {
			rt_remove(a, i);
		}
	}
	return 0;
}

static int rt_is_set(struct arena_priv *a, uint32_t start, uint32_t len)
{
	uint32_t last = start + len - 1;
	long i = rt_first(a, start, last);

	if (i >= 0 && a->r[i].start <= start && a->r[i].last >= last)
		return 0;
	return -ESRCH;
}

static int rt_set(struct arena_priv *a, uint32_t start, uint32_t len)
{
	uint32_t last = start + len - 1;
	long l, r;
	int err;

	if (!rt_is_set(a, start, len))
		return 0;
	err = rt_clear(a, start, len);
	if (err)
		return err;
	l = start ? rt_first(a, start - 1, start - 1) : -1;
	r = last != UINT32_MAX ? rt_first(a, last + 1, last + 1) : -1;
	if (l >= 0 && r >= 0) {
		a->r[l].last = a->r[r].last;
		a->r[l].seq = ++a->seq;
		rt_remove(a, r);
	} else if (l >= 0) {
		a->r[l].last = last;
		a->r[l].seq = ++a->seq;
	} else if (r >= 0) {
		a->r[r].start = start;
		a->r[r].seq = ++a->seq;
	} else {
		return rt_insert(a, start, last);
	}
	return 0;
}

static int64_t rt_find(struct arena_priv *a, uint32_t len)
{
	struct rnode *best = NULL;

	for (uint32_t i = 0; i < a->nr; i++) {
		struct rnode *n = &a->r[i];
		uint64_t sz = (uint64_t)n->last - n->start + 1, bsz;

		if (sz < len)
			continue;
		bsz = best ? (uint64_t)best->last - best->start + 1 : 0;
		if (!best || sz < bsz || (sz == bsz && n->seq > best->seq))
			best = n;
	}
	return best ? (int64_t)best->start : -ENOENT;
}

/* ---- page state ----------------------------------------------------------------------------------- */

static bool bit_test(const uint64_t *bm, uint32_t w)
{
	return (__atomic_load_n(&bm[w / 64], __ATOMIC_ACQUIRE) >> (w % 64)) & 1;
}

static void bit_set(uint64_t *bm, uint32_t w, bool on)
{
	if (on)
		__atomic_fetch_or(&bm[w / 64], 1ull << (w % 64), __ATOMIC_RELEASE);
	else
		__atomic_fetch_and(&bm[w / 64], ~(1ull << (w % 64)), __ATOMIC_RELEASE);
}

static char *kaddr_of(struct arena_priv *a, uint64_t pgoff)
{
	return a->kbase + ((uint64_t)a->base_w + pgoff) * PAGE;
}

static char *uaddr_of(struct arena_priv *a, uint64_t pgoff)
{
	return (char *)(uintptr_t)(a->user_start + pgoff * PAGE);
}

/* Read-only anonymous memory over [p, p+len) of the program-side window: reads give 0, writes fault. */
static int zero_map(void *p, uint64_t len)
{
	if (mmap(p, len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0) == MAP_FAILED)
		return -errno;
	return 0;
}

/* Makes [pgoff, pgoff+cnt) present (zeroed already: absent pages are holes). Lock held. */
static int pages_map(struct arena_priv *a, uint32_t pgoff, uint32_t cnt)
{
	if (mmap(kaddr_of(a, pgoff), (uint64_t)cnt * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 a->map->memfd, (off_t)pgoff * PAGE) == MAP_FAILED)
		return -errno;
	if (a->user_mapped)
		mprotect(uaddr_of(a, pgoff), (uint64_t)cnt * PAGE, a->user_prot);
	for (uint32_t i = 0; i < cnt; i++) {
		bit_set(a->present, a->base_w + pgoff + i, true);
		if (a->user_mapped)
			bit_set(a->umapped, a->base_w + pgoff + i, true);
	}
	a->present_cnt += cnt;
	return 0;
}

/* Makes one present page absent on both sides and drops its contents. Lock held. */
static void page_unmap(struct arena_priv *a, uint32_t pgoff)
{
	uint32_t w = a->base_w + pgoff;

	bit_set(a->present, w, false);
	bit_set(a->umapped, w, false);
	if (a->user_mapped)
		mprotect(uaddr_of(a, pgoff), PAGE, PROT_NONE);
	/* Zero memory back over the program side first: from now on reads there never reach the memfd. */
	zero_map(kaddr_of(a, pgoff), PAGE);
	fallocate(a->map->memfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)pgoff * PAGE, PAGE);
	a->present_cnt--;
}

/* Places the arena in the program-side window once user_vm_start is known: pages are mapped from the memfd
 * one range at a time as they become present (pages_map), the rest stays zero memory. Lock held. */
static int window_map(struct arena_priv *a)
{
	if (a->window_mapped)
		return 0;
	a->base_w = (uint32_t)a->user_start >> 12;
	a->window_mapped = true;
	return 0;
}

/* ---- user faults -------------------------------------------------------------------------------- */

static bool arena_user_fault(struct ukern_fault_region *region, void *uc, uintptr_t addr)
{
	struct arena_priv *a = region->priv;
	uint32_t pgoff = (addr - a->user_start) / PAGE, w;
	bool ok = false;

	pthread_mutex_lock(&a->lock);
	w = a->base_w + pgoff;
	if (bit_test(a->present, w)) {
		if (!bit_test(a->umapped, w)) {
			/* present but not yet in the user mapping: map it */
			if (!mprotect(uaddr_of(a, pgoff), PAGE, a->user_prot)) {
				bit_set(a->umapped, w, true);
				ok = true;
			}
		} else {
			/* Mapped already: another thread faulted it in meanwhile (retry), unless the mapping's
			 * protection forbids this access (x86 page-fault error code bit 1: a write). */
			bool write = ((ucontext_t *)uc)->uc_mcontext.gregs[REG_ERR] & 2;

			ok = write ? (a->user_prot & PROT_WRITE) : (a->user_prot & PROT_READ);
		}
	} else if (!(a->map->flags & BPF_F_SEGV_ON_FAULT)) {
		/* The kernel clears the page from the free ranges (a reserved page too) and maps a zeroed one. */
		if (!rt_clear(a, pgoff, 1) && !pages_map(a, pgoff, 1))
			ok = true;
	}
	pthread_mutex_unlock(&a->lock);
	return ok;
}

/* ---- map ops ------------------------------------------------------------------------------------- */

static int arena_alloc(struct ukern_map *map, const union bpf_attr *attr)
{
	const uint32_t allowed = BPF_F_MMAPABLE | BPF_F_SEGV_ON_FAULT | BPF_F_NO_USER_CONV;
	uint64_t range = (uint64_t)attr->max_entries * PAGE;
	struct arena_priv *a;
	int fd, err = -ENOMEM;

	if (attr->key_size || attr->value_size || !attr->max_entries || !(attr->map_flags & BPF_F_MMAPABLE) ||
	    (attr->map_flags & ~allowed))
		return -EINVAL;
	if (attr->map_extra & (PAGE - 1))
		return -EINVAL;
	if (range > SZ_4G)
		return -E2BIG;
	if ((attr->map_extra >> 32) != ((attr->map_extra + range - 1) >> 32))
		return -ERANGE;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->present = calloc(WINDOW_PAGES / 64, sizeof(uint64_t));
	a->umapped = calloc(WINDOW_PAGES / 64, sizeof(uint64_t));
	if (!a->present || !a->umapped)
		goto fail;
	a->resv = mmap(NULL, SZ_4G + GUARD_SZ, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (a->resv == MAP_FAILED) {
		err = -errno;
		goto fail;
	}
	a->kbase = a->resv + GUARD_SZ / 2;
	err = zero_map(a->kbase, SZ_4G);
	if (err)
		goto fail_unmap;
	err = -ENOMEM;
	fd = ukern_memfd_new(attr->map_name, range);
	if (fd < 0) {
		err = fd;
		goto fail_unmap;
	}
	pthread_mutex_init(&a->lock, NULL);
	a->map = map;
	a->size = range;
	map->memfd = fd;
	map->priv = a;
	map->own_start = (uintptr_t)a->resv;
	map->own_end = (uintptr_t)a->resv + SZ_4G + GUARD_SZ;
	if (rt_set(a, 0, attr->max_entries))
		goto fail_fd;
	if (attr->map_extra) {
		a->user_start = attr->map_extra;
		a->user_end = attr->map_extra + range;
		err = window_map(a);
		if (err)
			goto fail_fd;
	}
	return 0;
fail_fd:
	close(fd);
	map->memfd = -1;
	map->priv = NULL;
fail_unmap:
	munmap(a->resv, SZ_4G + GUARD_SZ);
fail:
	free(a->present);
	free(a->umapped);
	free(a->r);
	free(a);
	return err;
}

static void arena_free(struct ukern_map *map)
{
	struct arena_priv *a = map->priv;

	if (!a)
		return;
	if (a->user_mapped)
		ukern_fault_unregister(&a->region);
	munmap(a->resv, SZ_4G + GUARD_SZ);
	close(map->memfd);
	free(a->present);
	free(a->umapped);
	free(a->r);
	free(a);
}

static void *arena_lookup(struct ukern_map *map, const void *key)
{
	return NULL;
}

static int arena_update(struct ukern_map *map, const void *key, const void *value, uint64_t flags)
{
	return -EINVAL; /* the syscall refuses before reaching the map: value_size is 0 */
}

static int arena_delete(struct ukern_map *map, const void *key)
{
	return -EINVAL;
}

static int arena_get_next_key(struct ukern_map *map, const void *key, void *next_key)
{
	return -EOPNOTSUPP;
}

static int arena_direct_value_addr(struct ukern_map *map, uint32_t off, uint64_t *addr)
{
	struct arena_priv *a = map->priv;

	if ((uint64_t)off > a->user_end - a->user_start)
		return -ERANGE;
	*addr = a->user_start + off;
	return 0;
}

/* The kernel's arena_get_unmapped_area + arena_map_mmap. */
static void *arena_mmap(struct ukern_map *map, void *addr, size_t len, int prot, int flags, off_t off)
{
	struct arena_priv *a = map->priv;
	uint64_t want = (uintptr_t)addr, at;
	int err = 0;
	void *p;

	if (off) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	if (len > SZ_4G) {
		errno = E2BIG;
		return MAP_FAILED;
	}
	len = (len + PAGE - 1) & ~(PAGE - 1);
	pthread_mutex_lock(&a->lock);
	if (a->user_start) {
		if (len > a->user_end - a->user_start)
			err = E2BIG;
		else if (len != a->user_end - a->user_start || want != a->user_start)
			err = EINVAL;
		if (err)
			goto out_err;
		at = want;
	} else if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if ((want >> 32) != ((want + len - 1) >> 32)) {
			err = EINVAL; /* the kernel would move it; a fixed mapping cannot move */
			goto out_err;
		}
		at = want;
	} else {
		/* Twice the length, then the part that does not cross a 4 GiB boundary, as the kernel. */
		char *r = mmap(addr, 2 * len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

		if (r == MAP_FAILED) {
			err = errno;
			goto out_err;
		}
		at = (uintptr_t)r;
		if ((at >> 32) != ((at + len - 1) >> 32))
			at = (at + SZ_4G - 1) & ~(SZ_4G - 1);
		if (at > (uintptr_t)r)
			munmap(r, at - (uintptr_t)r);
		if ((uintptr_t)r + 2 * len > at + len)
			munmap((char *)(uintptr_t)(at + len), (uintptr_t)r + 2 * len - (at + len));
		flags |= MAP_FIXED;
	}
	if (a->user_start && a->user_end - a->user_start != len) {
		err = EBUSY;
		goto out_err;
	}
	p = mmap((void *)(uintptr_t)at, len, PROT_NONE, (flags & ~MAP_FIXED_NOREPLACE) | MAP_FIXED, map->memfd, 0);
	if (p == MAP_FAILED) {
		err = errno;
		goto out_err;
	}
	if (!a->user_start) {
		a->user_start = at;
		a->user_end = at + len;
		err = -window_map(a);
		if (err) {
			munmap(p, len);
			a->user_start = a->user_end = 0;
			goto out_err;
		}
	}
	a->user_prot = prot;
	forget_overlapping_users(a, at, at + len);
	if (!a->user_mapped) {
		a->region = (struct ukern_fault_region){ a->user_start, a->user_end, false, arena_user_fault, a };
		err = -ukern_fault_register(&a->region);
		if (err) {
			munmap(p, len);
			goto out_err;
		}
		a->user_mapped = true;
		pthread_mutex_lock(&mapped_lock);
		a->next_mapped = mapped_list;
		mapped_list = a;
		pthread_mutex_unlock(&mapped_lock);
	}
	/* Pages allocated before this mapping existed become visible now. */
	for (uint64_t pg = 0; pg < len / PAGE; pg++) {
		uint32_t w = a->base_w + pg;

		bit_set(a->umapped, w, false);
		if (bit_test(a->present, w) && !mprotect(uaddr_of(a, pg), PAGE, prot))
			bit_set(a->umapped, w, true);
	}
	pthread_mutex_unlock(&a->lock);
	return p;
out_err:
	pthread_mutex_unlock(&a->lock);
	errno = err;
	return MAP_FAILED;
}

const struct ukern_map_ops ukern_arena_map_ops = {
	.alloc = arena_alloc,
	.free = arena_free,
	.lookup = arena_lookup,
	.update = arena_update,
	.delete = arena_delete,
	.get_next_key = arena_get_next_key,
	.direct_value_addr = arena_direct_value_addr,
	.mmap = arena_mmap,
};

/* ---- views and kfuncs ------------------------------------------------------------------------------ */

int ukern_arena_view(struct ukern_map *map, struct ukern_arena_view *view)
{
	struct arena_priv *a;

	if (!map || map->type != BPF_MAP_TYPE_ARENA)
		return -EINVAL;
	a = map->priv;
	view->kern_vm_start = (uintptr_t)a->kbase;
	view->user_vm_start = a->user_start;
	view->size = a->size;
	return 0;
}

bool ukern_arena_page_present(struct ukern_map *map, uint32_t addr)
{
	struct arena_priv *a = map->priv;

	return bit_test(a->present, addr >> 12);
}

const uint64_t *ukern_arena_present_bitmap(struct ukern_map *map)
{
	struct arena_priv *a = map->priv;

	return a->present;
}

uint64_t ukern_arena_present_pages(struct ukern_map *map)
{
	struct arena_priv *a = map->priv;
	uint64_t n;

	pthread_mutex_lock(&a->lock);
	n = a->present_cnt;
	pthread_mutex_unlock(&a->lock);
	return n;
}

bool ukern_arena_user_writable(struct ukern_map *map)
{
	struct arena_priv *a = map->priv;

	return a->user_prot & PROT_WRITE;
}

static uint32_t pgoff_of(struct arena_priv *a, uint64_t uaddr)
{
	return (uint32_t)((uint32_t)uaddr - (uint32_t)a->user_start) >> 12;
}

uint64_t ukern_arena_alloc_pages(struct ukern_map *map, uint64_t uaddr, uint32_t page_cnt, int node_id,
				 uint64_t flags)
{
	struct arena_priv *a;
	uint64_t max;
	int64_t pgoff = 0;

	if (!map || map->type != BPF_MAP_TYPE_ARENA || flags || !page_cnt)
		return 0;
	a = map->priv;
	if (node_id != -1 && node_id != 0) /* one NUMA node here; the kernel refuses offline nodes */
		return 0;
	max = (a->user_end - a->user_start) / PAGE;
	if (page_cnt > max)
		return 0;
	if (uaddr) {
		if (uaddr & (PAGE - 1))
			return 0;
		pgoff = pgoff_of(a, uaddr);
		if ((uint64_t)pgoff > max - page_cnt)
			return 0;
	}
	pthread_mutex_lock(&a->lock);
	if (uaddr) {
		if (rt_is_set(a, pgoff, page_cnt) || rt_clear(a, pgoff, page_cnt))
			goto fail;
	} else {
		pgoff = rt_find(a, page_cnt);
		if (pgoff < 0 || rt_clear(a, pgoff, page_cnt))
			goto fail;
	}
	if (pages_map(a, pgoff, page_cnt)) {
		rt_set(a, pgoff, page_cnt);
		goto fail;
	}
	pthread_mutex_unlock(&a->lock);
	return (a->user_start & ~0xffffffffull) + (uint32_t)(a->user_start + (uint64_t)pgoff * PAGE);
fail:
	pthread_mutex_unlock(&a->lock);
	return 0;
}

void ukern_arena_free_pages(struct ukern_map *map, uint64_t uaddr, uint32_t page_cnt)
{
	struct arena_priv *a;
	uint64_t full, end;
	uint32_t pgoff;

	if (!map || map->type != BPF_MAP_TYPE_ARENA || !page_cnt || !uaddr)
		return;
	a = map->priv;
	uaddr = (uint32_t)uaddr & ~(uint32_t)(PAGE - 1);
	full = (a->user_start & ~0xffffffffull) + uaddr;
	end = full + (uint64_t)page_cnt * PAGE;
	if (end > a->user_end)
		end = a->user_end;
	if (full >= end || full < a->user_start)
		return;
	page_cnt = (end - full) / PAGE;
	pthread_mutex_lock(&a->lock);
	pgoff = pgoff_of(a, uaddr);
	rt_set(a, pgoff, page_cnt);
	for (uint32_t i = 0; i < page_cnt; i++)
		if (bit_test(a->present, a->base_w + pgoff + i))
			page_unmap(a, pgoff + i);
	pthread_mutex_unlock(&a->lock);
}

int ukern_arena_reserve_pages(struct ukern_map *map, uint64_t uaddr, uint32_t page_cnt)
{
	struct arena_priv *a;
	uint64_t max;
	uint32_t pgoff;
	int err;

	if (!map || map->type != BPF_MAP_TYPE_ARENA)
		return -EINVAL;
	if (!page_cnt)
		return 0;
	a = map->priv;
	if (uaddr & (PAGE - 1))
		return 0; /* sic: the kernel returns success without reserving */
	max = (a->user_end - a->user_start) / PAGE;
	pgoff = pgoff_of(a, uaddr);
	if ((uint64_t)pgoff + page_cnt > max)
		return -EINVAL;
	pthread_mutex_lock(&a->lock);
	err = rt_is_set(a, pgoff, page_cnt) ? -EBUSY : rt_clear(a, pgoff, page_cnt);
	pthread_mutex_unlock(&a->lock);
	return err;
}
