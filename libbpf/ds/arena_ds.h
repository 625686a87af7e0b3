/* arena_ds.h: the user-space door of the arena data-structure library.
 *
 * The structures themselves (struct ds_heap, ds_htab, ds_skip, ds_list, ds_sparse) and their operations
 * are the BPF-side headers in libbpf/include/arena_ds/, compiled here for user space: same structs, same
 * code, so the memory layout is shared by construction. A BPF program builds a table and this process
 * walks it with plain pointers through the mapped arena (no syscall), or this process builds one
 * (ds_htab__update() etc. with an attached heap) and a BPF program searches it.
 *
 * What this header adds, user space only:
 *   - ds_obj__global(): find a BPF global (.bss/.data) by name in the live mapping (where the heap and
 *     the structures' root pointers live);
 *   - ds_heap__attach(): let this process allocate from a heap (pages from the top of the arena);
 *   - snapshots: consistent copies of a structure taken while a writer (BPF or another thread) runs,
 *     validated by the structure's sequence counter, every pointer checked against the arena first;
 *   - checks: full invariant checks of each structure (for tests and debugging).
 *
 * Concurrency contract (see arena_ds/common.h): one writer at a time per heap; the ds_*__snapshot()
 * functions may run in any number of threads meanwhile. Direct walks (ds_htab__next, ds_skip__next...)
 * are for when no writer runs.
 *
 * Conventions: 0 or negative errno; -EAGAIN when a snapshot could not be taken within its retry budget
 * (a writer that never pauses), -ENOSPC when the output buffer is too small, -EUCLEAN from a check with
 * the reason in `why`.
 */
#ifndef ARENA_DS_USER_H
#define ARENA_DS_USER_H

#include <stddef.h>
#include <stdint.h>

#include "arena_loader.h"
#include "arena_ds/arena_ds.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The address range readers may dereference: the arena's user mapping. */
struct ds_view {
	uint64_t lo, hi;
};

struct ds_view ds_view__of(const struct arena_obj *obj);
struct ds_view ds_view__range(const void *base, size_t size);

/* Address of the global variable `name` of the object's .bss or .data (the live mapping, after load);
 * its size in *size when non-NULL. NULL with errno ENOENT when there is no such variable. */
void *ds_obj__global(struct arena_obj *obj, const char *name, size_t *size);

/* A root pointer a BPF program stored in global `name` (a `struct X __arena *` variable), as a pointer
 * this process can dereference; NULL when unset or absent. */
void *ds_obj__root(struct arena_obj *obj, const char *name);

/* Lets this process allocate from h: pages are taken from the top of obj's arena downwards. Fails with
 * -EINVAL when the arena has BPF_F_SEGV_ON_FAULT (user-side pages come from the fault handler). Call it
 * with no writer running; attaching twice is harmless. */
int ds_heap__attach(struct ds_heap *h, struct arena_obj *obj);
/* Same over any range of zero-filled memory this process owns (a user-only heap). */
int ds_heap__attach_range(struct ds_heap *h, void *base, size_t size);

struct ds_kv {
	uint64_t key, val;
};

/* Consistent copies. *n receives the number of entries. */
int ds_htab__snapshot(struct ds_view v, const struct ds_htab *t, struct ds_kv *out, size_t max, size_t *n);
/* Entries with lo <= key <= hi, in key order. */
int ds_skip__snapshot(struct ds_view v, const struct ds_skip *s, uint64_t lo, uint64_t hi, struct ds_kv *out,
		      size_t max, size_t *n);
/* Entries with key >= lo, in key order. */
int ds_sparse__snapshot(struct ds_view v, const struct ds_sparse *a, uint64_t lo, struct ds_kv *out, size_t max,
			size_t *n);
/* The u64 found `val_off` bytes into each node (from the struct ds_list_node), front to back. */
int ds_list__snapshot(struct ds_view v, const struct ds_list *l, size_t val_off, uint64_t *out, size_t max,
		      size_t *n);

/* Invariant checks (no writer running): 0, or -EUCLEAN with the first violation described in why. */
int ds_htab__check(struct ds_view v, const struct ds_htab *t, char *why, size_t len);
int ds_skip__check(struct ds_view v, const struct ds_skip *s, char *why, size_t len);
int ds_sparse__check(struct ds_view v, const struct ds_sparse *a, char *why, size_t len);
int ds_list__check(struct ds_view v, const struct ds_list *l, char *why, size_t len);

#ifdef __cplusplus
}
#endif
#endif /* ARENA_DS_USER_H */
