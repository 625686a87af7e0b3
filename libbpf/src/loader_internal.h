/* Private to libbpf/src: the seam, the ELF fix-ups and the message plumbing shared by the loader's files. */
#ifndef ARENA_LOADER_INTERNAL_H
#define ARENA_LOADER_INTERNAL_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <sys/types.h>

#include "arena_loader.h"

/* ---- seam.c: every bpf(2) call of the process goes through here ----------------------------------- */

/* Selects where bpf(2) goes from now on; -EOPNOTSUPP when the user-space kernel is not built in. */
int seam_set_backend(enum arena_backend backend);
enum arena_backend seam_backend(void);
int seam_set_engine(const char *engine);
/* The arena programs are associated with at load (the kernel: one per program); -1 for none. */
void seam_set_arena_fd(int fd);
/* bpf(2) with syscall conventions (-1 and errno) on the selected backend. */
long seam_bpf(int cmd, void *attr, unsigned int size);
/* mmap(2) of a map fd on the backend that owns it. */
void *seam_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
/* The user-space kernel's JIT listing of a program fd (-EOPNOTSUPP without it). */
int seam_jit_listing(int prog_fd, FILE *out);
/* Whether the user-space kernel is linked into this program. */
int seam_have_user_backend(void);

/* ---- elf_fixup.c ---------------------------------------------------------------------------------- */

/* The name `.addr_space.1` is given in the ELF section names and in BTF; both become this name of the
 * same length, which libbpf 1.1 opens as an ordinary custom data section. */
#define ARENA_GLOBALS_SEC ".addr_space.1"
#define ARENA_GLOBALS_RENAMED ".data.arena_1"

/* Renames the arena globals section in an object image held in memory. Returns 1 when renamed, 0 when
 * the object has no arena globals, negative errno on a malformed ELF (with a message in err). */
int elf_rename_arena_globals(void *image, size_t size, char *err, size_t err_sz);

/* Full 64-bit arena addresses that a BPF map definition cannot carry through libbpf 1.1 (bpf_arena_map.h):
 * a `const __u64 __arena_map_extra__<map>` in section `.arena.map_extra`. Calls fn(map_name, value, ctx)
 * for each; returns 0 or the first non-zero result of fn, or a negative errno for a malformed ELF. */
#define ARENA_MAP_EXTRA_SEC ".arena.map_extra"
#define ARENA_MAP_EXTRA_PREFIX "__arena_map_extra__"
int elf_for_each_map_extra(const void *image, size_t size, int (*fn)(const char *map, uint64_t value, void *ctx),
			   void *ctx);

/* ---- print.c ---------------------------------------------------------------------------------------- */

void arena_pr(enum arena_print_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define pr_warn(...) arena_pr(ARENA_WARN, __VA_ARGS__)
#define pr_info(...) arena_pr(ARENA_INFO, __VA_ARGS__)
#define pr_debug(...) arena_pr(ARENA_DEBUG, __VA_ARGS__)
/* Routes libbpf's own messages through arena_pr (once). */
void arena_print_hook_libbpf(void);

#endif
