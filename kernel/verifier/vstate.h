/* Private types of the verifier (kernel/verifier/): abstract register and stack state, the explored-state
 * store, and the functions the verifier's files share. Nothing here is seen outside kernel/verifier/.
 *
 * Abstract domain (as the kernel's): a scalar is a tnum (known bits) plus signed/unsigned 64-bit and 32-bit
 * ranges, kept mutually consistent by vreg_sync(). A pointer is a type, a fixed offset, a variable offset
 * (the same scalar domain), and per-type data (map, frame). The stack of each frame is 64 eight-byte slots,
 * each byte INVALID/MISC/ZERO or part of a spilled register.
 */
#ifndef UKERN_VERIFIER_VSTATE_H
#define UKERN_VERIFIER_VSTATE_H

#include <stdbool.h>
#include <stdint.h>

#include "internal.h"

#ifndef BPF_MEMSX
#define BPF_MEMSX 0x80 /* sign-extending load (6.6 UAPI; Debian headers predate it) */
#endif

#define V_MAX_REGS 11
#define V_MAX_FRAMES 8
#define V_STACK_SIZE 512
#define V_SLOTS (V_STACK_SIZE / 8)
#define V_INSN_LIMIT 1000000

struct tnum {
	uint64_t value, mask;
};

enum vtype {
	V_NOT_INIT = 0,
	V_SCALAR,
	V_PTR_CTX,
	V_PTR_STACK,
	V_PTR_MAP,        /* CONST_PTR_TO_MAP */
	V_PTR_MAP_VALUE,  /* or-null when maybe_null */
	V_PTR_ARENA,
	V_PTR_FUNC,
	V_PTR_PACKET,
	V_PTR_PACKET_END,
	V_PTR_PACKET_META,
};

struct vreg {
	uint8_t type;
	bool maybe_null;
	bool precise;
	uint8_t frameno;        /* V_PTR_STACK: owning frame */
	int32_t off;            /* pointers: fixed offset */
	uint32_t id;            /* or-null pointers (and packet ptrs): copies refine together */
	uint32_t range;         /* packet pointers: bytes known readable from off */
	struct tnum var_off;    /* scalars: the value; pointers: variable offset */
	int64_t smin, smax;
	uint64_t umin, umax;
	int32_t s32_min, s32_max;
	uint32_t u32_min, u32_max;
	struct ukern_map *map;  /* map ptr / map value */
	int32_t subprog;        /* V_PTR_FUNC: target insn */
};

enum vslot_byte { SB_INVALID = 0, SB_MISC, SB_ZERO, SB_SPILL };

struct vslot {
	uint8_t type[8];       /* per byte, index = byte offset within the slot (low address first) */
	struct vreg spilled;   /* valid when all 8 bytes are SB_SPILL */
};

struct vframe {
	struct vreg regs[V_MAX_REGS];
	int32_t callsite;      /* insn index of the call that created this frame, -1 for main */
	int32_t subprog_start; /* first insn of this frame's function */
	uint32_t nslots;       /* slots in use (from the top of the frame) */
	uint32_t depth;        /* deepest byte touched */
	bool in_callback;      /* frame of a bpf_loop callback (returns 0/1 to the helper) */
	struct vreg cb_arg;    /* callback frames: the context argument it was entered with */
	struct vslot stack[V_SLOTS];
};

struct vhist {
	uint32_t idx;
	int16_t spi;    /* stack slot read/written by this insn, -1 if none */
	uint8_t frame;  /* frame the insn ran in */
	uint8_t sframe; /* frame of the slot */
};

struct vstate {
	struct vframe *frames[V_MAX_FRAMES];
	uint32_t curframe;
	uint32_t insn_idx, prev_idx;
	uint32_t may_goto_depth;
	uint32_t cb_depth;        /* callback repetitions on this path */
	bool cb_reenter;          /* at a callback-calling insn again: its arguments are those of the first call */
	int32_t cb_target;        /* ... the callback and its context argument */
	struct vreg cb_ctx;
	uint32_t branches;        /* live descendants; 0 = fully explored (safe to prune against) */
	struct vstate *parent;    /* checkpoint this path continues from */
	struct vhist *hist;
	uint32_t nhist, caphist;
	bool speculative;
	uint32_t log_start;
	uint32_t hit_cnt, miss_cnt; /* checkpoints: pruning successes and failures */       /* log position when this branch was queued (level-1 rewind) */
	struct vstate *next;      /* explored list / work stack link */
};

