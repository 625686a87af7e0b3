// bpf_arena_alloc hands out fragments that do not overlap each other or a page's live count: 64 objects
// of varied sizes (spanning several pages) are each filled with their own pattern, then every word of every
// object is checked. Fragments are 8-byte aligned and never cross a page. Same result from both compilers.
// REQUIRES: clang-19, clang-14, kernel-arena
// RUN: %clang19 %bpf_cflags -mcpu=v3 -c %s -o %t19.o
// RUN: %clang14 %bpf_cflags -mcpu=v3 -c %s -o %t14.o
// RUN: %each-backend %arena run %t19.o --json -- %s --check-prefix=RESULT
// RUN: %each-backend %arena run %t14.o --json -- %s --check-prefix=RESULT

// Sizes 8 + (i * 37) % 200 sum to 6656 bytes: more than one page, so the allocator must move on. The
// result is the number of distinct pages used; a failed check returns a negative code instead.
// RESULT: {"prog":"fill_then_check",{{.*}}"retval":{{ ?}}2{{[,}]}}

#include <bpf_arena.h>

BPF_ARENA_MAP(arena, 16, 0);

#include <bpf_arena_alloc.h>

#define N 64

static __u64 addr[N];
static __u32 size[N];

SEC("syscall")
int fill_then_check(void *ctx)
{
	__u64 pages = 0, last_page = 0;
	int i, j;

	for (i = 0; i < N && can_loop; i++) {
		__u64 __arena *obj;

		size[i] = 8 + (i * 37) % 200;
		obj = bpf_arena_alloc(size[i]);
		if (!obj)
			return -1000 - i;
		addr[i] = (__u64)obj;
		if (addr[i] & 7)
			return -2000 - i;
		if ((addr[i] & 4095) + size[i] > 4096 - 8)
			return -3000 - i;
		if ((addr[i] & ~4095ULL) != last_page) {
			last_page = addr[i] & ~4095ULL;
			pages++;
		}
		cast_kern(obj);
		for (j = 0; j < size[i] / 8 && can_loop; j++)
			obj[j] = ((__u64)i << 32) | j;
	}
	for (i = 0; i < N && can_loop; i++) {
		__u64 __arena *obj = (__u64 __arena *)addr[i];

		cast_kern(obj);
		for (j = 0; j < size[i] / 8 && can_loop; j++)
			if (obj[j] != (((__u64)i << 32) | j))
				return -4000 - i;
	}
	return pages;
}

char _license[] SEC("license") = "GPL";
