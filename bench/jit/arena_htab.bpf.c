/* Bench programs for the JIT (bench/jit/run.sh): each is an xdp program so BPF_PROG_TEST_RUN honours
 * --repeat and reports the mean duration per run.
 *
 * setup (syscall, runs first: arena_alloc_pages is sleepable, xdp may not call it) builds the structures.
 * htab_lookup: the kernel anchor. An open-addressing hash table (linear probing, 8192 slots of
 *   {key, value}) in the arena holds 4096 keys; each run looks up 256 of them. Returns the sum of the found
 *   values (mod 2^31), the same on every backend.
 * absent_read: 64 loads from arena pages nobody allocated (each reads 0): the cost of the absent-page path
 *   (fault + fixup on the kernel). Returns the sum read (0).
 * list_walk: pointer chasing through 1024 arena nodes (user-form pointers cast on each step).
 */
#include <bpf_arena.h>

BPF_ARENA_MAP(arena, 128, 0);

char _license[] SEC("license") = "GPL";

#define NSLOTS 8192
#define NKEYS 4096
#define NLOOKUPS 256
#define NABSENT 64
#define NNODES 1024

struct slot {
	__u64 key;
	__u64 val;
};

struct node {
	struct node __arena *next;
	__u64 val;
};

/* Kept in .bss as user-form arena addresses (0 until built). */
static __u64 table_addr, list_addr;
#define ABSENT_ADDR (100 * 4096) /* past every page setup allocates */

static __always_inline __u64 hash64(__u64 k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return k;
}

static __always_inline __u64 key_of(__u32 i)
{
	return (__u64)i * 2654435761u + 1; /* never 0: 0 marks an empty slot */
}

static __noinline int htab_build(void)
{
	struct slot __arena *t = bpf_arena_alloc_pages(&arena, NULL, NSLOTS * sizeof(struct slot) / 4096,
						       NUMA_NO_NODE, 0);
	__u32 i;

	if (!t)
		return -1;
	cast_kern(t);
	for (i = 0; i < NKEYS && can_loop; i++) {
		__u64 k = key_of(i);
		__u32 h = hash64(k) & (NSLOTS - 1);

		while (can_loop) {
			if (!t[h].key) {
				t[h].key = k;
				t[h].val = i;
				break;
			}
			h = (h + 1) & (NSLOTS - 1);
		}
	}
	cast_user(t);
	table_addr = (__u64)t;
	return 0;
}

static __noinline int list_build(void)
{
	struct node __arena *head = NULL;
	struct node __arena *n = bpf_arena_alloc_pages(&arena, NULL, NNODES * sizeof(struct node) / 4096,
						       NUMA_NO_NODE, 0);
	__u32 i;

	if (!n)
		return -1;
	cast_kern(n);
	for (i = 0; i < NNODES && can_loop; i++) {
		/* a stride through the block so consecutive nodes are not adjacent */
		struct node __arena *m = &n[(i * 37) % NNODES];

		m->val = i;
		m->next = head;
		head = m;
		cast_user(head);
	}
	list_addr = (__u64)head;
	return 0;
}

SEC("syscall")
int setup(void *ctx)
{
	if (htab_build())
		return -1;
	if (list_build())
		return -2;
	return 0;
}

SEC("xdp")
int htab_lookup(struct xdp_md *ctx)
{
	struct slot __arena *t;
	__u64 sum = 0;
	__u32 i;

	if (!table_addr)
		return -1;
	t = (struct slot __arena *)table_addr;
	cast_kern(t);
	for (i = 0; i < NLOOKUPS && can_loop; i++) {
		__u64 k = key_of(i * 13 % NKEYS);
		__u32 h = hash64(k) & (NSLOTS - 1);

		while (can_loop) {
			__u64 sk = t[h].key;

			if (sk == k) {
				sum += t[h].val;
				break;
			}
			if (!sk)
				break;
			h = (h + 1) & (NSLOTS - 1);
		}
	}
	return sum & 0x7fffffff;
}

SEC("xdp")
int absent_read(struct xdp_md *ctx)
{
	volatile __u64 __arena *p;
	__u64 sum = 0;
	__u32 i;

	p = (volatile __u64 __arena *)ABSENT_ADDR;
	cast_kern(p);
	for (i = 0; i < NABSENT && can_loop; i++)
		sum += p[i * 512 % (16 * 512)];
	return sum;
}

SEC("xdp")
int list_walk(struct xdp_md *ctx)
{
	struct node __arena *n;
	__u64 sum = 0;

	if (!list_addr)
		return -1;
	n = (struct node __arena *)list_addr;
	while (n && can_loop) {
		cast_kern(n);
		sum += n->val;
		n = n->next;
	}
	return sum & 0x7fffffff;
}
