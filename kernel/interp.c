/* The interpreter: runs a loaded (fixed-up, verified) program with the semantics of the kernel's x86-64 JIT,
 * which is what arena programs run on there (arena requires the JIT).
 *
 * - Registers are u64; ALU32 results are zero-extended; shift counts are masked (& 31 / & 63) as x86 does,
 *   which is observable when the verifier narrows ALU64 on an arena pointer to ALU32 (`w0 >>= 32` keeps w0).
 * - Division by zero gives 0, modulo by zero keeps the dividend; signed (off = 1) INT_MIN / -1 = INT_MIN and
 *   x % -1 = 0, as the kernel's patched sequences.
 * - Arena accesses (aux PROBE_MEM32, or, with no verifier linked, any address below 4 GiB in a program with
 *   an arena) go to kern_vm_start + (u32)reg + off. A load reads the window directly: arena.c keeps absent
 *   pages there as read-only zero memory, so it gives 0 without a test (only the guards around the 4 GiB
 *   window are PROT_NONE: an access reaching them reads 0 by an explicit range test). A store tests the
 *   present bitmap and is dropped on an absent page (nothing gets allocated); an atomic on an absent page
 *   leaves every register unchanged (the kernel's exception fixup skips the instruction: checked for
 *   fetch_add, xchg, cmpxchg, 32 and 64 bit).
 * - addr_space_cast: to kernel form is a 32-bit move; to user form keeps the low 32 bits and, when they are
 *   non-zero, puts back the upper 32 bits of user_vm_start (a 32-bit move under BPF_F_NO_USER_CONV).
 * - may_goto: the kernel's timed budget on x86-64 (6.15+): a per-frame counter of 0xffff iterations between
 *   clock checks, and the loop is cut once 250 ms have passed since the frame's first check.
 * - bpf-to-bpf calls use up to 8 frames of 512 bytes; bpf_loop callbacks run as nested interpretations.
 *
 * Speed. The first run of a program translates it once into a pre-decoded form (struct dinsn): one handler
 * per (class, operation, operand kind, size, arena or not), immediates sign-extended, jump targets and call
 * targets resolved to entries, helper function pointers and ld_imm64 values in place. Everything a check
 * can decide once (is it an arena access, is it signed division, which cast) is decided there, so a
 * handler does only its operation; dispatch is threaded (computed goto through the handler address stored
 * in each entry). Rare instructions (atomics, and every memory access of an unverified program, which is
 * classified by address at run time) go through the generic slow paths. The form is published with a
 * compare-and-swap (concurrent first runs are fine) and rebuilt if the program's instructions, aux, arena
 * or verified state were replaced since. Its speed assumes an optimised build (the project's default
 * build type): at -O0 an interpreter keeps every operand in memory and is several times slower.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

#define BPF_MEMSX_MODE 0x80 /* BPF_MEMSX: newer than the system UAPI headers */
#define BPF_JCOND_OP 0xe0   /* BPF_JCOND: may_goto */
#define MAX_FRAMES 8
#define FRAME_STACK 512
#define MAY_GOTO_BATCH 0xffffu
#define MAY_GOTO_BUDGET_NS 250000000ull
#define SZ_4G (1ull << 32)

struct dinsn {
	const void *op;          /* handler (label address in run_from) */
	uint8_t dst, src;
	int16_t off;
	uint32_t idx;            /* original instruction index (slow paths, calls) */
	uint64_t k;              /* sign-extended imm, ld_imm64 value, helper function, ... */
	const struct dinsn *t;   /* jump / call target */
};

struct icode {
	const struct bpf_insn *insns;   /* what it was built from (staleness check) */
	const struct ukern_insn_aux *aux;
	const struct ukern_map *arena;
	uint32_t cnt;
	bool verified;
	struct dinsn d[];               /* cnt + 1 entries: d[cnt] ends the run (returns 0) */
};

struct frame {
	uint64_t saved[4]; /* r6..r9 of the caller */
	uint64_t saved_fp;
	const struct dinsn *ret;
	uint32_t mg_count;  /* may_goto: iterations left before the next clock check */
	uint64_t mg_start;  /* first clock check, 0 before it */
};

