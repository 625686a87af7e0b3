/* arena_lower: lower BPF arena pointers (address_space(1)) in LLVM 14 IR so that LLVM 14's BPF backend,
 * which knows neither the addrspacecast selection nor the addr_space_cast mnemonic, emits code the kernel
 * accepts and that matches what clang-19 emits natively.
 *
 * This header is the contract of llvm/. The lowering works on a module already optimised by clang-14
 * (-O2 -emit-llvm), the same point in the pipeline where clang-19's BPF backend inserts its casts, then
 * the module is compiled with LLVM 14's BPF target machine. See docs/lowering.md for the step-by-step
 * description next to clang-19.
 *
 * Conventions: functions return 0 or a negative errno; messages go through the print callback in the
 * options (never to stdout/stderr directly); options structs carry their size so they can grow.
 */
#ifndef ARENA_LOWER_H
#define ARENA_LOWER_H

#include <stddef.h>

#include <llvm-c/Core.h>

enum arena_lower_level {
	ARENA_LOWER_ERROR,
	ARENA_LOWER_WARN,
	ARENA_LOWER_INFO,
};

/* One complete line, without trailing newline, e.g. "prog.c:12:5: error: ...". */
typedef void (*arena_lower_print_fn)(enum arena_lower_level level, const char *msg, void *cookie);

/* The arena's address space: values of this type hold user-form addresses. */
#define ARENA_LOWER_AS 1
/* addr_space_cast immediates, (dst_as << 16) | src_as: as1 -> as0 and as0 -> as1. */
#define ARENA_LOWER_CAST_KERN_IMM 1u
#define ARENA_LOWER_CAST_USER_IMM (1u << 16)

struct arena_lower_opts {
	size_t sz; /* sizeof(struct arena_lower_opts) */
	arena_lower_print_fn print;
	void *cookie;
};

struct arena_lower_stats {
	size_t sz;            /* sizeof(struct arena_lower_stats) */
	unsigned kern_casts;  /* addr_space_cast(r, 0, 1) inserted */
	unsigned user_casts;  /* addr_space_cast(r, 1, 0) inserted */
	unsigned accesses;    /* memory accesses rewritten to a cast pointer */
	unsigned globals;     /* globals moved to .addr_space.1 */
};

/* Rewrites every function and global of MOD in place. On failure (-EINVAL) every problem has been
 * reported through opts->print with its source location when the IR has one, and MOD must not be
 * compiled. STATS may be NULL. */
int arena_lower_module(LLVMModuleRef mod, const struct arena_lower_opts *opts, struct arena_lower_stats *stats);

/* Runs LLVM 14's cleanup passes over the lowered module (dead casts, redundant address arithmetic). */
int arena_lower_cleanup(LLVMModuleRef mod, const struct arena_lower_opts *opts);

struct arena_emit_opts {
	size_t sz;       /* sizeof(struct arena_emit_opts) */
	const char *cpu; /* NULL: the module's "target-cpu" attribute, else "generic" (clang's default) */
	int opt_level;   /* 0..3, as clang's -O */
	arena_lower_print_fn print;
	void *cookie;
};

/* Compiles MOD with LLVM 14's BPF backend into the ELF object PATH. Backend diagnostics of error
 * severity make it fail with -EINVAL after reporting them; so do, before the backend runs, calls to
 * intrinsics that LLVM 14's BPF backend crashes on instead of diagnosing (ctlz, cttz), each reported at
 * its source location. */
int arena_lower_emit_object(LLVMModuleRef mod, const char *path, const struct arena_emit_opts *opts);

#endif /* ARENA_LOWER_H */
