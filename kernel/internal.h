/* ukern internals shared by the core (object model, maps, interpreter), verifier/ and jit/.
 *
 * Ownership: the core owns this file. verifier/ and jit/ may add fields in the sections marked for them;
 * nobody removes or renames a field another part uses. Everything here is private to kernel/: the rest of
 * the project sees only ukern.h.
 *
 * A program goes through: BPF_PROG_LOAD copies the insns -> the core resolves ld_imm64 map/map-value/func
 * references and call targets into aux[] -> ukern_verify() proves it safe and marks aux[] (probe_mem32, ...)
 * and may rewrite insns (e.g. cast_user to a 32-bit move under BPF_F_NO_USER_CONV) -> the selected engine
 * prepares it (ukern_jit_compile(), or nothing for the interpreter) -> BPF_PROG_TEST_RUN runs it.
 */
#ifndef UKERN_INTERNAL_H
#define UKERN_INTERNAL_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "bpf_arena_uapi.h"
#include "ukern.h"

struct ukern_map;
struct ukern_prog;

/* ---- maps ---------------------------------------------------------------------------------------- */

/* One table of operations per map type, as the kernel's bpf_map_ops: a new type is one new file. */
struct ukern_map_ops {
	int (*alloc)(struct ukern_map *map, const union bpf_attr *attr);
	void (*free)(struct ukern_map *map);
	void *(*lookup)(struct ukern_map *map, const void *key); /* value address, or NULL */
	int (*update)(struct ukern_map *map, const void *key, const void *value, uint64_t flags);
	int (*delete)(struct ukern_map *map, const void *key);
	int (*get_next_key)(struct ukern_map *map, const void *key, void *next_key);
	/* Address the program sees for ld_imm64 BPF_PSEUDO_MAP_VALUE at offset off (arena: user form). */
	int (*direct_value_addr)(struct ukern_map *map, uint32_t off, uint64_t *addr);
	void *(*mmap)(struct ukern_map *map, void *addr, size_t len, int prot, int flags, off_t off);
};

struct ukern_map {
	const struct ukern_map_ops *ops;
	uint32_t type, key_size, value_size, max_entries, flags;
	uint64_t map_extra;
	char name[BPF_OBJ_NAME_LEN];
	uint32_t id;
	int memfd;   /* the object's identity: fds handed out are dups of it (matched by inode) */
	ino_t ino;
	bool frozen;
	void *priv;  /* per-type state */
};

/* Arena state the interpreter, verifier and JIT need (map->type == BPF_MAP_TYPE_ARENA). */
struct ukern_arena_view {
	uint64_t kern_vm_start; /* program-side base: an access goes to kern_vm_start + (u32)ptr + off */
	uint64_t user_vm_start; /* 0 until set by map_extra or the first mmap */
	uint64_t size;          /* bytes: max_entries * 4096 */
};
int ukern_arena_view(struct ukern_map *map, struct ukern_arena_view *view);
/* True when the page holding kern_vm_start + (u32)addr is present (interpreter's slow path). */
bool ukern_arena_page_present(struct ukern_map *map, uint32_t addr);

/* ---- helpers and kfuncs ---------------------------------------------------------------------------- */

/* Argument and return kinds, enough for the verifier to check calls (kernel: bpf_func_proto). */
enum ukern_arg_kind {
	UKERN_ARG_NONE = 0,
	UKERN_ARG_ANYTHING,        /* any initialised register */
	UKERN_ARG_CONST_MAP_PTR,   /* ld_imm64 of a map */
	UKERN_ARG_PTR_TO_MAP_KEY,  /* stack/map memory of key_size bytes */
	UKERN_ARG_PTR_TO_MAP_VALUE,
	UKERN_ARG_PTR_TO_MEM,      /* followed by UKERN_ARG_CONST_SIZE */
	UKERN_ARG_PTR_TO_MEM_OR_NULL,
	UKERN_ARG_CONST_SIZE,
	UKERN_ARG_CONST_SIZE_OR_ZERO,
	UKERN_ARG_PTR_TO_CTX,
	UKERN_ARG_PTR_TO_FUNC,     /* ld_imm64 BPF_PSEUDO_FUNC (bpf_loop callback) */
	UKERN_ARG_PTR_TO_STACK_OR_NULL,
	UKERN_ARG_ARENA_MAP,       /* kfunc: the arena map (ld_imm64 of it) */
	UKERN_ARG_ARENA_PTR_OR_NULL, /* kfunc: an arena address (user form) or NULL */
	UKERN_ARG_SCALAR,
};
enum ukern_ret_kind {
	UKERN_RET_INTEGER = 0,
	UKERN_RET_VOID,
	UKERN_RET_MAP_VALUE_OR_NULL,
	UKERN_RET_ARENA_PTR,       /* kfunc returning an arena address (a scalar to the verifier: user form) */
};
typedef uint64_t (*ukern_func_t)(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5);
struct ukern_func_proto {
	const char *name;
	ukern_func_t fn;  /* called with r1..r5 in the SysV registers: the JIT calls it directly */
	enum ukern_ret_kind ret;
	enum ukern_arg_kind args[5];
	bool is_kfunc;
};
/* Helper by BPF_FUNC_* id, kfunc by name; NULL when ukern does not provide it. */
const struct ukern_func_proto *ukern_helper_proto(int32_t func_id);
const struct ukern_func_proto *ukern_kfunc_proto(const char *name);