struct ictx {
	const struct ukern_prog *prog;
	const struct icode *code;
	char *kbase;
	const uint64_t *present;
	uint64_t user_hi;
	bool arena, no_user_conv, by_addr;
	struct ukern_map *arena_map;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static inline bool page_present(const struct ictx *c, uint32_t a)
{
	return (__atomic_load_n(&c->present[a >> 18], __ATOMIC_ACQUIRE) >> ((a >> 12) & 63)) & 1;
}

/* The program-side address of an arena store or atomic, or NULL when any byte of it is on an absent page. */
static inline void *arena_addr(const struct ictx *c, uint64_t reg, int16_t off, unsigned size)
{
	int64_t a = (int64_t)(uint32_t)reg + off;

	if (a < 0 || (uint64_t)a + size > SZ_4G)
		return NULL;
	if (!page_present(c, (uint32_t)a) || !page_present(c, (uint32_t)(a + size - 1)))
		return NULL;
	return c->kbase + a;
}

static inline bool is_arena(const struct ictx *c, const struct ukern_insn_aux *aux, uint64_t reg)
{
	if (!c->arena)
		return false;
	if (!c->by_addr)
		return aux->flags & UKERN_AUX_PROBE_MEM32;
	return (reg >> 32) == 0;
}

static inline uint64_t load(const void *p, unsigned size)
{
	switch (size) {
	case 1: return *(const volatile uint8_t *)p;
	case 2: return *(const volatile uint16_t *)p;
	case 4: return *(const volatile uint32_t *)p;
	}
	return *(const volatile uint64_t *)p;
}

static inline uint64_t load_sx(const void *p, unsigned size)
{
	switch (size) {
	case 1: return (uint64_t)(int64_t)*(const volatile int8_t *)p;
	case 2: return (uint64_t)(int64_t)*(const volatile int16_t *)p;
	}
	return (uint64_t)(int64_t)*(const volatile int32_t *)p;
}

static inline void store(void *p, uint64_t v, unsigned size)
{
	switch (size) {
	case 1: *(volatile uint8_t *)p = v; break;
	case 2: *(volatile uint16_t *)p = v; break;
	case 4: *(volatile uint32_t *)p = v; break;
	default: *(volatile uint64_t *)p = v; break;
	}
}

static inline unsigned size_of(uint8_t code)
{
	switch (BPF_SIZE(code)) {
	case BPF_B: return 1;
	case BPF_H: return 2;
	case BPF_W: return 4;
	}
	return 8;
}

#define ATOMIC_LOAD_ACQ 0x100
#define ATOMIC_STORE_REL 0x110

static void do_atomic(const struct ictx *c, const struct bpf_insn *in, const struct ukern_insn_aux *aux, uint64_t *r)
{
	unsigned size = size_of(in->code);
	int32_t op = in->imm;
	uint64_t base = op == ATOMIC_LOAD_ACQ ? r[in->src_reg] : r[in->dst_reg];
	void *p;

	if (is_arena(c, aux, base)) {
		p = arena_addr(c, base, in->off, size);
		if (!p) {
			if (op == ATOMIC_LOAD_ACQ)
				r[in->dst_reg] = 0;
			return; /* the fault skips the instruction: no register changes */
		}
	} else {
		p = (void *)(uintptr_t)(base + in->off);
	}
	if (op == ATOMIC_LOAD_ACQ) {
		switch (size) {
		case 1: r[in->dst_reg] = __atomic_load_n((uint8_t *)p, __ATOMIC_ACQUIRE); break;
		case 2: r[in->dst_reg] = __atomic_load_n((uint16_t *)p, __ATOMIC_ACQUIRE); break;
		case 4: r[in->dst_reg] = __atomic_load_n((uint32_t *)p, __ATOMIC_ACQUIRE); break;
		default: r[in->dst_reg] = __atomic_load_n((uint64_t *)p, __ATOMIC_ACQUIRE); break;
		}
		return;
	}
	if (op == ATOMIC_STORE_REL) {
		uint64_t v = r[in->src_reg];

		switch (size) {
		case 1: __atomic_store_n((uint8_t *)p, (uint8_t)v, __ATOMIC_RELEASE); break;
		case 2: __atomic_store_n((uint16_t *)p, (uint16_t)v, __ATOMIC_RELEASE); break;
		case 4: __atomic_store_n((uint32_t *)p, (uint32_t)v, __ATOMIC_RELEASE); break;
		default: __atomic_store_n((uint64_t *)p, v, __ATOMIC_RELEASE); break;
		}
		return;
	}
	if (size == 4) {
		uint32_t *q = p, v = (uint32_t)r[in->src_reg], old;

		switch (op) {
		case BPF_ADD: case BPF_ADD | BPF_FETCH: old = __atomic_fetch_add(q, v, __ATOMIC_SEQ_CST); break;
		case BPF_OR: case BPF_OR | BPF_FETCH: old = __atomic_fetch_or(q, v, __ATOMIC_SEQ_CST); break;
		case BPF_AND: case BPF_AND | BPF_FETCH: old = __atomic_fetch_and(q, v, __ATOMIC_SEQ_CST); break;
		case BPF_XOR: case BPF_XOR | BPF_FETCH: old = __atomic_fetch_xor(q, v, __ATOMIC_SEQ_CST); break;
		case BPF_XCHG: old = __atomic_exchange_n(q, v, __ATOMIC_SEQ_CST); break;
		case BPF_CMPXCHG:
			old = (uint32_t)r[BPF_REG_0];
			__atomic_compare_exchange_n(q, &old, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
			r[BPF_REG_0] = old;
			return;
		default:
			return;
		}
		if (op & BPF_FETCH)
			r[in->src_reg] = old;
	} else {
		uint64_t *q = p, v = r[in->src_reg], old;

		switch (op) {
		case BPF_ADD: case BPF_ADD | BPF_FETCH: old = __atomic_fetch_add(q, v, __ATOMIC_SEQ_CST); break;
		case BPF_OR: case BPF_OR | BPF_FETCH: old = __atomic_fetch_or(q, v, __ATOMIC_SEQ_CST); break;
		case BPF_AND: case BPF_AND | BPF_FETCH: old = __atomic_fetch_and(q, v, __ATOMIC_SEQ_CST); break;
		case BPF_XOR: case BPF_XOR | BPF_FETCH: old = __atomic_fetch_xor(q, v, __ATOMIC_SEQ_CST); break;
		case BPF_XCHG: old = __atomic_exchange_n(q, v, __ATOMIC_SEQ_CST); break;
		case BPF_CMPXCHG:
			old = r[BPF_REG_0];
			__atomic_compare_exchange_n(q, &old, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
			r[BPF_REG_0] = old;
			return;
		default:
			return;
		}
		if (op & BPF_FETCH)
			r[in->src_reg] = old;
	}
}

/* ---- handlers ------------------------------------------------------------------------------------- */

/* Binary ALU operations: name, 64-bit result from u64 d and s, 32-bit result from u32 d and s. */
#define ALU_BIN(X)                                                                                      \
	X(ADD, d + s, d + s)                                                                            \
	X(SUB, d - s, d - s)                                                                            \
	X(MUL, d * s, d * s)                                                                            \
	X(OR, d | s, d | s)                                                                             \
	X(AND, d & s, d & s)                                                                            \
	X(XOR, d ^ s, d ^ s)                                                                            \
	X(LSH, d << (s & 63), d << (s & 31))                                                            \
	X(RSH, d >> (s & 63), d >> (s & 31))                                                            \
	X(ARSH, (uint64_t)((int64_t)d >> (s & 63)), (uint32_t)((int32_t)d >> (s & 31)))                 \
	X(DIV, s ? d / s : 0, s ? d / s : 0)                                                            \
	X(MOD, s ? d % s : d, s ? d % s : d)                                                            \
	X(SDIV, !s ? 0 : (int64_t)s == -1 ? -d : (uint64_t)((int64_t)d / (int64_t)s),                   \
	  !s ? 0 : (int32_t)s == -1 ? (uint32_t)-d : (uint32_t)((int32_t)d / (int32_t)s))               \
	X(SMOD, !s ? d : (int64_t)s == -1 ? 0 : (uint64_t)((int64_t)d % (int64_t)s),                    \
	  !s ? d : (int32_t)s == -1 ? 0 : (uint32_t)((int32_t)d % (int32_t)s))

#define JMP_OPS(X)                                                                                      \
	X(JEQ, a == b, x == y)                                                                          \
	X(JNE, a != b, x != y)                                                                          \
	X(JGT, a > b, x > y)                                                                            \
	X(JGE, a >= b, x >= y)                                                                          \
	X(JLT, a < b, x < y)                                                                            \
	X(JLE, a <= b, x <= y)                                                                          \
	X(JSET, (a & b) != 0, (x & y) != 0)                                                             \
	X(JSGT, (int64_t)a > (int64_t)b, (int32_t)x > (int32_t)y)                                       \
	X(JSGE, (int64_t)a >= (int64_t)b, (int32_t)x >= (int32_t)y)                                     \
	X(JSLT, (int64_t)a < (int64_t)b, (int32_t)x < (int32_t)y)                                       \
	X(JSLE, (int64_t)a <= (int64_t)b, (int32_t)x <= (int32_t)y)

/* Memory sizes: name, bytes, C type, sign-extending type. */
#define SIZES(X) X(B, 1, uint8_t, int8_t) X(H, 2, uint16_t, int16_t) X(W, 4, uint32_t, int32_t) X(DW, 8, uint64_t, int64_t)
#define SX_SIZES(X) X(B, 1, uint8_t, int8_t) X(H, 2, uint16_t, int16_t) X(W, 4, uint32_t, int32_t)

#define E_BIN(n, e64, e32) O_A64X_##n, O_A64K_##n, O_A32X_##n, O_A32K_##n, \
	O_FA64X_##n, O_FA64K_##n, O_FA32X_##n, O_FA32K_##n,
#define E_BIN2(n, e64, e32) O_JA64K_##n, O_JA32K_##n, O_LDI64X_##n,
#define E_JMP(n, e64, e32) O_J64X_##n, O_J64K_##n, O_J32X_##n, O_J32K_##n,
#define E_MEM(n, sz, t, st) O_LDX_##n, O_ALDX_##n, O_STX_##n, O_ST_##n, O_ASTX_##n, O_AST_##n,
#define E_SX(n, sz, t, st) O_LDSX_##n, O_ALDSX_##n,
enum {
	O_END = 0, /* stop: r0 = 0 (falls off the program, or an instruction the interpreter cannot run) */
	ALU_BIN(E_BIN) ALU_BIN(E_BIN2) JMP_OPS(E_JMP) SIZES(E_MEM) SX_SIZES(E_SX)
	O_NEG64, O_NEG32, O_MOV64X, O_MOV64K, O_MOV32X, O_MOV32K, O_MOVSX8_64, O_MOVSX16_64, O_MOVSX32_64,
	O_MOVSX8_32, O_MOVSX16_32, O_CAST_USER, O_ZEXT32, O_NOP,
	O_SWAP16, O_SWAP32, O_SWAP64, O_TRUNC16, O_TRUNC32,
	O_LDX_SLOW, O_STORE_SLOW, O_ATOMIC, O_LD_IMM64, O_JA, O_CALL, O_CALL_LOOP, O_CALL_BPF, O_EXIT, O_MAY_GOTO,
	O_COUNT
};

static uint64_t run_from(const struct ictx *c, const struct dinsn *ip, uint64_t r1, uint64_t r2);

static uint64_t interp_loop_helper(const struct ictx *c, uint64_t nr, uint64_t fn, uint64_t ctx, uint64_t flags)
{
	const struct dinsn *start = &c->code->d[fn < c->code->cnt ? fn : c->code->cnt];
	uint64_t i;

	if (flags)
		return (uint64_t)-EINVAL;
	if (nr > (1u << 23))
		return (uint64_t)-E2BIG;
	for (i = 0; i < nr; i++)
		if (run_from(c, start, i, ctx))
			return i + 1;
	return i;
}

/* Loads and stores of an unverified program: arena or not is decided by the address, at run time. */
static uint64_t ldx_slow(const struct ictx *c, const struct bpf_insn *in, const struct ukern_insn_aux *aux,
			 uint64_t base)
{
	unsigned size = size_of(in->code);
	bool sx = BPF_MODE(in->code) == BPF_MEMSX_MODE;
	void *p;

	if (is_arena(c, aux, base)) {
		p = arena_addr(c, base, in->off, size);
		if (!p)
			return 0;
	} else {
		p = (void *)(uintptr_t)(base + in->off);
	}
	return sx ? load_sx(p, size) : load(p, size);
}

static void store_slow(const struct ictx *c, const struct bpf_insn *in, const struct ukern_insn_aux *aux,
		       uint64_t base, uint64_t v)
{
	unsigned size = size_of(in->code);

	if (is_arena(c, aux, base)) {
		void *p = arena_addr(c, base, in->off, size);

		if (p)
			store(p, v, size);
	} else {
		store((void *)(uintptr_t)(base + in->off), v, size);
	}
}

/* With c == NULL, returns the handler table (label addresses exist only inside this function). */
static uint64_t run_from(const struct ictx *c, const struct dinsn *ip, uint64_t r1, uint64_t r2)
{
#define T_BIN(n, e64, e32) [O_A64X_##n] = &&L_A64X_##n, [O_A64K_##n] = &&L_A64K_##n, \
	[O_A32X_##n] = &&L_A32X_##n, [O_A32K_##n] = &&L_A32K_##n, [O_FA64X_##n] = &&L_FA64X_##n, \
	[O_FA64K_##n] = &&L_FA64K_##n, [O_FA32X_##n] = &&L_FA32X_##n, [O_FA32K_##n] = &&L_FA32K_##n,
#define T_BIN2(n, e64, e32) [O_JA64K_##n] = &&L_JA64K_##n, [O_JA32K_##n] = &&L_JA32K_##n, \
	[O_LDI64X_##n] = &&L_LDI64X_##n,
#define T_JMP(n, e64, e32) [O_J64X_##n] = &&L_J64X_##n, [O_J64K_##n] = &&L_J64K_##n, \
	[O_J32X_##n] = &&L_J32X_##n, [O_J32K_##n] = &&L_J32K_##n,
#define T_MEM(n, sz, t, st) [O_LDX_##n] = &&L_LDX_##n, [O_ALDX_##n] = &&L_ALDX_##n, [O_STX_##n] = &&L_STX_##n, \
	[O_ST_##n] = &&L_ST_##n, [O_ASTX_##n] = &&L_ASTX_##n, [O_AST_##n] = &&L_AST_##n,
#define T_SX(n, sz, t, st) [O_LDSX_##n] = &&L_LDSX_##n, [O_ALDSX_##n] = &&L_ALDSX_##n,
	static const void *const table[O_COUNT] = {
		[O_END] = &&L_END, ALU_BIN(T_BIN) ALU_BIN(T_BIN2) JMP_OPS(T_JMP) SIZES(T_MEM) SX_SIZES(T_SX)
		[O_NEG64] = &&L_NEG64, [O_NEG32] = &&L_NEG32, [O_MOV64X] = &&L_MOV64X, [O_MOV64K] = &&L_MOV64K,
		[O_MOV32X] = &&L_MOV32X, [O_MOV32K] = &&L_MOV32K, [O_MOVSX8_64] = &&L_MOVSX8_64,
		[O_MOVSX16_64] = &&L_MOVSX16_64, [O_MOVSX32_64] = &&L_MOVSX32_64, [O_MOVSX8_32] = &&L_MOVSX8_32,
		[O_MOVSX16_32] = &&L_MOVSX16_32, [O_CAST_USER] = &&L_CAST_USER, [O_ZEXT32] = &&L_ZEXT32,
		[O_NOP] = &&L_NOP, [O_SWAP16] = &&L_SWAP16, [O_SWAP32] = &&L_SWAP32, [O_SWAP64] = &&L_SWAP64,
		[O_TRUNC16] = &&L_TRUNC16, [O_TRUNC32] = &&L_TRUNC32, [O_LDX_SLOW] = &&L_LDX_SLOW,
		[O_STORE_SLOW] = &&L_STORE_SLOW, [O_ATOMIC] = &&L_ATOMIC, [O_LD_IMM64] = &&L_LD_IMM64,
		[O_JA] = &&L_JA, [O_CALL] = &&L_CALL, [O_CALL_LOOP] = &&L_CALL_LOOP, [O_CALL_BPF] = &&L_CALL_BPF,
		[O_EXIT] = &&L_EXIT, [O_MAY_GOTO] = &&L_MAY_GOTO,
	};
	_Alignas(16) char stack[MAX_FRAMES * FRAME_STACK];
	struct frame frames[MAX_FRAMES];
	int depth = 0;
	uint64_t r[16] = { 0 };
	char *kbase;

	if (!c)
		return (uint64_t)(uintptr_t)table;
	kbase = c->kbase;
	r[1] = r1;
	r[2] = r2;
	r[10] = (uintptr_t)(stack + sizeof(stack));
	frames[0].mg_count = MAY_GOTO_BATCH;
	frames[0].mg_start = 0;

#define DISPATCH() goto *ip->op
#define NEXT() do { ip++; DISPATCH(); } while (0)
	DISPATCH();

#define H_BIN(n, e64, e32)                                                                              \
	L_A64X_##n: { uint64_t d = r[ip->dst], s = r[ip->src]; r[ip->dst] = (e64); NEXT(); }            \
	L_A64K_##n: { uint64_t d = r[ip->dst], s = ip->k; r[ip->dst] = (e64); NEXT(); }                 \
	L_A32X_##n: { uint32_t d = r[ip->dst], s = r[ip->src]; r[ip->dst] = (uint32_t)(e32); NEXT(); }  \
	L_A32K_##n: { uint32_t d = r[ip->dst], s = ip->k; r[ip->dst] = (uint32_t)(e32); NEXT(); }
	ALU_BIN(H_BIN)

	/* Fused pairs "rD = rS; rD op= x" (compilers emit them for every non-destructive operation): the move,
	 * then the operation, one indirect dispatch fewer (and a dispatch site of its own, better predicted). */
#define H_FUSED(n, e64, e32)                                                                            \
	L_FA64X_##n: { r[ip->dst] = r[ip->src]; ip++;                                                   \
		uint64_t d = r[ip->dst], s = r[ip->src]; r[ip->dst] = (e64); NEXT(); }                  \
	L_FA64K_##n: { uint64_t d = r[ip->src], s = ip[1].k; ip++; r[ip->dst] = (e64); NEXT(); }        \
	L_FA32X_##n: { r[ip->dst] = r[ip->src]; ip++;                                                   \
		uint32_t d = r[ip->dst], s = r[ip->src]; r[ip->dst] = (uint32_t)(e32); NEXT(); }        \
	L_FA32K_##n: { uint32_t d = r[ip->src], s = ip[1].k; ip++; r[ip->dst] = (uint32_t)(e32); NEXT(); }
	ALU_BIN(H_FUSED)

	/* "rD op= imm; goto L" (a loop's step and back edge) and "rX = imm64; rD op= rX" (a wide constant). */
#define H_FUSED2(n, e64, e32)                                                                           \
	L_JA64K_##n: { uint64_t d = r[ip->dst], s = ip->k; r[ip->dst] = (e64); ip = ip[1].t; DISPATCH(); } \
	L_JA32K_##n: { uint32_t d = r[ip->dst], s = ip->k; r[ip->dst] = (uint32_t)(e32); ip = ip[1].t;   \
		DISPATCH(); }                                                                           \
	L_LDI64X_##n: { r[ip->dst] = ip->k; ip += 2; uint64_t d = r[ip->dst], s = r[ip->src];           \
		r[ip->dst] = (e64); NEXT(); }
	ALU_BIN(H_FUSED2)

#define H_JMP(n, e64, e32)                                                                              \
	L_J64X_##n: { uint64_t a = r[ip->dst], b = r[ip->src]; ip = (e64) ? ip->t : ip + 1; DISPATCH(); } \
	L_J64K_##n: { uint64_t a = r[ip->dst], b = ip->k; ip = (e64) ? ip->t : ip + 1; DISPATCH(); }     \
	L_J32X_##n: { uint32_t x = r[ip->dst], y = r[ip->src]; ip = (e32) ? ip->t : ip + 1; DISPATCH(); } \
	L_J32K_##n: { uint32_t x = r[ip->dst], y = ip->k; ip = (e32) ? ip->t : ip + 1; DISPATCH(); }
	JMP_OPS(H_JMP)

	/* Arena loads read the window directly (absent pages are zero memory); past its ends, the guards: 0. */
#define H_MEM(n, sz, t, st)                                                                             \
	L_LDX_##n: r[ip->dst] = *(const volatile t *)(uintptr_t)(r[ip->src] + ip->off); NEXT();         \
	L_ALDX_##n: {                                                                                   \
		uint64_t a = (uint64_t)((int64_t)(uint32_t)r[ip->src] + ip->off);                       \
		r[ip->dst] = a <= SZ_4G - sz ? *(const volatile t *)(kbase + a) : 0;                    \
		NEXT();                                                                                 \
	}                                                                                               \
	L_STX_##n: *(volatile t *)(uintptr_t)(r[ip->dst] + ip->off) = (t)r[ip->src]; NEXT();            \
	L_ST_##n: *(volatile t *)(uintptr_t)(r[ip->dst] + ip->off) = (t)ip->k; NEXT();                  \
	L_ASTX_##n: {                                                                                   \
		uint64_t a = (uint64_t)((int64_t)(uint32_t)r[ip->dst] + ip->off);                       \
		if (a <= SZ_4G - sz && page_present(c, (uint32_t)a) &&                                    \
		    (sz == 1 || page_present(c, (uint32_t)(a + sz - 1))))                               \
			*(volatile t *)(kbase + a) = (t)r[ip->src];                                     \
		NEXT();                                                                                 \
	}                                                                                               \
	L_AST_##n: {                                                                                    \
		uint64_t a = (uint64_t)((int64_t)(uint32_t)r[ip->dst] + ip->off);                       \
		if (a <= SZ_4G - sz && page_present(c, (uint32_t)a) &&                                    \
		    (sz == 1 || page_present(c, (uint32_t)(a + sz - 1))))                               \
			*(volatile t *)(kbase + a) = (t)ip->k;                                          \
		NEXT();                                                                                 \
	}
	SIZES(H_MEM)

#define H_SX(n, sz, t, st)                                                                              \
	L_LDSX_##n: r[ip->dst] = (uint64_t)(int64_t)*(const volatile st *)(uintptr_t)(r[ip->src] + ip->off); \
		NEXT();                                                                                 \
	L_ALDSX_##n: {                                                                                  \
		uint64_t a = (uint64_t)((int64_t)(uint32_t)r[ip->src] + ip->off);                       \
		r[ip->dst] = a <= SZ_4G - sz ? (uint64_t)(int64_t)*(const volatile st *)(kbase + a) : 0; \
		NEXT();                                                                                 \
	}
	SX_SIZES(H_SX)

L_NEG64: r[ip->dst] = -r[ip->dst]; NEXT();
L_NEG32: r[ip->dst] = (uint32_t)-(uint32_t)r[ip->dst]; NEXT();
L_MOV64X: r[ip->dst] = r[ip->src]; NEXT();
L_MOV64K: r[ip->dst] = ip->k; NEXT();
L_MOV32X: r[ip->dst] = (uint32_t)r[ip->src]; NEXT();
L_MOV32K: r[ip->dst] = (uint32_t)ip->k; NEXT();
L_MOVSX8_64: r[ip->dst] = (uint64_t)(int64_t)(int8_t)r[ip->src]; NEXT();
L_MOVSX16_64: r[ip->dst] = (uint64_t)(int64_t)(int16_t)r[ip->src]; NEXT();
L_MOVSX32_64: r[ip->dst] = (uint64_t)(int64_t)(int32_t)r[ip->src]; NEXT();
L_MOVSX8_32: r[ip->dst] = (uint32_t)(int32_t)(int8_t)r[ip->src]; NEXT();
L_MOVSX16_32: r[ip->dst] = (uint32_t)(int32_t)(int16_t)r[ip->src]; NEXT();
L_CAST_USER: {
	uint32_t s = r[ip->src];

	r[ip->dst] = s ? (s | c->user_hi) : 0;
	NEXT();
}
L_ZEXT32: r[ip->dst] = (uint32_t)r[ip->dst]; NEXT();
L_NOP: NEXT();
L_SWAP16: r[ip->dst] = __builtin_bswap16((uint16_t)r[ip->dst]); NEXT();
L_SWAP32: r[ip->dst] = __builtin_bswap32((uint32_t)r[ip->dst]); NEXT();
L_SWAP64: r[ip->dst] = __builtin_bswap64(r[ip->dst]); NEXT();
L_TRUNC16: r[ip->dst] = (uint16_t)r[ip->dst]; NEXT();
L_TRUNC32: r[ip->dst] = (uint32_t)r[ip->dst]; NEXT();
L_LDX_SLOW:
	r[ip->dst] = ldx_slow(c, &c->prog->insns[ip->idx], &c->prog->aux[ip->idx], r[ip->src]);
	NEXT();
L_STORE_SLOW: {
	const struct bpf_insn *in = &c->prog->insns[ip->idx];

	store_slow(c, in, &c->prog->aux[ip->idx], r[ip->dst],
		   BPF_CLASS(in->code) == BPF_STX ? r[ip->src] : ip->k);
	NEXT();
}
L_ATOMIC:
	do_atomic(c, &c->prog->insns[ip->idx], &c->prog->aux[ip->idx], r);
	NEXT();
L_LD_IMM64: r[ip->dst] = ip->k; ip += 2; DISPATCH();
L_JA: ip = ip->t; DISPATCH();
L_CALL:
	r[0] = ((ukern_func_t)(uintptr_t)ip->k)(r[1], r[2], r[3], r[4], r[5]);
	NEXT();
L_CALL_LOOP:
	r[0] = interp_loop_helper(c, r[1], r[2], r[3], r[4]);
	NEXT();
L_CALL_BPF: {
	struct frame *f;

	if (depth + 1 >= MAX_FRAMES)
		return 0; /* the verifier bounds the depth */
	f = &frames[depth++];
	memcpy(f->saved, &r[6], sizeof(f->saved));
	f->saved_fp = r[10];
	f->ret = ip + 1;
	frames[depth].mg_count = MAY_GOTO_BATCH;
	frames[depth].mg_start = 0;
	r[10] = (uintptr_t)(stack + sizeof(stack) - depth * FRAME_STACK);
	ip = ip->t;
	DISPATCH();
}
L_EXIT:
	if (!depth)
		return r[0];
	depth--;
	memcpy(&r[6], frames[depth].saved, sizeof(frames[depth].saved));
	r[10] = frames[depth].saved_fp;
	ip = frames[depth].ret;
	DISPATCH();
L_MAY_GOTO: {
	struct frame *f = &frames[depth];

	if (!f->mg_count) {
		ip = ip->t;
		DISPATCH();
	}
	if (--f->mg_count == 1) {
		uint64_t now = mono_ns();

		if (!f->mg_start) {
			f->mg_start = now;
			f->mg_count = MAY_GOTO_BATCH;
		} else {
			f->mg_count = now - f->mg_start >= MAY_GOTO_BUDGET_NS ? 0 : MAY_GOTO_BATCH;
		}
	}
	NEXT();
}
L_END:
	return 0; /* only an unverified program gets here */
}

