/* bpf_arena.h: the one header an arena program includes (BPF side), also usable from user space.
 *
 * What it gives: __arena / __arena_global, cast_kern() / cast_user(), the arena map constants and map
 * declaration macro, the arena kfunc declarations, can_loop / cond_break. The page-fragment allocator is a
 * separate include (bpf_arena_alloc.h) because it names the arena map, which the program declares first.
 *
 * Two compiler modes, chosen by __BPF_FEATURE_ADDR_SPACE_CAST (see bpf_arena_cast.h and docs/runtime.md):
 *   native   (clang-19, or clang-14 with the project's IR lowering): __arena is address_space(1), the
 *            compiler emits addr_space_cast itself, cast_kern/cast_user are no-ops;
 *   explicit (plain clang-14): __arena is empty, pointers hold user-form addresses, and the program calls
 *            cast_kern(p) before dereferencing and cast_user(p) before storing p where user space reads it.
 * The same source, written in the explicit style, builds and behaves the same in both modes.
 *
 * Include path: nothing but `-I libbpf/include` is needed. For -target bpf clang does not search the
 * multiarch directory (/usr/include/x86_64-linux-gnu on Debian) where <asm/types.h> lives, so
 * <linux/types.h> is only used when it can be included; otherwise the kernel's fixed-width type names are
 * defined here with the same underlying types (a later identical typedef, e.g. from vmlinux.h, is legal C11).
 * If you use vmlinux.h, include it before this header.
 */
#ifndef BPF_ARENA_H
#define BPF_ARENA_H

#if defined(__bpf__)

#if defined(__VMLINUX_H__)
/* vmlinux.h already defines the kernel types and the arena constants. */
#elif defined(__has_include) && __has_include(<asm/types.h>)
#include <linux/types.h>
#else
typedef signed char __s8;
typedef unsigned char __u8;
typedef signed short __s16;
typedef unsigned short __u16;
typedef signed int __s32;
typedef unsigned int __u32;
typedef signed long long __s64;
typedef unsigned long long __u64;
typedef __u16 __le16;
typedef __u16 __be16;
typedef __u32 __le32;
typedef __u32 __be32;
typedef __u64 __le64;
typedef __u64 __be64;
typedef __u16 __sum16;
typedef __u32 __wsum;
#endif

#include <bpf/bpf_helpers.h>

#endif /* __bpf__ */

#include "bpf_arena_uapi.h"
#include "bpf_arena_cast.h"

#if defined(__bpf__)
#include "bpf_arena_map.h"
#include "bpf_arena_kfuncs.h"
#include "bpf_arena_loop.h"
#endif

#endif /* BPF_ARENA_H */
