/* The demo's BPF side: build a singly linked list of squares in the arena, then sum it.
 *
 * Written once for both compiler modes (bpf_arena.h): with clang-19 the casts are implicit and cast_kern /
 * cast_user compile to nothing; with plain clang-14 they emit addr_space_cast. Nodes come from the page-
 * fragment allocator; `head` is an arena global, so user space finds the list without any syscall.
 */
#include "bpf_arena.h"

BPF_ARENA_MAP(arena, 16, 0);
#include "bpf_arena_alloc.h"

char _license[] SEC("license") = "GPL";

struct node {
	struct node __arena *next;
	__u64 value;
};

struct node __arena *__arena_global head;
__u64 __arena_global nodes;

#define LIST_LEN 10

SEC("syscall") int build(void *ctx)
{
	for (int i = 1; i <= LIST_LEN; i++) {
		struct node __arena *n = bpf_arena_alloc(sizeof(*n));

		if (!n)
			return -1;
		cast_kern(n);
		n->value = i * i;
		n->next = head;
		cast_user(n);   /* stored pointers are in user form: user space follows them as they are */
		head = n;
		nodes++;
	}
	return nodes;
}

SEC("syscall") int sum(void *ctx)
{
	struct node __arena *n = head;
	__u64 total = 0;

	while (n && can_loop) {
		cast_kern(n);
		total += n->value;
		n = n->next;
	}
	return total;
}