/* ---- translation ------------------------------------------------------------------------------------ */

/* Each operation's four forms, then the same forms fused with a preceding move (O_FA.. = O_A.. + 4). */
static const uint16_t bin_op[16][4] = {
#define B_ROW(n) { O_A64X_##n, O_A64K_##n, O_A32X_##n, O_A32K_##n }
	[BPF_ADD >> 4] = B_ROW(ADD), [BPF_SUB >> 4] = B_ROW(SUB), [BPF_MUL >> 4] = B_ROW(MUL),
	[BPF_DIV >> 4] = B_ROW(DIV), [BPF_OR >> 4] = B_ROW(OR), [BPF_AND >> 4] = B_ROW(AND),
	[BPF_LSH >> 4] = B_ROW(LSH), [BPF_RSH >> 4] = B_ROW(RSH), [BPF_MOD >> 4] = B_ROW(MOD),
	[BPF_XOR >> 4] = B_ROW(XOR), [BPF_ARSH >> 4] = B_ROW(ARSH),
};
static const uint16_t jmp_op[16][4] = {
#define J_ROW(n) { O_J64X_##n, O_J64K_##n, O_J32X_##n, O_J32K_##n }
	[BPF_JEQ >> 4] = J_ROW(JEQ), [BPF_JNE >> 4] = J_ROW(JNE), [BPF_JGT >> 4] = J_ROW(JGT),
	[BPF_JGE >> 4] = J_ROW(JGE), [BPF_JLT >> 4] = J_ROW(JLT), [BPF_JLE >> 4] = J_ROW(JLE),
	[BPF_JSET >> 4] = J_ROW(JSET), [BPF_JSGT >> 4] = J_ROW(JSGT), [BPF_JSGE >> 4] = J_ROW(JSGE),
	[BPF_JSLT >> 4] = J_ROW(JSLT), [BPF_JSLE >> 4] = J_ROW(JSLE),
};
/* [size index B,H,W,DW][LDX, ALDX, STX, ST, ASTX, AST, LDSX, ALDSX] */
static const uint16_t mem_op[4][8] = {
	{ O_LDX_B, O_ALDX_B, O_STX_B, O_ST_B, O_ASTX_B, O_AST_B, O_LDSX_B, O_ALDSX_B },
	{ O_LDX_H, O_ALDX_H, O_STX_H, O_ST_H, O_ASTX_H, O_AST_H, O_LDSX_H, O_ALDSX_H },
	{ O_LDX_W, O_ALDX_W, O_STX_W, O_ST_W, O_ASTX_W, O_AST_W, O_LDSX_W, O_ALDSX_W },
	{ O_LDX_DW, O_ALDX_DW, O_STX_DW, O_ST_DW, O_ASTX_DW, O_AST_DW, O_LDX_DW, O_ALDX_DW },
};

