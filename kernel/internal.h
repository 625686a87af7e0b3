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

/* Changes (core, for verifier/ and jit/):
 * - Added (nothing renamed or removed): arena kfunc entry points
 *   (ukern_arena_alloc_pages ...), ukern_prog.{prog_flags,func_info_cnt,verified,load_time,run_cnt,run_time_ns},
 *   ukern_map_from_fd/ukern_prog_from_fd, ukern_map_ops tables, UKERN_AUX_CTX_ACCESS.
 * - ld_imm64 after the core's fixups: the imm pair of BPF_PSEUDO_MAP_FD/IDX holds the struct ukern_map *,
 *   of MAP_VALUE/IDX_VALUE the final address (arena: user_vm_start + off), of BPF_PSEUDO_FUNC the target
 *   insn index (aux.target too); src_reg is kept so the verifier still sees what it was.
 * - Added: ukern_arena_present_bitmap(), ukern_prog.interp_code (interpreter cache). The program-side arena
 *   window now reads absent pages as zero memory (only the guards are PROT_NONE); stores still fault.
 * - ukern_verify and ukern_jit_compile are referenced weakly by the core: a static archive does not pull in
 *   an object for a weak reference, so kernel/CMakeLists.txt must force them in (-Wl,-u,ukern_verify).
 */

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
	uint32_t btf_id, btf_key_type_id, btf_value_type_id;
	/* Our own mappings of the memfd (array data, arena program-side window): not the user's, so they do
	 * not count as writable mmaps when BPF_MAP_FREEZE asks (the kernel's map->writecnt). */
	uintptr_t own_start, own_end;
	void *priv;  /* per-type state */
};

/* Per-type tables (map_array.c, map_hash.c, arena.c). */
extern const struct ukern_map_ops ukern_array_map_ops;
extern const struct ukern_map_ops ukern_hash_map_ops;
extern const struct ukern_map_ops ukern_arena_map_ops;

/* Objects by file descriptor (a dup of an fd ukern returned counts); NULL when fd is not one of ours or is
 * not of that kind. Objects live as long as the process (no reference counting on close). */
struct ukern_map *ukern_map_from_fd(int fd);
struct ukern_prog *ukern_prog_from_fd(int fd);

/* Arena state the interpreter, verifier and JIT need (map->type == BPF_MAP_TYPE_ARENA). */
struct ukern_arena_view {
	uint64_t kern_vm_start; /* program-side base: an access goes to kern_vm_start + (u32)ptr + off */
	uint64_t user_vm_start; /* 0 until set by map_extra or the first mmap */
	uint64_t size;          /* bytes: max_entries * 4096 */
};
int ukern_arena_view(struct ukern_map *map, struct ukern_arena_view *view);
/* True when the page holding kern_vm_start + (u32)addr is present (interpreter's slow path). */
bool ukern_arena_page_present(struct ukern_map *map, uint32_t addr);
/* The present bitmap itself (bit w = window page w, i.e. (u32)addr >> 12; read with acquire loads): the
 * interpreter's inline test before a store or an atomic. Program-side loads need no test: absent pages of
 * the window read as zero memory (arena.c), only the 32 KiB guards around it are PROT_NONE. */
const uint64_t *ukern_arena_present_bitmap(struct ukern_map *map);
/* The arena kfuncs with the kernel's semantics (addresses in user form; only the low 32 bits of addr
 * matter): NULL/0 on failure exactly where the kernel fails. */
uint64_t ukern_arena_alloc_pages(struct ukern_map *map, uint64_t addr, uint32_t page_cnt, int node_id,
				 uint64_t flags);
void ukern_arena_free_pages(struct ukern_map *map, uint64_t addr, uint32_t page_cnt);
int ukern_arena_reserve_pages(struct ukern_map *map, uint64_t addr, uint32_t page_cnt);
/* Pages currently present (allocated by a program or faulted in by user space): for tests. */
uint64_t ukern_arena_present_pages(struct ukern_map *map);
/* The arena's user mapping was made writable (PROT_WRITE at mmap). */
bool ukern_arena_user_writable(struct ukern_map *map);

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
	UKERN_AUX_CTX_ACCESS  = 1u << 7,   /* load/store through PTR_TO_CTX (engines may need to convert) */
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
	uint32_t prog_flags;          /* BPF_F_SLEEPABLE ... as loaded */
	uint32_t func_info_cnt;       /* BTF func_info records given at load (the kernel wants them for
				       * BPF_PSEUDO_FUNC callbacks: "missing btf func_info") */
	bool verified;                /* ukern_verify() ran and accepted it (aux[] flags are meaningful) */
	uint64_t load_time;           /* CLOCK_BOOTTIME ns, as bpf_prog_info.load_time */
	uint64_t run_cnt, run_time_ns;
	/* engine state */
	void *jit_image;              /* executable code, or NULL when run by the interpreter */
	uint32_t jit_len;
	void *jit_priv;               /* jit/'s own bookkeeping (exception table ...) */
	uint64_t (*jit_entry)(void *ctx);
	/* -- core additions -- */
	void *interp_code;            /* interp.c's pre-decoded form, built at the first run (never freed) */
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

/* ---- core private (kernel/ top-level files) -------------------------------------------------------------------- */

enum ukern_obj_kind { UKERN_OBJ_MAP = 1, UKERN_OBJ_PROG, UKERN_OBJ_BTF };
struct ukern_btf {
	void *data;
	uint32_t size, id;
	int memfd;
	ino_t ino;
};
/* Creates the object's identity (a memfd of size bytes, named name) and registers ptr under it. Returns the
 * memfd (kept by the object) or -errno; *ino receives its inode. */
int ukern_obj_register(enum ukern_obj_kind kind, void *ptr, const char *name, uint64_t size, ino_t *ino);
/* A memfd of size bytes (sparse) for an object's data; registered later with ukern_obj_adopt(). */
int ukern_memfd_new(const char *name, uint64_t size);
int ukern_obj_adopt(enum ukern_obj_kind kind, void *ptr, int memfd, ino_t *ino);
/* A new close-on-exec fd for the caller, referring to the object behind memfd. */
int ukern_obj_new_fd(int memfd);
void *ukern_obj_from_fd(int fd, enum ukern_obj_kind kind);
void *ukern_obj_by_id(enum ukern_obj_kind kind, uint32_t id);
uint32_t ukern_obj_next_id(enum ukern_obj_kind kind, uint32_t after);
uint32_t ukern_id_alloc(enum ukern_obj_kind kind);

long ukern_prog_load(union bpf_attr *attr, const void *uattr_raw, unsigned int size, uint32_t *log_true_size);
long ukern_prog_test_run(union bpf_attr *attr, union bpf_attr *uattr, unsigned int size);
long ukern_prog_bind_map(union bpf_attr *attr);
int ukern_prog_get_info(struct ukern_prog *prog, union bpf_attr *attr);
/* Name of the vmlinux BTF function with that id (kfunc calls), or NULL. */
const char *ukern_vmlinux_func_name(uint32_t btf_id);
/* The engine programs loaded now will use: "interp" or "jit". */
const char *ukern_engine_current(void);
/* Finishes a verifier log the kernel's way: -ENOSPC when the text did not fit (and err was 0). */
int ukern_vlog_finish(struct ukern_vlog *log, int err, uint32_t *true_size);

#endif /* UKERN_INTERNAL_H */
