/* arena_ds/common.h: what every arena data structure shares, on both sides of the arena.
 *
 * One source, two compilers. The structures in arena_ds/ are written once, as static inline C over
 * `__arena` pointers, and compiled twice: by clang for BPF (pointers in address space 1, the compiler or
 * cast_kern() turns them into PTR_TO_ARENA before each access) and by the host C compiler for user space
 * (`__arena` is empty, the casts are no-ops and a stored pointer is already a valid pointer into the
 * process's mapping of the arena). So the memory layout cannot drift between the two sides: it is the
 * same struct definitions, and user space can run the very same insert/lookup code BPF runs.
 *
 * Invariants every structure keeps:
 * - Pointers stored in the arena are user-form addresses (what bpf_arena_alloc_pages returns), 8 bytes.
 *   This needs an arena without BPF_F_NO_USER_CONV casts applied by hand: the library never casts a
 *   pointer to 32 bits before storing it.
 * - Loops are bounded: in BPF by can_loop (may_goto) and an explicit bound; in user space the same bound.
 * - Concurrency: one writer at a time per heap (every structure allocated from it counts as one), any
 *   number of readers. Each structure starts with a sequence counter (struct ds_seq): the writer makes
 *   it odd for the duration of a change, readers retry when it was odd or moved (see ds_read_begin).
 *   Memory the heap hands out is never returned to the kernel, so a reader that races a writer and
 *   follows a stale pointer still reads mapped memory (user space) or reads harmlessly (BPF).
 *
 * Errors are negative errno values (the DS_E* constants equal Linux's errno numbers).
 */
#ifndef ARENA_DS_COMMON_H
#define ARENA_DS_COMMON_H

#ifdef __bpf__
#include <bpf_arena.h>
#define ds_inline static inline __attribute__((always_inline))
#define ds_noinline static __attribute__((noinline))
#else /* user space */
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#ifndef __arena
#define __arena
#endif
#ifndef cast_kern
#define cast_kern(p) do { } while (0)
#endif
#ifndef cast_user
#define cast_user(p) do { } while (0)
#endif
#ifndef can_loop
#define can_loop 1
#endif
#define ds_inline static inline
#define ds_noinline static inline
#endif

#define DS_ENOENT 2
#define DS_E2BIG 7
#define DS_ENOMEM 12
#define DS_EEXIST 17
#define DS_EINVAL 22
#define DS_ENOSPC 28

#define DS_PAGE_SIZE 4096ULL

/* Loop bound for walks whose length the structure itself bounds (a sorted level, a chain): large enough
 * never to be hit by a consistent structure, small enough that a torn read cannot spin forever. */
#define DS_WALK_MAX (1u << 24)

#ifndef ds_barrier
#define ds_barrier() asm volatile("" ::: "memory")
#endif

/* ---- sequence counter: single writer, many readers ------------------------------------------------------ */

struct ds_seq {
	__u32 seq; /* odd while a change is in progress */
	__u32 flags;
};

/* The writer's side. The atomic add is a full barrier on both sides (lock xadd on x86, and the BPF JIT
 * emits the same for arena atomics), so every store of the change is ordered between the two increments. */
ds_inline void ds_write_begin(struct ds_seq __arena *s)
{
	__sync_fetch_and_add(&s->seq, 1);
}

ds_inline void ds_write_end(struct ds_seq __arena *s)
{
	__sync_fetch_and_add(&s->seq, 1);
}

#ifndef __bpf__
/* The readers' side (user space). Pattern:
 *   do { s = ds_read_begin(&t->hdr); ...copy what you need, checking pointers... }
 *   while (ds_read_retry(&t->hdr, s));
 * ds_read_begin waits out a writer in progress; ds_read_retry says whether a writer ran meanwhile. */
static inline __u32 ds_read_begin(const struct ds_seq *s)
{
	__u32 v;

	while ((v = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE)) & 1) {
#if defined(__x86_64__) || defined(__i386__)
		__builtin_ia32_pause();
#endif
	}
	return v;
}

static inline int ds_read_retry(const struct ds_seq *s, __u32 start)
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return __atomic_load_n(&s->seq, __ATOMIC_RELAXED) != start;
}
#endif

/* 64-bit mixer (the finaliser of a well-known 64-bit hash): cheap, and spreads sequential keys. */
ds_inline __u64 ds_hash64(__u64 k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return k;
}

#endif /* ARENA_DS_COMMON_H */
