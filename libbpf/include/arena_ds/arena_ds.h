/* arena_ds/arena_ds.h: the arena data-structure library, BPF side (also compiled by user space through
 * libbpf/ds/arena_ds.h, which adds the user-only API: finding globals, attaching the heap, snapshots).
 *
 * Include after declaring the arena map (named `arena`, or #define DS_ARENA_MAP first). Structures:
 *   alloc.h     size-class allocator with free lists (struct ds_heap)
 *   htab.h      u64 -> u64 hash table, open addressing, grows (struct ds_htab)
 *   skiplist.h  ordered u64 -> u64 map with range scans (struct ds_skip)
 *   list.h      intrusive doubly linked list (struct ds_list)
 *   sparse.h    sparse array keyed by u64, 64-way radix tree (struct ds_sparse)
 * The concurrency contract (one writer, readers validate with a sequence counter) is in common.h;
 * docs/ds.md is the guide.
 */
#ifndef ARENA_DS_ARENA_DS_H
#define ARENA_DS_ARENA_DS_H

#include "common.h"
#include "alloc.h"
#include "htab.h"
#include "skiplist.h"
#include "list.h"
#include "sparse.h"

#endif
