/* The interpreter: runs a loaded (fixed-up, verified) program with the semantics of the kernel's x86-64 JIT,
 * which is what arena programs run on there (arena requires the JIT).
 *
 * - Registers are u64; ALU32 results are zero-extended; shift counts are masked (& 31 / & 63) as x86 does,
 *   which is observable when the verifier narrows ALU64 on an arena pointer to ALU32 (`w0 >>= 32` keeps w0).
 * - Division by zero gives 0, modulo by zero keeps the dividend; signed (off = 1) INT_MIN / -1 = INT_MIN and
 *   x % -1 = 0, as the kernel's patched sequences.
 * - Arena accesses (aux PROBE_MEM32, or, with no verifier linked, any address below 4 GiB in a program with
 *   an arena) go to kern_vm_start + (u32)reg + off. The present bitmap is consulted first: a load from an
 *   absent page gives 0, a store is dropped, and an atomic leaves every register unchanged (the kernel's
 *   exception fixup skips the instruction: checked for fetch_add, xchg, cmpxchg, 32 and 64 bit).
 * - addr_space_cast: to kernel form is a 32-bit move; to user form keeps the low 32 bits and, when they are
 *   non-zero, puts back the upper 32 bits of user_vm_start (a 32-bit move under BPF_F_NO_USER_CONV).
 * - may_goto: the kernel's timed budget on x86-64 (6.15+): a per-frame counter of 0xffff iterations between
 *   clock checks, and the loop is cut once 250 ms have passed since the frame's first check.
 * - bpf-to-bpf calls use up to 8 frames of 512 bytes; bpf_loop callbacks run as nested interpretations.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "internal.h"

#define BPF_MEMSX_MODE 0x80 /* BPF_MEMSX: newer than the system UAPI headers */
#define BPF_JCOND_OP 0xe0   /* BPF_JCOND: may_goto */
#define MAX_FRAMES 8
#define FRAME_STACK 512
#define MAY_GOTO_BATCH 0xffffu
#define MAY_GOTO_BUDGET_NS 250000000ull

struct frame {
	uint64_t saved[4]; /* r6..r9 of the caller */
	uint64_t saved_fp;
	uint32_t ret_pc;
	uint32_t mg_count;  /* may_goto: iterations left before the next clock check */
	uint64_t mg_start;  /* first clock check, 0 before it */
};

