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
 * - Loops: in BPF every loop is can_loop (may_goto) bounded, written so the verifier can prune it (see
 *   ds_bound, ds_index, ds_guard below); in user space walks of a structure carry a counter instead.
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
#define DS_WALK_MAX (1u << 24) /* compare through ds_bound() */

/* clang-19 merges neighbouring zero stores (and struct copies) into memset/memcpy, which it does not
 * lower for the arena (no address-space cast: the verifier refuses "invalid mem access 'scalar'"; fixed
 * in LLVM 22). Zeroing goes through this volatile store, which the compiler may not merge. */
#define ds_clear64(p) (*(volatile __typeof__(*(p)) *)(p) = 0)

/* ds_bound(x): x as a loop bound the verifier cannot know. A can_loop loop converges only while its
 * counter stays imprecise; comparing a known counter with a known constant makes the verifier predict the
 * branch and mark the counter precise, so every iteration is a new state and the 1M-instruction budget
 * runs out. Adding a zero read from a writable global (whose value the verifier does not assume) makes
 * the comparison unpredictable, and the verifier widens the counter after one iteration.
 * ds_index(i, m): i masked with m - 1 (a power of two) through an empty asm, so that the compiler cannot
 * drop the mask on the grounds that it already knows the range (the verifier needs to see it). */
#ifdef __bpf__
static volatile __u32 ds_verifier_zero __attribute__((unused));
#define ds_bound(x) ((x) + ds_verifier_zero)
/* 0, as a value the verifier does not know: the start of a loop counter that ds_index() then keeps in a
 * fixed range, so consecutive iterations look alike to the verifier. */
#define ds_unknown_zero() ((__u32)ds_verifier_zero)
#define ds_index(i, m) ({ __u64 __ds_i = (i); asm volatile("" : "+r"(__ds_i)); __ds_i & ((m) - 1); })
#else
#define ds_bound(x) (x)
#define ds_unknown_zero() 0u
#define ds_index(i, m) ((__u64)(i) & ((m) - 1))
#endif

/* ds_guard(cnt, max): the loop condition of a walk whose end the structure guarantees (an empty slot, a
 * NULL link). BPF: can_loop alone; a counter compared with a bound would be one more scalar the verifier
 * has to prove stable before it can prune the loop, and the compiler drops the unused counter. User
 * space: the counter, so that a corrupted structure cannot hang the process. */
#ifdef __bpf__
#define ds_guard(cnt, max) ((void)(cnt), can_loop)
#else
#define ds_guard(cnt, max) ((cnt)++ < (max))
#endif

/* ---- sequence counter: single writer, many readers ------------------------------------------------------ */

struct ds_seq {
	__u32 seq; /* odd while a change is in progress */
	__u32 flags;
};

/* The writer's side. The atomic add is a full barrier on both sides (a locked add on x86, which the BPF
 * JIT also emits for arena atomics), so every store of the change is ordered between the two increments. */
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

/* Bit counts written out in shifts, masks and one multiply rather than __builtin_clzll/ctzll: BPF has no
 * such instruction (clang expands the builtin into about the same code), the code has no branch (one
 * verifier path), and the IR carries no intrinsic call for the clang-14 lowering to meet. */
ds_inline __u32 ds_popcount64(__u64 x)
{
	x = x - ((x >> 1) & 0x5555555555555555ULL);
	x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (__u32)((x * 0x0101010101010101ULL) >> 56);
}

/* Number of significant bits of x (0 for 0): the position of the highest set bit, plus one. */
ds_inline __u32 ds_fls64(__u64 x)
{
	x |= x >> 1;
	x |= x >> 2;
	x |= x >> 4;
	x |= x >> 8;
	x |= x >> 16;
	x |= x >> 32;
	return ds_popcount64(x);
}

/* Number of trailing zero bits of x (64 for 0). */
ds_inline __u32 ds_ctz64(__u64 x)
{
	return ds_popcount64((x & (0 - x)) - 1);
}

#endif /* ARENA_DS_COMMON_H */