static unsigned size_idx(uint8_t code)
{
	switch (BPF_SIZE(code)) {
	case BPF_B: return 0;
	case BPF_H: return 1;
	case BPF_W: return 2;
	}
	return 3;
}

/* The handler of instruction i (and its operands in *d, except op). */
static unsigned decode_one(const struct ukern_prog *prog, uint32_t i, struct dinsn *d, struct dinsn *base)
{
	const struct bpf_insn *in = &prog->insns[i];
	const struct ukern_insn_aux *aux = &prog->aux[i];
	uint8_t code = in->code, cls = BPF_CLASS(code), op = BPF_OP(code);
	bool x = BPF_SRC(code) == BPF_X, arena = false, slow = false;
	uint32_t cnt = prog->insn_cnt;
	int64_t tgt;

	d->dst = in->dst_reg & 15;
	d->src = in->src_reg & 15;
	d->off = in->off;
	d->idx = i;
	d->k = (uint64_t)(int64_t)in->imm;
	d->t = NULL;
	if (prog->arena) {
		if (prog->verified)
			arena = aux->flags & UKERN_AUX_PROBE_MEM32;
		else
			slow = true; /* arena or not by address */
	}
	switch (cls) {
	case BPF_ALU64:
	case BPF_ALU: {
		bool is64 = cls == BPF_ALU64;

		switch (op) {
		case BPF_NEG: return is64 ? O_NEG64 : O_NEG32;
		case BPF_MOV:
			if (!x)
				return is64 ? O_MOV64K : O_MOV32K;
			if (is64) {
				switch (in->off) {
				case 8: return O_MOVSX8_64;
				case 16: return O_MOVSX16_64;
				case 32: return O_MOVSX32_64;
				case 1:
					if (in->imm == (int32_t)BPF_ARENA_CAST_USER_IMM && prog->arena &&
					    !(prog->arena->flags & BPF_F_NO_USER_CONV))
						return O_CAST_USER;
					return O_MOV32X;
				}
				return O_MOV64X;
			}
			if (in->off == 8)
				return O_MOVSX8_32;
			if (in->off == 16)
				return O_MOVSX16_32;
			return O_MOV32X;
		case BPF_END:
			if (is64 || BPF_SRC(code) != BPF_TO_LE)
				return in->imm == 16 ? O_SWAP16 : in->imm == 32 ? O_SWAP32 : O_SWAP64;
			return in->imm == 16 ? O_TRUNC16 : in->imm == 32 ? O_TRUNC32 : O_NOP;
		case BPF_DIV:
		case BPF_MOD:
			if (in->off != 1)
				break;
			if (op == BPF_DIV)
				return is64 ? (x ? O_A64X_SDIV : O_A64K_SDIV) : (x ? O_A32X_SDIV : O_A32K_SDIV);
			return is64 ? (x ? O_A64X_SMOD : O_A64K_SMOD) : (x ? O_A32X_SMOD : O_A32K_SMOD);
		}
		if (!bin_op[op >> 4][0])
			return is64 ? O_NOP : O_ZEXT32;
		return bin_op[op >> 4][(is64 ? 0 : 2) + (x ? 0 : 1)];
	}
	case BPF_LDX: {
		bool sx = BPF_MODE(code) == BPF_MEMSX_MODE;

		if (slow)
			return O_LDX_SLOW;
		return mem_op[size_idx(code)][(sx ? 6 : 0) + (arena ? 1 : 0)];
	}
	case BPF_ST:
	case BPF_STX:
		if (BPF_MODE(code) == BPF_ATOMIC)
			return O_ATOMIC;
		if (slow)
			return O_STORE_SLOW;
		return mem_op[size_idx(code)][(cls == BPF_STX ? 2 : 3) + (arena ? 2 : 0)];
	case BPF_LD:
		if (i + 1 >= cnt)
			return O_END;
		d->k = (uint32_t)in->imm | ((uint64_t)(uint32_t)in[1].imm << 32);
		return O_LD_IMM64;
	case BPF_JMP:
	case BPF_JMP32: {
		bool is32 = cls == BPF_JMP32;

		switch (op) {
		case BPF_CALL:
			if (in->src_reg == BPF_PSEUDO_CALL) {
				tgt = aux->target;
				d->t = &base[tgt >= 0 && tgt < cnt ? tgt : cnt];
				return O_CALL_BPF;
			}
			if (in->src_reg == 0 && in->imm == BPF_FUNC_loop)
				return O_CALL_LOOP;
			if (!aux->call || !aux->call->fn)
				return O_END;
			d->k = (uint64_t)(uintptr_t)aux->call->fn;
			return O_CALL;
		case BPF_EXIT:
			return O_EXIT;
		}
		tgt = (int64_t)i + 1 + (op == BPF_JA && is32 ? in->imm : in->off);
		d->t = &base[tgt >= 0 && tgt < cnt ? tgt : cnt];
		if (op == BPF_JA)
			return O_JA;
		if (op == BPF_JCOND_OP)
			return O_MAY_GOTO;
		if (!jmp_op[op >> 4][0])
			return O_NOP; /* never taken */
		return jmp_op[op >> 4][(is32 ? 2 : 0) + (x ? 0 : 1)];
	}
	}
	return O_END;
}