struct ictx {
	const struct ukern_prog *prog;
	char *kbase;
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

/* The program-side address of an arena access, or NULL when any byte of it is on an absent page. */
static inline void *arena_addr(const struct ictx *c, uint64_t reg, int16_t off, unsigned size)
{
	int64_t a = (int64_t)(uint32_t)reg + off;

	if (a < 0 || (uint64_t)a + size > (1ull << 32))
		return NULL;
	if (!ukern_arena_page_present(c->arena_map, (uint32_t)a) ||
	    !ukern_arena_page_present(c->arena_map, (uint32_t)(a + size - 1)))
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

static uint64_t alu64(const struct ictx *c, const struct bpf_insn *in, uint64_t d, uint64_t s)
{
	switch (BPF_OP(in->code)) {
	case BPF_ADD: return d + s;
	case BPF_SUB: return d - s;
	case BPF_MUL: return d * s;
	case BPF_DIV:
		if (!s)
			return 0;
		if (in->off == 1)
			return (int64_t)s == -1 ? -d : (uint64_t)((int64_t)d / (int64_t)s);
		return d / s;
	case BPF_MOD:
		if (!s)
			return d;
		if (in->off == 1)
			return (int64_t)s == -1 ? 0 : (uint64_t)((int64_t)d % (int64_t)s);
		return d % s;
	case BPF_OR: return d | s;
	case BPF_AND: return d & s;
	case BPF_XOR: return d ^ s;
	case BPF_LSH: return d << (s & 63);
	case BPF_RSH: return d >> (s & 63);
	case BPF_ARSH: return (uint64_t)((int64_t)d >> (s & 63));
	case BPF_NEG: return -d;
	case BPF_MOV:
		if (BPF_SRC(in->code) == BPF_X) {
			switch (in->off) {
			case 8: return (uint64_t)(int64_t)(int8_t)s;
			case 16: return (uint64_t)(int64_t)(int16_t)s;
			case 32: return (uint64_t)(int64_t)(int32_t)s;
			case 1: /* addr_space_cast */
				if (in->imm == (int32_t)BPF_ARENA_CAST_USER_IMM && !c->no_user_conv)
					return (uint32_t)s ? ((uint32_t)s | c->user_hi) : 0;
				return (uint32_t)s;
			}
		}
		return s;
	case BPF_END: /* ALU64 | END: unconditional byte swap */
		switch (in->imm) {
		case 16: return __builtin_bswap16((uint16_t)d);
		case 32: return __builtin_bswap32((uint32_t)d);
		}
		return __builtin_bswap64(d);
	}
	return d;
}

static uint64_t alu32(const struct bpf_insn *in, uint64_t dfull, uint32_t d, uint32_t s)
{
	switch (BPF_OP(in->code)) {
	case BPF_ADD: return (uint32_t)(d + s);
	case BPF_SUB: return (uint32_t)(d - s);
	case BPF_MUL: return (uint32_t)(d * s);
	case BPF_DIV:
		if (!s)
			return 0;
		if (in->off == 1)
			return (int32_t)s == -1 ? (uint32_t)-d : (uint32_t)((int32_t)d / (int32_t)s);
		return d / s;
	case BPF_MOD:
		if (!s)
			return d;
		if (in->off == 1)
			return (int32_t)s == -1 ? 0 : (uint32_t)((int32_t)d % (int32_t)s);
		return d % s;
	case BPF_OR: return d | s;
	case BPF_AND: return d & s;
	case BPF_XOR: return d ^ s;
	case BPF_LSH: return (uint32_t)(d << (s & 31));
	case BPF_RSH: return d >> (s & 31);
	case BPF_ARSH: return (uint32_t)((int32_t)d >> (s & 31));
	case BPF_NEG: return (uint32_t)-d;
	case BPF_MOV:
		if (BPF_SRC(in->code) == BPF_X) {
			if (in->off == 8)
				return (uint32_t)(int32_t)(int8_t)s;
			if (in->off == 16)
				return (uint32_t)(int32_t)(int16_t)s;
		}
		return s;
	case BPF_END:
		if (BPF_SRC(in->code) == BPF_TO_LE) {
			switch (in->imm) {
			case 16: return (uint16_t)dfull;
			case 32: return (uint32_t)dfull;
			}
			return dfull;
		}
		switch (in->imm) {
		case 16: return __builtin_bswap16((uint16_t)dfull);
		case 32: return __builtin_bswap32((uint32_t)dfull);
		}
		return __builtin_bswap64(dfull);
	}
	return d;
}

static bool jmp_taken(uint8_t code, uint64_t a, uint64_t b, bool is32)
{
	if (is32) {
		uint32_t x = (uint32_t)a, y = (uint32_t)b;

		switch (BPF_OP(code)) {
		case BPF_JEQ: return x == y;
		case BPF_JNE: return x != y;
		case BPF_JGT: return x > y;
		case BPF_JGE: return x >= y;
		case BPF_JLT: return x < y;
		case BPF_JLE: return x <= y;
		case BPF_JSET: return x & y;
		case BPF_JSGT: return (int32_t)x > (int32_t)y;
		case BPF_JSGE: return (int32_t)x >= (int32_t)y;
		case BPF_JSLT: return (int32_t)x < (int32_t)y;
		case BPF_JSLE: return (int32_t)x <= (int32_t)y;
		}
		return false;
	}
	switch (BPF_OP(code)) {
	case BPF_JEQ: return a == b;
	case BPF_JNE: return a != b;
	case BPF_JGT: return a > b;
	case BPF_JGE: return a >= b;
	case BPF_JLT: return a < b;
	case BPF_JLE: return a <= b;
	case BPF_JSET: return a & b;
	case BPF_JSGT: return (int64_t)a > (int64_t)b;
	case BPF_JSGE: return (int64_t)a >= (int64_t)b;
	case BPF_JSLT: return (int64_t)a < (int64_t)b;
	case BPF_JSLE: return (int64_t)a <= (int64_t)b;
	}
	return false;
}

static uint64_t run_from(const struct ictx *c, uint32_t pc, uint64_t r1, uint64_t r2);

static uint64_t interp_loop_helper(const struct ictx *c, uint64_t nr, uint64_t fn, uint64_t ctx, uint64_t flags)
{
	uint64_t i;

	if (flags)
		return (uint64_t)-EINVAL;
	if (nr > (1u << 23))
		return (uint64_t)-E2BIG;
	for (i = 0; i < nr; i++)
		if (run_from(c, (uint32_t)fn, i, ctx))
			return i + 1;
	return i;
}

static uint64_t run_from(const struct ictx *c, uint32_t pc, uint64_t r1, uint64_t r2)
{
	const struct ukern_prog *prog = c->prog;
	const struct bpf_insn *insns = prog->insns;
	_Alignas(16) char stack[MAX_FRAMES * FRAME_STACK];
	struct frame frames[MAX_FRAMES];
	int depth = 0;
	uint64_t r[11] = { 0 };

	r[1] = r1;
	r[2] = r2;
	r[10] = (uintptr_t)(stack + sizeof(stack));
	frames[0].mg_count = MAY_GOTO_BATCH;
	frames[0].mg_start = 0;

	for (;;) {
		const struct bpf_insn *in;
		const struct ukern_insn_aux *aux;
		uint8_t code;

		if (pc >= prog->insn_cnt)
			return 0; /* only an unverified program gets here */
		in = &insns[pc];
		aux = &prog->aux[pc];
		code = in->code;
		switch (BPF_CLASS(code)) {
		case BPF_ALU64: {
			uint64_t s = BPF_SRC(code) == BPF_X ? r[in->src_reg] : (uint64_t)(int64_t)in->imm;

			r[in->dst_reg] = alu64(c, in, r[in->dst_reg], s);
			pc++;
			break;
		}
		case BPF_ALU: {
			uint32_t s = BPF_SRC(code) == BPF_X && BPF_OP(code) != BPF_END ? (uint32_t)r[in->src_reg]
										: (uint32_t)in->imm;

			r[in->dst_reg] = alu32(in, r[in->dst_reg], (uint32_t)r[in->dst_reg], s);
			pc++;
			break;
		}
		case BPF_LDX: {
			unsigned size = size_of(code);
			uint64_t base = r[in->src_reg];
			bool sx = BPF_MODE(code) == BPF_MEMSX_MODE;

			if (is_arena(c, aux, base)) {
				void *p = arena_addr(c, base, in->off, size);

				r[in->dst_reg] = !p ? 0 : sx ? load_sx(p, size) : load(p, size);
			} else {
				void *p = (void *)(uintptr_t)(base + in->off);

				r[in->dst_reg] = sx ? load_sx(p, size) : load(p, size);
			}
			pc++;
			break;
		}
		case BPF_ST:
		case BPF_STX: {
			unsigned size = size_of(code);
			uint64_t base = r[in->dst_reg], v;

			if (BPF_MODE(code) == BPF_ATOMIC) {
				do_atomic(c, in, aux, r);
				pc++;
				break;
			}
			v = BPF_CLASS(code) == BPF_STX ? r[in->src_reg] : (uint64_t)(int64_t)in->imm;
			if (is_arena(c, aux, base)) {
				void *p = arena_addr(c, base, in->off, size);

				if (p)
					store(p, v, size);
			} else {
				store((void *)(uintptr_t)(base + in->off), v, size);
			}
			pc++;
			break;
		}
		case BPF_LD:
			/* only ld_imm64 survives the load-time checks */
			r[in->dst_reg] = (uint32_t)in->imm | ((uint64_t)(uint32_t)in[1].imm << 32);
			pc += 2;
			break;
		case BPF_JMP:
		case BPF_JMP32: {
			bool is32 = BPF_CLASS(code) == BPF_JMP32;

			switch (BPF_OP(code)) {
			case BPF_JA:
				pc += 1 + (is32 ? in->imm : in->off);
				break;
			case BPF_CALL:
				if (in->src_reg == BPF_PSEUDO_CALL) {
					struct frame *f;

					if (depth + 1 >= MAX_FRAMES)
						return 0; /* the verifier bounds the depth */
					f = &frames[depth++];
					memcpy(f->saved, &r[6], sizeof(f->saved));
					f->saved_fp = r[10];
					f->ret_pc = pc + 1;
					frames[depth].mg_count = MAY_GOTO_BATCH;
					frames[depth].mg_start = 0;
					r[10] = (uintptr_t)(stack + sizeof(stack) - depth * FRAME_STACK);
					pc = aux->target;
					break;
				}
				if (in->src_reg == 0 && in->imm == BPF_FUNC_loop)
					r[0] = interp_loop_helper(c, r[1], r[2], r[3], r[4]);
				else
					r[0] = aux->call->fn(r[1], r[2], r[3], r[4], r[5]);
				pc++;
				break;
			case BPF_EXIT:
				if (!depth)
					return r[0];
				depth--;
				memcpy(&r[6], frames[depth].saved, sizeof(frames[depth].saved));
				r[10] = frames[depth].saved_fp;
				pc = frames[depth].ret_pc;
				break;
			case BPF_JCOND_OP: { /* may_goto */
				struct frame *f = &frames[depth];

				if (!f->mg_count) {
					pc += 1 + in->off;
					break;
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
				pc++;
				break;
			}
			default: {
				uint64_t b = BPF_SRC(code) == BPF_X ? r[in->src_reg] : (uint64_t)(int64_t)in->imm;

				pc += 1 + (jmp_taken(code, r[in->dst_reg], b, is32) ? in->off : 0);
				break;
			}
			}
			break;
		}
		default:
			return 0;
		}
	}
}

uint64_t ukern_interp_run(const struct ukern_prog *prog, void *ctx)
{
	struct ictx c = { .prog = prog, .by_addr = !prog->verified };

	if (prog->arena) {
		struct ukern_arena_view v;

		ukern_arena_view(prog->arena, &v);
		c.arena = true;
		c.arena_map = prog->arena;
		c.kbase = (char *)(uintptr_t)v.kern_vm_start;
		c.user_hi = v.user_vm_start & ~0xffffffffull;
		c.no_user_conv = prog->arena->flags & BPF_F_NO_USER_CONV;
	}
	return run_from(&c, 0, (uintptr_t)ctx, 0);
}
