/* Shared by the JIT's unit tests (test_jit*.c) and bench/jit: building programs by hand, a fake arena (a 4 GiB
 * window with guards, pages present or absent as the test decides), and a reference evaluator that computes
 * what a program must return from the BPF semantics alone, independently of the JIT.
 *
 * Link-time fallbacks: the JIT needs ukern_log() and ukern_arena_view() from the core. The definitions here
 * are weak, so the core's win as soon as its objects are linked for another reason, and a test of jit/ does
 * not drag the whole core (loader, verifier, maps) in. The fault dispatcher is the core's (fault.c).
 */
#ifndef UKERN_JIT_TESTLIB_H
#define UKERN_JIT_TESTLIB_H

#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"
#include "jit/jit.h"
#include "jit/jit_internal.h"

__attribute__((weak)) void ukern_log(enum ukern_print_level level, const char *fmt, ...)
{
	va_list ap;

	if (level == UKERN_DEBUG)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

__attribute__((weak)) int ukern_arena_view(struct ukern_map *map, struct ukern_arena_view *view)
{
	return -ENOSYS;
}

/* ---- instruction builders -------------------------------------------------------------------------- */

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define ALU64_REG(op, d, s) INSN(BPF_ALU64 | (op) | BPF_X, d, s, 0, 0)
#define ALU32_REG(op, d, s) INSN(BPF_ALU | (op) | BPF_X, d, s, 0, 0)
#define ALU64_IMM(op, d, i) INSN(BPF_ALU64 | (op) | BPF_K, d, 0, 0, i)
#define ALU32_IMM(op, d, i) INSN(BPF_ALU | (op) | BPF_K, d, 0, 0, i)
#define MOV64_REG(d, s) ALU64_REG(BPF_MOV, d, s)
#define MOV64_IMM(d, i) ALU64_IMM(BPF_MOV, d, i)
#define LDX(sz, d, s, o) INSN(BPF_LDX | BPF_MEM | (sz), d, s, o, 0)
#define LDXSX(sz, d, s, o) INSN(BPF_LDX | 0x80 | (sz), d, s, o, 0)
#define STX(sz, d, s, o) INSN(BPF_STX | BPF_MEM | (sz), d, s, o, 0)
#define ST(sz, d, o, i) INSN(BPF_ST | BPF_MEM | (sz), d, 0, o, i)
#define ATOMIC(sz, op, d, s, o) INSN(BPF_STX | BPF_ATOMIC | (sz), d, s, o, op)
#define JMP_IMM(op, d, i, o) INSN(BPF_JMP | (op) | BPF_K, d, 0, o, i)
#define JMP_REG(op, d, s, o) INSN(BPF_JMP | (op) | BPF_X, d, s, o, 0)
#define JA(o) INSN(BPF_JMP | BPF_JA, 0, 0, o, 0)
#define EXIT() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define CAST_KERN(d, s) INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 1, 1)
#define CAST_USER(d, s) INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 1, 1 << 16)
#define MAY_GOTO(o) INSN(BPF_JMP | 0xe0, 0, 0, o, 0)

struct tprog {
	struct bpf_insn insns[8192];
	struct ukern_insn_aux aux[8192];
	uint32_t n;
	struct ukern_prog prog;
};

static inline uint32_t tp_add(struct tprog *t, struct bpf_insn in, uint32_t flags)
{
	if (t->n >= 8192) {
		fprintf(stderr, "test program too long\n");
		exit(2);
	}
	t->insns[t->n] = in;
	memset(&t->aux[t->n], 0, sizeof(t->aux[0]));
	t->aux[t->n].flags = flags;
	return t->n++;
}

static inline uint32_t tp(struct tprog *t, struct bpf_insn in)
{
	uint32_t fl = 0;

	if (in.code == (BPF_ALU64 | BPF_MOV | BPF_X) && in.off == 1)
		fl = in.imm == 1 ? UKERN_AUX_CAST_KERN : UKERN_AUX_CAST_USER;
	return tp_add(t, in, fl);
}

/* An arena access (the verifier would mark it PROBE_MEM32). */
static inline uint32_t tp_arena(struct tprog *t, struct bpf_insn in)
{
	return tp_add(t, in, UKERN_AUX_PROBE_MEM32);
}

static inline void tp_ld64(struct tprog *t, int dst, uint64_t v)
{
	tp(t, INSN(BPF_LD | BPF_IMM | BPF_DW, dst, 0, 0, (int32_t)(uint32_t)v));
	tp(t, INSN(0, 0, 0, 0, (int32_t)(uint32_t)(v >> 32)));
}

static inline uint32_t tp_call_helper(struct tprog *t, const struct ukern_func_proto *proto)
{
	uint32_t i = tp(t, INSN(BPF_JMP | BPF_CALL, 0, 0, 0, 1));

	t->aux[i].call = proto;
	return i;
}

static inline uint32_t tp_call_sub(struct tprog *t, int32_t target)
{
	uint32_t i = tp(t, INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 0));

	t->aux[i].target = target;
	return i;
}