static struct icode *code_build(const struct ukern_prog *prog)
{
	const void *const *table = (const void *const *)(uintptr_t)run_from(NULL, NULL, 0, 0);
	uint32_t cnt = prog->insn_cnt;
	struct icode *code = malloc(sizeof(*code) + (cnt + 1ull) * sizeof(struct dinsn));
	uint16_t *ops = malloc((cnt + 1ull) * sizeof(*ops));

	if (!code || !ops) {
		free(code);
		free(ops);
		return NULL;
	}
	code->insns = prog->insns;
	code->aux = prog->aux;
	code->arena = prog->arena;
	code->cnt = cnt;
	code->verified = prog->verified;
	for (uint32_t i = 0; i < cnt; i++)
		ops[i] = decode_one(prog, i, &code->d[i], code->d);
	/* A move whose destination the next instruction operates on becomes a fused pair. The next entry keeps
	 * its own handler, so a jump to it still runs it alone. */
	for (uint32_t i = 0; i + 1 < cnt; i++) {
		uint16_t n = ops[i + 1];

		if (ops[i] == O_MOV64X && n >= O_A64X_ADD && n <= O_A32K_SMOD && (n - O_A64X_ADD) % 8 < 4 &&
		    code->d[i + 1].dst == code->d[i].dst)
			ops[i] = n + 4;
	}
	for (uint32_t i = 0; i + 1 < cnt; i++) {
		uint16_t n = ops[i + 1], o = ops[i];

		if (n == O_JA && o >= O_A64X_ADD && o <= O_A32K_SMOD && (o - O_A64X_ADD) % 8 == 1)
			ops[i] = O_JA64K_ADD + (o - O_A64K_ADD) / 8 * 3;
		else if (n == O_JA && o >= O_A64X_ADD && o <= O_A32K_SMOD && (o - O_A64X_ADD) % 8 == 3)
			ops[i] = O_JA32K_ADD + (o - O_A32K_ADD) / 8 * 3;
		else if (o == O_LD_IMM64 && i + 2 < cnt && ops[i + 2] >= O_A64X_ADD && ops[i + 2] <= O_A32K_SMOD &&
			 (ops[i + 2] - O_A64X_ADD) % 8 == 0 && code->d[i + 2].src == code->d[i].dst)
			ops[i] = O_LDI64X_ADD + (ops[i + 2] - O_A64X_ADD) / 8 * 3;
	}
	for (uint32_t i = 0; i < cnt; i++)
		code->d[i].op = table[ops[i]];
	free(ops);
	memset(&code->d[cnt], 0, sizeof(code->d[cnt]));
	code->d[cnt].op = table[O_END];
	return code;
}