struct venv {
	struct ukern_prog *prog;
	struct ukern_vlog *log;
	struct bpf_insn *insns;
	uint32_t n;
	uint8_t *prune;          /* per insn: prune point */
	uint16_t *live;          /* per insn: registers live before it */
	uint8_t *mem_kind;       /* per insn: 0 unseen, 1 arena, 2 other (same insn, same pointer kind) */
	int32_t *subprog_of;     /* per insn: index of first insn of its function */
	struct vstate **explored;/* per insn: list of checkpoints */
	uint32_t *nexplored;
	struct vstate *stack;    /* states still to explore */
	uint32_t stack_size;
	struct vstate *cur;
	uint64_t insn_processed;
	uint32_t total_states, peak_states, cur_states, max_states_per_insn;
	uint32_t id_gen;
	uint32_t max_depth;      /* deepest frame */
	uint32_t log_pos;        /* ring position in the log buffer (see vlog.c) */
	bool log_wrapped;
	uint32_t log_start0;
	uint64_t jmps_processed, ckpt_insns, ckpt_jmps;
	struct vstate *retired;  /* evicted checkpoints that live paths still descend from */
	struct vstate *new_ckpt; /* checkpoint made for the insn being processed (NULL if none) */
	bool arena_no_user_conv;
	bool *arena_alu32;
	int32_t cb_target;       /* bpf_loop callback being entered, and its ctx argument */
	struct vreg cb_ctx;
	uint32_t *sub_depth;     /* per subprog start insn: deepest stack byte of its frames */
	int16_t pending_spi;     /* stack slot touched by the insn being processed (for the history) */
	uint8_t pending_sframe;
};

/* scalar.c: the numeric domain */
struct tnum tnum_const(uint64_t v);
struct tnum tnum_unknown(void);
struct tnum tnum_range(uint64_t min, uint64_t max);
bool tnum_is_const(struct tnum a);
bool tnum_in(struct tnum a, struct tnum b);
struct tnum tnum_cast(struct tnum a, int size);
struct tnum tnum_intersect(struct tnum a, struct tnum b);
void vreg_mark_unknown(struct vreg *r);
void vreg_mark_const(struct vreg *r, uint64_t v);
void vreg_sync(struct vreg *r);
bool vreg_is_const(const struct vreg *r);
void vreg_coerce(struct vreg *r, int size);
void vreg_sext(struct vreg *r, int size);
int vscalar_alu(struct vreg *dst, const struct vreg *src, uint8_t op, bool alu32);
/* Branch outcome of `dst op src`: 1 taken, 0 not taken, -1 unknown. */
int vscalar_branch(const struct vreg *dst, const struct vreg *src, uint8_t op, bool jmp32);
/* Refines both for the taken (true) or fall-through (false) edge; returns false when impossible. */
void vscalar_refine(struct vreg *dst, struct vreg *src, uint8_t op, bool jmp32, bool taken);
bool vreg_range_within(const struct vreg *old, const struct vreg *cur);

/* vlog.c: log and printing */
void vlog(struct venv *env, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vlog_finish(struct venv *env);
void vlog_insn(struct venv *env, uint32_t idx);
void vlog_state(struct venv *env, const struct vstate *st, bool all_frames);
int vreg_str(char *buf, size_t len, const struct vreg *r);
const char *vtype_str(const struct vreg *r);

/* vinsn.c: instruction semantics on the current state (0 or -errno with the reason logged) */
int vcheck_alu(struct venv *env, uint32_t idx);
int vcheck_ldx(struct venv *env, uint32_t idx);
int vcheck_st(struct venv *env, uint32_t idx);
int vcheck_atomic(struct venv *env, uint32_t idx);
int vcheck_ld_imm64(struct venv *env, uint32_t idx);
int vcheck_helper_call(struct venv *env, uint32_t idx, bool *enter_callback);
int vcheck_reg_read(struct venv *env, int regno);
struct vframe *vcur_frame(struct venv *env);
uint32_t vnew_id(struct venv *env);

/* vcfg.c: the structural pass */
bool vis_ldimm64(const struct bpf_insn *in);
int32_t vjmp_target(const struct bpf_insn *in, uint32_t i);
int32_t vcall_target(struct venv *env, uint32_t i);
int vcheck_structure(struct venv *env);
void vcompute_liveness(struct venv *env);

/* verify.c: precision tracking and the history it walks */
void vmark_precise(struct venv *env, int regno);
void vhist_note_stack(struct venv *env, int spi, int frame);
bool vreg_feasible(const struct vreg *r);

#endif