static inline struct ukern_prog *tp_prog(struct tprog *t, const char *name)
{
	memset(&t->prog, 0, sizeof(t->prog));
	snprintf(t->prog.name, sizeof(t->prog.name), "%s", name);
	t->prog.insns = t->insns;
	t->prog.aux = t->aux;
	t->prog.insn_cnt = t->n;
	t->prog.stack_depth = 512;
	return &t->prog;
}

/* ---- fake arena ------------------------------------------------------------------------------------ */

#define FA_GUARD (1ul << 16)
#define FA_PAGES 64u

enum fa_absent_mode {
	FA_ABSENT_NONE,  /* absent pages are PROT_NONE: every access faults (the kernel's way) */
	FA_ABSENT_ZERO,  /* absent pages read as zeroes, writes fault (the proposed zero-page scheme) */
};

struct fake_arena {
	uint8_t *window;              /* [window, window + 4 GiB + guard) */
	struct ukern_arena_view view;
	bool present[FA_PAGES];
	enum fa_absent_mode mode;
};

static inline int fa_init(struct fake_arena *fa, uint64_t user_vm_start)
{
	memset(fa, 0, sizeof(*fa));
	fa->window = mmap(NULL, (1ul << 32) + FA_GUARD, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1,
			  0);
	if (fa->window == MAP_FAILED)
		return -errno;
	fa->view.kern_vm_start = (uint64_t)(uintptr_t)fa->window + FA_GUARD / 2;
	fa->view.user_vm_start = user_vm_start;
	fa->view.size = (uint64_t)FA_PAGES * 4096;
	return 0;
}

static inline uint8_t *fa_page(struct fake_arena *fa, uint32_t pg)
{
	return (uint8_t *)(uintptr_t)fa->view.kern_vm_start + (uint64_t)pg * 4096;
}