static const struct icode *code_get(const struct ukern_prog *prog)
{
	struct ukern_prog *mprog = (struct ukern_prog *)prog; /* the cache is not part of the program */
	struct icode *code = __atomic_load_n((struct icode **)&mprog->interp_code, __ATOMIC_ACQUIRE), *fresh;

	if (code && code->insns == prog->insns && code->aux == prog->aux && code->cnt == prog->insn_cnt &&
	    code->arena == prog->arena && code->verified == prog->verified)
		return code;
	fresh = code_build(prog);
	if (!fresh)
		return NULL;
	/* A stale form is left allocated: another thread may still be running it. */
	if (!__atomic_compare_exchange_n((struct icode **)&mprog->interp_code, &code, fresh, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		free(fresh);
		return code_get(prog);
	}
	return fresh;
}

uint64_t ukern_interp_run(const struct ukern_prog *prog, void *ctx)
{
	struct ictx c = { .prog = prog, .by_addr = !prog->verified };

	c.code = code_get(prog);
	if (!c.code)
		return 0;
	if (prog->arena) {
		struct ukern_arena_view v;

		ukern_arena_view(prog->arena, &v);
		c.arena = true;
		c.arena_map = prog->arena;
		c.kbase = (char *)(uintptr_t)v.kern_vm_start;
		c.present = ukern_arena_present_bitmap(prog->arena);
		c.user_hi = v.user_vm_start & ~0xffffffffull;
		c.no_user_conv = prog->arena->flags & BPF_F_NO_USER_CONV;
	}
	return run_from(&c, c.code->d, (uintptr_t)ctx, 0);
}