/* ---- programs -------------------------------------------------------------------------------------- */

enum ukern_aux_flag {
	UKERN_AUX_PROBE_MEM32 = 1u << 0,   /* load/store/atomic through PTR_TO_ARENA: fault-tolerant path */
	UKERN_AUX_CAST_KERN   = 1u << 1,   /* addr_space_cast imm 1 */
	UKERN_AUX_CAST_USER   = 1u << 2,   /* addr_space_cast imm 1<<16 (user-form conversion) */
	UKERN_AUX_LDIMM_MAP   = 1u << 3,   /* ld_imm64 of a map: imm pair holds the struct ukern_map * */
	UKERN_AUX_LDIMM_VALUE = 1u << 4,   /* ld_imm64 of a map value: imm pair holds the address */
	UKERN_AUX_LDIMM_FUNC  = 1u << 5,   /* ld_imm64 BPF_PSEUDO_FUNC: aux.target is the subprog insn */
	UKERN_AUX_SEEN        = 1u << 6,   /* reached by the verifier */
};

/* One per instruction (the second half of an ld_imm64 has its own, unused). */
struct ukern_insn_aux {
	uint32_t flags;
	struct ukern_map *map;                 /* ld_imm64 map or map value */
	const struct ukern_func_proto *call;   /* helper or kfunc call */
	int32_t target;                        /* bpf-to-bpf call / BPF_PSEUDO_FUNC: insn index */
	/* -- verifier section: add fields below -- */
	/* -- jit section: add fields below -- */
};

struct ukern_prog {
	uint32_t type, expected_attach_type;
	char name[BPF_OBJ_NAME_LEN];
	uint32_t id;
	int memfd;
	ino_t ino;
	struct bpf_insn *insns;       /* as loaded, then rewritten by load-time fixups and the verifier */
	uint32_t insn_cnt;
	struct ukern_insn_aux *aux;   /* insn_cnt entries */
	struct ukern_map **maps;      /* maps the program references (held) */
	uint32_t map_cnt;
	struct ukern_map *arena;      /* the associated arena, or NULL: at most one */
	uint32_t stack_depth;         /* set by the verifier: bytes used by the deepest frame */
	/* engine state */
	void *jit_image;              /* executable code, or NULL when run by the interpreter */
	uint32_t jit_len;
	void *jit_priv;               /* jit/'s own bookkeeping (exception table ...) */
	uint64_t (*jit_entry)(void *ctx);
};

/* verifier/: proves prog safe (0) or refuses it (-EACCES/-EINVAL, reason in the log). The log follows
 * the kernel's log_level: 1 = the conclusion and the path to it, 2 = every insn with register states. */
struct ukern_vlog {
	char *buf;        /* user's buffer, may be NULL */
	uint32_t size;
	uint32_t level;
	uint32_t len;     /* bytes written so far (excluding NUL) */
};
int ukern_verify(struct ukern_prog *prog, struct ukern_vlog *log);
void ukern_vlog_printf(struct ukern_vlog *log, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Engines: the interpreter (core) and jit/. Both run a verified program with ctx in r1 and return r0. */
uint64_t ukern_interp_run(const struct ukern_prog *prog, void *ctx);
int ukern_jit_compile(struct ukern_prog *prog) __attribute__((weak));
void ukern_jit_free(struct ukern_prog *prog) __attribute__((weak));

/* ---- faults ---------------------------------------------------------------------------------------- */

/* The one SIGSEGV/SIGBUS handler of the process (installed by the core) dispatches to regions: arena user
 * ranges (fault-in, or SIGSEGV with BPF_F_SEGV_ON_FAULT) and JIT images (exception table fixups).
 * fixup returns true when it repaired the context and execution may resume. */
struct ukern_fault_region {
	uintptr_t start, end;   /* [start, end) of faulting *code* (JIT) or *data* (arena) addresses */
	bool by_pc;             /* match the faulting instruction address instead of the data address */
	bool (*fixup)(struct ukern_fault_region *region, void *ucontext, uintptr_t fault_addr);
	void *priv;
};
int ukern_fault_register(struct ukern_fault_region *region);
void ukern_fault_unregister(struct ukern_fault_region *region);

/* Logging for non-verifier messages (ukern_set_print). */
void ukern_log(enum ukern_print_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* UKERN_INTERNAL_H */