/* Sets which of the first FA_PAGES pages are present (zeroed, RW); the rest follow the absent mode. */
static inline void fa_layout(struct fake_arena *fa, uint64_t present_mask, enum fa_absent_mode mode)
{
	fa->mode = mode;
	for (uint32_t pg = 0; pg < FA_PAGES; pg++) {
		uint8_t *p = fa_page(fa, pg);

		fa->present[pg] = (present_mask >> pg) & 1;
		mmap(p, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
		if (fa->present[pg])
			mprotect(p, 4096, PROT_READ | PROT_WRITE);
		else if (mode == FA_ABSENT_ZERO)
			mprotect(p, 4096, PROT_READ);
	}
}

/* ---- reference evaluator --------------------------------------------------------------------------- */

/* Runs a program of the shapes the tests build (ALU, jumps, stack, arena, atomics, helper calls) straight
 * from the BPF semantics, on its own stack and the fake arena's pages (present[] decides what an access
 * does, not the MMU). Returns r0, or sets *err on an instruction it does not know. */
struct ref_state {
	uint64_t r[11];
	uint8_t stack[512];
};

static inline uint8_t *ref_arena_addr(struct fake_arena *fa, uint64_t reg, int16_t off, int size, bool *ok)
{
	int64_t a = (int64_t)(uint32_t)reg + off;

	*ok = a >= 0 && a + size <= (int64_t)FA_PAGES * 4096 && fa->present[a / 4096] &&
	      fa->present[(a + size - 1) / 4096];
	return (uint8_t *)(uintptr_t)(fa->view.kern_vm_start + a);
}

static inline uint64_t ref_ld(const void *p, int sz)
{
	switch (sz) {
	case BPF_B: return *(const uint8_t *)p;
	case BPF_H: return *(const uint16_t *)p;
	case BPF_W: return *(const uint32_t *)p;
	default: return *(const uint64_t *)p;
	}
}

static inline void ref_st(void *p, int sz, uint64_t v)
{
	switch (sz) {
	case BPF_B: *(uint8_t *)p = v; break;
	case BPF_H: *(uint16_t *)p = v; break;
	case BPF_W: *(uint32_t *)p = v; break;
	default: *(uint64_t *)p = v; break;
	}
}

static inline int ref_size_bytes(int sz)
{
	return sz == BPF_B ? 1 : sz == BPF_H ? 2 : sz == BPF_W ? 4 : 8;
}

static inline uint64_t ref_sext(uint64_t v, int bits)
{
	return (uint64_t)((int64_t)(v << (64 - bits)) >> (64 - bits));
}

static inline uint64_t ref_alu(uint8_t op, bool is64, int16_t off, uint64_t a, uint64_t b, int *err)
{
	if (!is64) {
		a = (uint32_t)a;
		b = (uint32_t)b;
	}
	uint64_t r;

	switch (op) {
	case BPF_ADD: r = a + b; break;
	case BPF_SUB: r = a - b; break;
	case BPF_MUL: r = a * b; break;
	case BPF_OR: r = a | b; break;
	case BPF_AND: r = a & b; break;
	case BPF_XOR: r = a ^ b; break;
	case BPF_LSH: r = a << (b & (is64 ? 63 : 31)); break;
	case BPF_RSH: r = a >> (b & (is64 ? 63 : 31)); break;
	case BPF_ARSH:
		r = is64 ? (uint64_t)((int64_t)a >> (b & 63)) : (uint32_t)((int32_t)a >> (b & 31));
		break;
	case BPF_DIV:
		if (b == 0)
			r = 0;
		else if (!off)
			r = a / b;
		else if (is64)
			r = (int64_t)b == -1 ? -a : (uint64_t)((int64_t)a / (int64_t)b);
		else
			r = (int32_t)b == -1 ? (uint32_t)-(uint32_t)a : (uint32_t)((int32_t)a / (int32_t)b);
		break;
	case BPF_MOD:
		if (b == 0)
			r = a;
		else if (!off)
			r = a % b;
		else if (is64)
			r = (int64_t)b == -1 ? 0 : (uint64_t)((int64_t)a % (int64_t)b);
		else
			r = (int32_t)b == -1 ? 0 : (uint32_t)((int32_t)a % (int32_t)b);
		break;
	case BPF_NEG: r = -a; break;
	default:
		*err = -EINVAL;
		return 0;
	}
	return is64 ? r : (uint32_t)r;
}

static inline uint64_t ref_run(const struct ukern_prog *prog, struct fake_arena *fa, void *ctx, int *err)
{
	struct ref_state st;
	uint64_t *r = st.r;
	uint32_t pc = 0, steps = 0;

	memset(&st, 0, sizeof(st));
	r[1] = (uint64_t)(uintptr_t)ctx;
	r[10] = (uint64_t)(uintptr_t)(st.stack + sizeof(st.stack));
	*err = 0;
	while (pc < prog->insn_cnt && steps++ < 10000000) {
		const struct bpf_insn *in = &prog->insns[pc];
		uint32_t fl = prog->aux[pc].flags;
		uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
		int sz = BPF_SIZE(in->code);
		bool is64 = cls == BPF_ALU64 || cls == BPF_JMP;
		uint64_t *d = &r[in->dst_reg], s = BPF_SRC(in->code) == BPF_X ? r[in->src_reg] : (uint64_t)(int64_t)in->imm;
		bool ok = true;
		uint8_t *p;

		pc++;
		switch (cls) {
		case BPF_ALU: case BPF_ALU64:
			if (op == BPF_MOV) {
				if (BPF_SRC(in->code) == BPF_K)
					*d = is64 ? s : (uint32_t)s;
				else if (in->off == 1 && (fl & UKERN_AUX_CAST_USER)) {
					*d = (uint32_t)s;
					if (*d)
						*d |= fa->view.user_vm_start & ~0xffffffffull;
				} else if (in->off == 1)
					*d = (uint32_t)s;
				else if (in->off)
					*d = is64 ? ref_sext(s, in->off) : (uint32_t)ref_sext(s, in->off);
				else
					*d = is64 ? s : (uint32_t)s;
			} else if (op == BPF_END) {
				if (!is64 && BPF_SRC(in->code) == BPF_TO_LE)
					*d = in->imm == 16 ? (uint16_t)*d : in->imm == 32 ? (uint32_t)*d : *d;
				else
					*d = in->imm == 16 ? __builtin_bswap16(*d) : in->imm == 32 ? __builtin_bswap32(*d)
								: __builtin_bswap64(*d);
			} else {
				*d = ref_alu(op, is64, in->off, *d, s, err);
			}
			break;
		case BPF_LD:
			*d = (uint32_t)in[0].imm | (uint64_t)(uint32_t)in[1].imm << 32;
			pc++;
			break;
		case BPF_LDX:
			if (fl & UKERN_AUX_PROBE_MEM32)
				p = ref_arena_addr(fa, r[in->src_reg], in->off, ref_size_bytes(sz), &ok);
			else
				p = (uint8_t *)(uintptr_t)(r[in->src_reg] + in->off);
			if (!ok)
				*d = 0;
			else if (BPF_MODE(in->code) == 0x80)
				*d = ref_sext(ref_ld(p, sz), 8 * ref_size_bytes(sz));
			else
				*d = ref_ld(p, sz);
			break;
		case BPF_ST: case BPF_STX:
			if (fl & UKERN_AUX_PROBE_MEM32)
				p = ref_arena_addr(fa, *d, in->off, ref_size_bytes(sz), &ok);
			else
				p = (uint8_t *)(uintptr_t)(*d + in->off);
			if (cls == BPF_ST) {
				if (ok)
					ref_st(p, sz, (uint64_t)(int64_t)in->imm);
			} else if (BPF_MODE(in->code) == BPF_MEM) {
				if (ok)
					ref_st(p, sz, r[in->src_reg]);
			} else if (ok) {
				uint64_t old = ref_ld(p, sz), v = r[in->src_reg], nv = old;
				uint8_t aop = in->imm & ~BPF_FETCH;

				if (in->imm == BPF_CMPXCHG) {
					uint64_t cmp = sz == BPF_W ? (uint32_t)r[0] : r[0];

					if (old == cmp)
						ref_st(p, sz, v);
					r[0] = old;
					break;
				}
				if (in->imm == BPF_XCHG)
					nv = v;
				else if (aop == BPF_ADD)
					nv = old + v;
				else if (aop == BPF_AND)
					nv = old & v;
				else if (aop == BPF_OR)
					nv = old | v;
				else if (aop == BPF_XOR)
					nv = old ^ v;
				ref_st(p, sz, nv);
				if (in->imm & BPF_FETCH)
					r[in->src_reg] = old;
			}
			break;
		case BPF_JMP: case BPF_JMP32: {
			uint64_t a = *d, b = s;
			bool t;

			if (op == BPF_EXIT)
				return r[0];
			if (op == BPF_JA) {
				pc += cls == BPF_JMP ? in->off : in->imm;
				break;
			}
			if (op == BPF_CALL) {
				const struct ukern_func_proto *pr = prog->aux[pc - 1].call;

				if (!pr) {
					*err = -EINVAL;
					return 0;
				}
				r[0] = pr->fn(r[1], r[2], r[3], r[4], r[5]);
				break;
			}
			if (cls == BPF_JMP32) {
				a = (uint32_t)a;
				b = (uint32_t)b;
			}
			int64_t sa = cls == BPF_JMP32 ? (int32_t)a : (int64_t)a, sb = cls == BPF_JMP32 ? (int32_t)b : (int64_t)b;

			switch (op) {
			case BPF_JEQ: t = a == b; break;
			case BPF_JNE: t = a != b; break;
			case BPF_JSET: t = (a & b) != 0; break;
			case BPF_JGT: t = a > b; break;
			case BPF_JGE: t = a >= b; break;
			case BPF_JLT: t = a < b; break;
			case BPF_JLE: t = a <= b; break;
			case BPF_JSGT: t = sa > sb; break;
			case BPF_JSGE: t = sa >= sb; break;
			case BPF_JSLT: t = sa < sb; break;
			case BPF_JSLE: t = sa <= sb; break;
			default:
				*err = -EINVAL;
				return 0;
			}
			if (t)
				pc += in->off;
			break;
		}
		default:
			*err = -EINVAL;
			return 0;
		}
		if (*err)
			return 0;
	}
	*err = -ELOOP;
	return 0;
}

#endif /* UKERN_JIT_TESTLIB_H */
