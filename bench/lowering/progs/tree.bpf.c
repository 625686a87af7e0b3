/* Bench program for the lowering: a binary search tree in the arena (pointers stored in arena memory,
 * phis of arena pointers while descending, a bump allocator over one page run). */
#include "bpf_arena.h"

BPF_ARENA_MAP(arena, 32, 0);
char _license[] SEC("license") = "GPL";

struct tnode {
	struct tnode __arena *left;
	__u64 key; /* between the links: two adjacent NULL stores would become a memset, which clang-19 leaves uncast */
	struct tnode __arena *right;
};

struct tnode __arena *__arena_global root;
char __arena *__arena_global bump_cur;
__u64 __arena_global bump_left;
__u64 __arena_global nkeys = 40; /* an imprecise bound keeps the verifier's work small */

static struct tnode __arena *tnode_new(__u64 key)
{
	struct tnode __arena *n;

	if (bump_left < sizeof(*n)) {
		bump_cur = bpf_arena_alloc_pages(&arena, NULL, 4, -1, 0);
		if (!bump_cur)
			return NULL;
		bump_left = 4 * 4096;
	}
	n = (struct tnode __arena *)bump_cur;
	bump_cur += sizeof(*n);
	bump_left -= sizeof(*n);
	n->key = key;
	n->left = n->right = NULL;
	return n;
}

static int insert(__u64 key)
{
	struct tnode __arena *n = tnode_new(key), *p;

	if (!n)
		return -1;
	if (!root) {
		root = n;
		return 0;
	}
	for (p = root; p && can_loop;) {
		if (key < p->key) {
			if (!p->left) {
				p->left = n;
				return 0;
			}
			p = p->left;
		} else {
			if (!p->right) {
				p->right = n;
				return 0;
			}
			p = p->right;
		}
	}
	return -1;
}

static int depth_of(__u64 key)
{
	int d = 0;

	for (struct tnode __arena *p = root; p && can_loop; d++) {
		if (key == p->key)
			return d;
		p = key < p->key ? p->left : p->right;
	}
	return -1;
}

SEC("syscall") int build(void *ctx)
{
	for (__u64 i = 0; i < nkeys && can_loop; i++)
		if (insert((i * 37) % 41))
			return -1;
	return 0;
}

SEC("syscall") int depths(void *ctx)
{
	int s = 0;

	for (__u64 k = 0; k < nkeys && can_loop; k++) {
		int d = depth_of(k);

		if (d > 0)
			s += d;
	}
	return s;
}
