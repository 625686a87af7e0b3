/* x86-64 JIT for verified ukern programs, shaped like the kernel's arch/x86/net/bpf_jit_comp.c.
 *
 * What: ukern_jit_compile() turns prog->insns (already verified, aux[] marked) into one executable image with
 * every function (main program and bpf-to-bpf subprograms) laid out in instruction order, each with its own
 * prologue; prog->jit_entry is the main function, called as uint64_t entry(void *ctx) (SysV).
 *
 * Register mapping (one table, reg_map[]): BPF r1..r5 sit in the SysV argument registers so helper and kfunc
 * calls need no shuffling and any function here is callable from C; r6..r9 and the frame pointer are
 * callee-saved; r12 holds the arena's kern_vm_start for the whole function (reloaded by every prologue,
 * because a callback may be entered from C code that used r12); r9, r10, r11 are scratch.
 *
 * Frame, per function invocation (entry rsp is 8 mod 16):
 *     push rbx, r12, r13, r14, r15, rbp; push 0; push MAY_GOTO_BATCH; mov rbp, rsp; sub rsp, 512 + 8
 * so BPF r10 = rbp, the BPF stack is [rbp - 512, rbp), the may_goto counter and start time are at [rbp] and
 * [rbp + 8], and rsp is 16-byte aligned at every call. The full 512 bytes are reserved whatever stack_depth says: it costs nothing and a
 * wrong depth cannot corrupt saved registers.
 *
 * Arena accesses (aux flag PROBE_MEM32) are one instruction, [src + r12*1 + off], as the kernel emits them.
 * The kernel relies on its verifier to keep arena pointers zero-extended (it inserts a 32-bit move after
 * 64-bit arithmetic on them). Our semantics are "kern_vm_start + (u32)reg + off" whatever the verifier did,
 * so a small forward analysis (zext_analyze) proves which registers have zero upper halves; where it cannot,
 * the access is preceded by mov r11d, reg32 and uses r11 (counted as arena_zext in the stats). Each arena
 * access gets an exception-table entry (extable.c) so an absent page reads 0 / drops the store / leaves an
 * atomic's registers untouched, as the kernel's fixups do.
 *
 * Sizes: jumps are short when they can be, so instruction offsets are found by emitting into a scratch
 * buffer until two passes agree (they only shrink; after 12 passes every jump is forced near, which
 * converges at once). The final pass writes into a fresh read-write mapping which is then made read+exec:
 * never writable and executable at the same time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "jit.h"
#include "jit_internal.h"

enum { RAX = 0, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };

static const uint8_t reg_map[11] = {
	[BPF_REG_0] = RAX, [BPF_REG_1] = RDI, [BPF_REG_2] = RSI, [BPF_REG_3] = RDX, [BPF_REG_4] = RCX,
	[BPF_REG_5] = R8,  [BPF_REG_6] = RBX, [BPF_REG_7] = R13, [BPF_REG_8] = R14, [BPF_REG_9] = R15,
	[BPF_REG_10] = RBP,
};
#define ARENA_REG R12
#define STACK_SIZE 512
#define MAX_PASSES 24
#define FORCE_NEAR_AFTER 12
#define BYTES_PER_INSN 160 /* upper bound of one BPF insn's code, prologue included */

/* x86 condition codes (low nibble of Jcc). */
enum { CC_B = 2, CC_AE = 3, CC_E = 4, CC_NE = 5, CC_BE = 6, CC_A = 7, CC_L = 0xc, CC_GE = 0xd, CC_LE = 0xe,
       CC_G = 0xf };

struct jit_ctx {
	const struct ukern_prog *prog;
	const struct ukern_arena_view *view;
	uint8_t *buf;
	uint32_t cap, len;
	bool overflow, force_near;
	uint64_t image_base;        /* final pass only: where buf will execute */
	/* previous pass (targets) and this pass (recorded) */
	uint32_t *addr_prev, *addr_cur;   /* start of insn i's own code (after a prologue) */
	uint32_t *func_prev, *func_cur;   /* start of the prologue of a function starting at insn i */
	uint32_t *block;                  /* start of everything emitted for insn i (disassembly) */
	bool *is_func;
	uint16_t *zext_in;                /* registers known to have zero upper 32 bits before insn i */
	struct jit_ex *ex;
	uint32_t ex_cnt, ex_cap;
	uint32_t arena_zext;
	int err;
};

/* ---- byte emitters --------------------------------------------------------------------------------- */

static void emit1(struct jit_ctx *c, uint8_t b)
{
	if (c->len < c->cap)
		c->buf[c->len] = b;
	else
		c->overflow = true;
	c->len++;
}

static void emit2(struct jit_ctx *c, uint16_t v)
{
	emit1(c, v);
	emit1(c, v >> 8);
}

static void emit4(struct jit_ctx *c, uint32_t v)
{
	emit2(c, v);
	emit2(c, v >> 16);
}

static void emit8(struct jit_ctx *c, uint64_t v)
{
	emit4(c, v);
	emit4(c, v >> 32);
}

/* Opcode bytes packed big-endian in op (0x0fb6 is 0f b6). */
static void emit_opcode(struct jit_ctx *c, uint32_t op)
{
	if (op > 0xffff)
		emit1(c, op >> 16);
	if (op > 0xff)
		emit1(c, op >> 8);
	emit1(c, op);
}

static bool is_imm8(int64_t v)
{
	return v >= -128 && v <= 127;
}

/* ---- ModRM instruction encoder -------------------------------------------------------------------- */

enum {
	XF_W = 1,     /* REX.W: 64-bit operand */
	XF_66 = 2,    /* operand-size prefix: 16-bit operand */
	XF_LOCK = 4,
	XF_BREG = 8,  /* the reg field names a byte register (sil/dil need a REX) */
	XF_BRM = 16,  /* the r/m register names a byte register */
};

struct xmem {
	int base, index; /* index -1: none */
	int32_t disp;
};

static struct xmem mem(int base, int32_t disp)
{
	return (struct xmem){ base, -1, disp };
}

/* op reg, r/m: r/m is register rm when m is NULL, else the memory operand m. */
static void emit_modrm(struct jit_ctx *c, unsigned f, uint32_t op, int reg, int rm, const struct xmem *m)
{
	uint8_t rex = 0x40 | ((f & XF_W) ? 8 : 0) | ((reg & 8) ? 4 : 0);
	bool need;

	if (m)
		rex |= ((m->index >= 0 && (m->index & 8)) ? 2 : 0) | ((m->base & 8) ? 1 : 0);
	else
		rex |= (rm & 8) ? 1 : 0;
	need = rex != 0x40 || ((f & XF_BREG) && reg >= 4 && reg < 8) || ((f & XF_BRM) && !m && rm >= 4 && rm < 8);
	if (f & XF_LOCK)
		emit1(c, 0xf0);
	if (f & XF_66)
		emit1(c, 0x66);
	if (need)
		emit1(c, rex);
	emit_opcode(c, op);
	if (!m) {
		emit1(c, 0xc0 | (reg & 7) << 3 | (rm & 7));
		return;
	}
	int mod = (m->disp == 0 && (m->base & 7) != RBP) ? 0 : is_imm8(m->disp) ? 1 : 2;
	if (m->index >= 0 || (m->base & 7) == RSP) {
		emit1(c, mod << 6 | (reg & 7) << 3 | 4);
		emit1(c, ((m->index >= 0 ? m->index : RSP) & 7) << 3 | (m->base & 7));
	} else {
		emit1(c, mod << 6 | (reg & 7) << 3 | (m->base & 7));
	}
	if (mod == 1)
		emit1(c, (uint8_t)m->disp);
	else if (mod == 2)
		emit4(c, (uint32_t)m->disp);
}

static void emit_rr(struct jit_ctx *c, unsigned f, uint32_t op, int reg, int rm)
{
	emit_modrm(c, f, op, reg, rm, NULL);
}

static unsigned w_if(bool is64)
{
	return is64 ? XF_W : 0;
}

/* ---- instruction helpers --------------------------------------------------------------------------- */

static void emit_mov_rr(struct jit_ctx *c, bool is64, int dst, int src)
{
	if (is64 && dst == src)
		return;
	emit_rr(c, w_if(is64), 0x89, src, dst);
}

/* ALU with an immediate: ext is the /digit (add 0, or 1, and 4, sub 5, xor 6, cmp 7). */
static void emit_alu_imm(struct jit_ctx *c, bool is64, int ext, int dst, int32_t imm)
{
	if (is_imm8(imm)) {
		emit_rr(c, w_if(is64), 0x83, ext, dst);
		emit1(c, (uint8_t)imm);
	} else {
		emit_rr(c, w_if(is64), 0x81, ext, dst);
		emit4(c, (uint32_t)imm);
	}
}

/* dst = imm (sign-extended when is64, zero-extended otherwise). May clobber flags (xor for 0). */
static void emit_mov_imm32(struct jit_ctx *c, bool is64, int dst, int32_t imm)
{
	if (is64 && imm < 0) {
		emit_rr(c, XF_W, 0xc7, 0, dst);
		emit4(c, (uint32_t)imm);
	} else if (imm == 0) {
		emit_rr(c, 0, 0x31, dst, dst);
	} else {
		if (dst & 8)
			emit1(c, 0x41);
		emit1(c, 0xb8 + (dst & 7));
		emit4(c, (uint32_t)imm);
	}
}

static void emit_movabs(struct jit_ctx *c, int dst, uint64_t v)
{
	emit1(c, 0x48 | ((dst & 8) ? 1 : 0));
	emit1(c, 0xb8 + (dst & 7));
	emit8(c, v);
}

static void emit_mov_imm64(struct jit_ctx *c, int dst, uint64_t v)
{
	if (v <= UINT32_MAX)
		emit_mov_imm32(c, false, dst, (int32_t)(uint32_t)v);
	else if ((int64_t)v == (int32_t)v)
		emit_mov_imm32(c, true, dst, (int32_t)v);
	else
		emit_movabs(c, dst, v);
}

static void emit_push(struct jit_ctx *c, int r)
{
	if (r & 8)
		emit1(c, 0x41);
	emit1(c, 0x50 + (r & 7));
}

static void emit_pop(struct jit_ctx *c, int r)
{
	if (r & 8)
		emit1(c, 0x41);
	emit1(c, 0x58 + (r & 7));
}

/* Short jumps inside one instruction's sequence: emit with a zero displacement, patch when the label is
 * reached. Sequences are far shorter than 128 bytes. */
static uint32_t emit_jcc8(struct jit_ctx *c, int cc)
{
	emit1(c, cc < 0 ? 0xeb : 0x70 + cc);
	emit1(c, 0);
	return c->len;
}

static void patch_jcc8(struct jit_ctx *c, uint32_t after)
{
	if (after <= c->cap)
		c->buf[after - 1] = (uint8_t)(c->len - after);
}

/* Jump (cc < 0: unconditional) to an image offset taken from the previous pass. */
static void emit_jump_to(struct jit_ctx *c, int cc, uint32_t target)
{
	int64_t rel8 = (int64_t)target - (int64_t)(c->len + 2);

	if (!c->force_near && is_imm8(rel8)) {
		emit1(c, cc < 0 ? 0xeb : 0x70 + cc);
		emit1(c, (uint8_t)rel8);
		return;
	}
	if (cc < 0) {
		emit1(c, 0xe9);
	} else {
		emit1(c, 0x0f);
		emit1(c, 0x80 + cc);
	}
	emit4(c, (uint32_t)((int64_t)target - (int64_t)(c->len + 4)));
}

static void ex_add(struct jit_ctx *c, uint32_t start, uint32_t resume, int zero_reg, enum jit_ex_kind kind,
		   uint32_t idx)
{
	if (c->ex_cnt == c->ex_cap) {
		uint32_t n = c->ex_cap ? 2 * c->ex_cap : 64;
		struct jit_ex *e = realloc(c->ex, n * sizeof(*e));

		if (!e) {
			c->err = -ENOMEM;
			return;
		}
		c->ex = e;
		c->ex_cap = n;
	}
	c->ex[c->ex_cnt++] = (struct jit_ex){ .insn_off = start, .resume = resume, .zero_reg = (int8_t)zero_reg,
					      .kind = kind, .bpf_idx = idx };
}

/* ---- memory operands ------------------------------------------------------------------------------- */

/* The operand of insn idx addressing [breg + off]: a plain access, or an arena one (kern_vm_start +
 * (u32)breg + off). For an arena access whose base register is not known zero-extended, the 32-bit index is
 * first copied into scratch. */
static struct xmem mem_operand(struct jit_ctx *c, uint32_t idx, int bpf_base, int16_t off, int scratch)
{
	int base = reg_map[bpf_base];

	if (!(c->prog->aux[idx].flags & UKERN_AUX_PROBE_MEM32))
		return mem(base, off);
	if (!(c->zext_in[idx] & (1u << bpf_base))) {
		emit_mov_rr(c, false, scratch, base);
		base = scratch;
		c->arena_zext++;
	}
	return (struct xmem){ base, ARENA_REG, off };
}

static bool is_arena(const struct jit_ctx *c, uint32_t idx)
{
	return c->prog->aux[idx].flags & UKERN_AUX_PROBE_MEM32;
}

static void emit_load(struct jit_ctx *c, int size, bool sx, int dst, const struct xmem *m)
{
	switch (size) {
	case BPF_B:
		emit_modrm(c, sx ? XF_W : 0, sx ? 0x0fbe : 0x0fb6, dst, 0, m);
		break;
	case BPF_H:
		emit_modrm(c, sx ? XF_W : 0, sx ? 0x0fbf : 0x0fb7, dst, 0, m);
		break;
	case BPF_W:
		emit_modrm(c, sx ? XF_W : 0, sx ? 0x63 : 0x8b, dst, 0, m);
		break;
	default:
		emit_modrm(c, XF_W, 0x8b, dst, 0, m);
		break;
	}
}

static void emit_store_reg(struct jit_ctx *c, int size, const struct xmem *m, int src)
{
	switch (size) {
	case BPF_B:
		emit_modrm(c, XF_BREG, 0x88, src, 0, m);
		break;
	case BPF_H:
		emit_modrm(c, XF_66, 0x89, src, 0, m);
		break;
	case BPF_W:
		emit_modrm(c, 0, 0x89, src, 0, m);
		break;
	default:
		emit_modrm(c, XF_W, 0x89, src, 0, m);
		break;
	}
}

static void emit_store_imm(struct jit_ctx *c, int size, const struct xmem *m, int32_t imm)
{
	switch (size) {
	case BPF_B:
		emit_modrm(c, 0, 0xc6, 0, 0, m);
		emit1(c, (uint8_t)imm);
		break;
	case BPF_H:
		emit_modrm(c, XF_66, 0xc7, 0, 0, m);
		emit2(c, (uint16_t)imm);
		break;
	case BPF_W:
		emit_modrm(c, 0, 0xc7, 0, 0, m);
		emit4(c, (uint32_t)imm);
		break;
	default:
		emit_modrm(c, XF_W, 0xc7, 0, 0, m);
		emit4(c, (uint32_t)imm);
		break;
	}
}

/* ---- prologue, epilogue ---------------------------------------------------------------------------- */

static void emit_prologue(struct jit_ctx *c)
{
	emit_push(c, RBX);
	emit_push(c, R12);
	emit_push(c, R13);
	emit_push(c, R14);
	emit_push(c, R15);
	emit_push(c, RBP);
	emit1(c, 0x6a); /* push 0: may_goto start time, none yet */
	emit1(c, 0);
	emit1(c, 0x68); /* push imm32: this invocation's may_goto counter */
	emit4(c, UKERN_MAY_GOTO_BATCH);
	emit_mov_rr(c, true, RBP, RSP);
	emit_alu_imm(c, true, 5, RSP, STACK_SIZE + 8);
	if (c->view)
		emit_movabs(c, ARENA_REG, c->view->kern_vm_start);
}

static void emit_epilogue(struct jit_ctx *c)
{
	struct xmem m = mem(RBP, 16);

	emit_modrm(c, XF_W, 0x8d, RSP, 0, &m); /* lea rsp, [rbp + 16]: drop the stack and may_goto's slots */
	emit_pop(c, RBP);
	emit_pop(c, R15);
	emit_pop(c, R14);
	emit_pop(c, R13);
	emit_pop(c, R12);
	emit_pop(c, RBX);
	emit1(c, 0xc3);
}

/* ---- ALU ------------------------------------------------------------------------------------------- */

/* div/mod with the kernel's semantics: x / 0 = 0, x % 0 = x (32-bit: zero-extended), signed x / -1 = -x and
 * x % -1 = 0 (x86 idiv would trap on INT_MIN / -1). The divisor goes to r11, rax/rdx are parked in r9/r10. */
static void emit_divmod(struct jit_ctx *c, bool is64, bool is_mod, bool is_signed, int dst, const struct bpf_insn *in)
{
	uint32_t j_nonzero, j_done1, j_normal = 0, j_done2 = 0;

	if (BPF_SRC(in->code) == BPF_X)
		emit_mov_rr(c, true, R11, reg_map[in->src_reg]);
	else
		emit_mov_imm32(c, true, R11, in->imm);
	emit_rr(c, w_if(is64), 0x85, R11, R11); /* test r11, r11 */
	j_nonzero = emit_jcc8(c, CC_NE);
	if (!is_mod)
		emit_rr(c, 0, 0x31, dst, dst);
	else if (!is64)
		emit_mov_rr(c, false, dst, dst);
	j_done1 = emit_jcc8(c, -1);
	patch_jcc8(c, j_nonzero);
	if (is_signed) {
		emit_alu_imm(c, is64, 7, R11, -1);
		j_normal = emit_jcc8(c, CC_NE);
		if (is_mod)
			emit_rr(c, 0, 0x31, dst, dst);
		else
			emit_rr(c, w_if(is64), 0xf7, 3, dst); /* neg */
		j_done2 = emit_jcc8(c, -1);
		patch_jcc8(c, j_normal);
	}
	emit_mov_rr(c, true, R9, RAX);
	emit_mov_rr(c, true, R10, RDX);
	emit_mov_rr(c, true, RAX, dst);
	if (is_signed) {
		if (is64)
			emit1(c, 0x48);
		emit1(c, 0x99); /* cqo / cdq */
	} else {
		emit_rr(c, 0, 0x31, RDX, RDX);
	}
	emit_rr(c, w_if(is64), 0xf7, is_signed ? 7 : 6, R11);
	emit_mov_rr(c, true, R11, is_mod ? RDX : RAX); /* 32-bit results are already zero-extended */
	emit_mov_rr(c, true, RAX, R9);
	emit_mov_rr(c, true, RDX, R10);
	emit_mov_rr(c, true, dst, R11);
	patch_jcc8(c, j_done1);
	if (is_signed)
		patch_jcc8(c, j_done2);
}

/* Shift by a register: x86 takes the count in cl (BPF r4 lives in rcx). Both mask the count (31/63). */
static void emit_shift_reg(struct jit_ctx *c, bool is64, int ext, int dst, int src)
{
	if (src == RCX) {
		emit_rr(c, w_if(is64), 0xd3, ext, dst);
		return;
	}
	if (dst == RCX) {
		emit_mov_rr(c, true, R11, RCX);
		emit_mov_rr(c, true, RCX, src);
		emit_rr(c, w_if(is64), 0xd3, ext, R11);
		emit_mov_rr(c, true, RCX, R11);
		return;
	}
	emit_mov_rr(c, true, R11, RCX);
	emit_mov_rr(c, true, RCX, src);
	emit_rr(c, w_if(is64), 0xd3, ext, dst);
	emit_mov_rr(c, true, RCX, R11);
}

static void emit_bswap(struct jit_ctx *c, int dst, int bits)
{
	if (bits == 16) {
		emit_rr(c, XF_66, 0xc1, 0, dst); /* rol r16, 8 */
		emit1(c, 8);
		emit_rr(c, 0, 0x0fb7, dst, dst);
		return;
	}
	emit1(c, 0x40 | (bits == 64 ? 8 : 0) | ((dst & 8) ? 1 : 0));
	emit1(c, 0x0f);
	emit1(c, 0xc8 + (dst & 7));
}

static int alu_ext(uint8_t op)
{
	switch (op) {
	case BPF_ADD: return 0;
	case BPF_OR: return 1;
	case BPF_AND: return 4;
	case BPF_SUB: return 5;
	case BPF_XOR: return 6;
	}
	return -1;
}

static uint32_t alu_rr_opcode(uint8_t op)
{
	switch (op) {
	case BPF_ADD: return 0x01;
	case BPF_OR: return 0x09;
	case BPF_AND: return 0x21;
	case BPF_SUB: return 0x29;
	case BPF_XOR: return 0x31;
	}
	return 0;
}

static int do_alu(struct jit_ctx *c, uint32_t idx, const struct bpf_insn *in)
{
	bool is64 = BPF_CLASS(in->code) == BPF_ALU64;
	bool src_x = BPF_SRC(in->code) == BPF_X;
	uint8_t op = BPF_OP(in->code);
	int dst = reg_map[in->dst_reg], src = reg_map[in->src_reg];

	switch (op) {
	case BPF_ADD: case BPF_SUB: case BPF_AND: case BPF_OR: case BPF_XOR:
		if (src_x)
			emit_rr(c, w_if(is64), alu_rr_opcode(op), src, dst);
		else
			emit_alu_imm(c, is64, alu_ext(op), dst, in->imm);
		return 0;
	case BPF_MOV:
		if (!src_x) {
			emit_mov_imm32(c, is64, dst, in->imm);
			return 0;
		}
		if (is64 && in->off == BPF_ADDR_SPACE_CAST) {
			uint32_t fl = c->prog->aux[idx].flags;
			bool user = (fl & UKERN_AUX_CAST_USER) || (!(fl & UKERN_AUX_CAST_KERN) &&
								    (uint32_t)in->imm == BPF_ARENA_CAST_USER_IMM);

			if (!(fl & (UKERN_AUX_CAST_KERN | UKERN_AUX_CAST_USER)) &&
			    (uint32_t)in->imm != BPF_ARENA_CAST_KERN_IMM && (uint32_t)in->imm != BPF_ARENA_CAST_USER_IMM)
				return -EINVAL;
			if (c->prog->arena && (c->prog->arena->flags & BPF_F_NO_USER_CONV))
				user = false; /* the verifier normally rewrote it already */
			emit_mov_rr(c, false, dst, src);
			if (user) {
				uint64_t hi = c->view ? c->view->user_vm_start & ~0xffffffffull : 0;
				uint32_t j;

				emit_rr(c, 0, 0x85, dst, dst);
				j = emit_jcc8(c, CC_E);
				emit_movabs(c, R11, hi);
				emit_rr(c, XF_W, 0x09, R11, dst);
				patch_jcc8(c, j);
			}
			return 0;
		}
		switch (in->off) {
		case 0:
			emit_mov_rr(c, is64, dst, src);
			return 0;
		case 8:
			emit_rr(c, w_if(is64) | XF_BRM, 0x0fbe, dst, src);
			return 0;
		case 16:
			emit_rr(c, w_if(is64), 0x0fbf, dst, src);
			return 0;
		case 32:
			if (!is64)
				return -EINVAL;
			emit_rr(c, XF_W, 0x63, dst, src);
			return 0;
		}
		return -EINVAL;
	case BPF_MUL:
		if (src_x) {
			emit_rr(c, w_if(is64), 0x0faf, dst, src);
		} else if (is_imm8(in->imm)) {
			emit_rr(c, w_if(is64), 0x6b, dst, dst);
			emit1(c, (uint8_t)in->imm);
		} else {
			emit_rr(c, w_if(is64), 0x69, dst, dst);
			emit4(c, (uint32_t)in->imm);
		}
		return 0;
	case BPF_DIV: case BPF_MOD:
		if (in->off != 0 && in->off != 1)
			return -EINVAL;
		emit_divmod(c, is64, op == BPF_MOD, in->off == 1, dst, in);
		return 0;
	case BPF_LSH: case BPF_RSH: case BPF_ARSH: {
		int ext = op == BPF_LSH ? 4 : op == BPF_RSH ? 5 : 7;

		if (src_x) {
			emit_shift_reg(c, is64, ext, dst, src);
		} else {
			int n = in->imm & (is64 ? 63 : 31);

			if (n == 0) {
				if (!is64)
					emit_mov_rr(c, false, dst, dst);
			} else if (n == 1) {
				emit_rr(c, w_if(is64), 0xd1, ext, dst);
			} else {
				emit_rr(c, w_if(is64), 0xc1, ext, dst);
				emit1(c, (uint8_t)n);
			}
		}
		return 0;
	}
	case BPF_NEG:
		emit_rr(c, w_if(is64), 0xf7, 3, dst);
		return 0;
	case BPF_END:
		if (in->imm != 16 && in->imm != 32 && in->imm != 64)
			return -EINVAL;
		if (!is64 && BPF_SRC(in->code) == BPF_TO_LE) {
			if (in->imm == 16)
				emit_rr(c, 0, 0x0fb7, dst, dst);
			else if (in->imm == 32)
				emit_mov_rr(c, false, dst, dst);
			return 0;
		}
		emit_bswap(c, dst, in->imm);
		return 0;
	}
	return -EINVAL;
}

/* ---- jumps ----------------------------------------------------------------------------------------- */

static int jmp_cc(uint8_t op)
{
	switch (op) {
	case BPF_JEQ: return CC_E;
	case BPF_JNE: return CC_NE;
	case BPF_JSET: return CC_NE;
	case BPF_JGT: return CC_A;
	case BPF_JGE: return CC_AE;
	case BPF_JLT: return CC_B;
	case BPF_JLE: return CC_BE;
	case BPF_JSGT: return CC_G;
	case BPF_JSGE: return CC_GE;
	case BPF_JSLT: return CC_L;
	case BPF_JSLE: return CC_LE;
	}
	return -1;
}

uint64_t ukern_jit_may_goto_check(uint64_t *slot)
{
	struct timespec ts;
	uint64_t now;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	if (!slot[1]) {
		slot[1] = now;
		return UKERN_MAY_GOTO_BATCH;
	}
	return now - slot[1] >= UKERN_MAY_GOTO_BUDGET_NS ? 0 : UKERN_MAY_GOTO_BATCH;
}

/* Once per batch, when the counter just reached 0: ask the clock (flags still from the sub). Every BPF
 * register the call could clobber is saved around it: 6 pushes keep rsp 16-byte aligned. */
static void emit_may_goto_check(struct jit_ctx *c)
{
	static const int saved[] = { RAX, RDI, RSI, RDX, RCX, R8 };
	struct xmem m = mem(RBP, 0);
	uint32_t j = emit_jcc8(c, CC_NE);

	for (int i = 0; i < 6; i++)
		emit_push(c, saved[i]);
	emit_mov_rr(c, true, RDI, RBP);
	emit_movabs(c, R11, (uint64_t)(uintptr_t)ukern_jit_may_goto_check);
	emit_rr(c, 0, 0xff, 2, R11);
	emit_modrm(c, XF_W, 0x89, RAX, 0, &m); /* mov [rbp], rax */
	for (int i = 5; i >= 0; i--)
		emit_pop(c, saved[i]);
	patch_jcc8(c, j);
}

static int do_call(struct jit_ctx *c, uint32_t idx, const struct bpf_insn *in)
{
	const struct ukern_insn_aux *aux = &c->prog->aux[idx];

	if (in->src_reg == BPF_PSEUDO_CALL) {
		if (aux->target < 0 || (uint32_t)aux->target >= c->prog->insn_cnt)
			return -EINVAL;
		emit1(c, 0xe8);
		emit4(c, (uint32_t)((int64_t)c->func_prev[aux->target] - (int64_t)(c->len + 4)));
		return 0;
	}
	if (!aux->call || !aux->call->fn) {
		ukern_log(UKERN_WARN, "jit: %s: insn %u calls %s %d which has no implementation\n", c->prog->name,
			  idx, in->src_reg == BPF_PSEUDO_KFUNC_CALL ? "kfunc" : "helper", in->imm);
		return -EINVAL;
	}
	if (in->src_reg == 0 && in->imm == BPF_FUNC_tail_call) {
		ukern_log(UKERN_WARN, "jit: %s: insn %u: tail calls are not supported\n", c->prog->name, idx);
		return -EOPNOTSUPP;
	}
	emit_movabs(c, R11, (uint64_t)(uintptr_t)aux->call->fn);
	emit_rr(c, 0, 0xff, 2, R11); /* call r11 */
	return 0;
}

static int do_jmp(struct jit_ctx *c, uint32_t idx, const struct bpf_insn *in)
{
	bool is64 = BPF_CLASS(in->code) == BPF_JMP;
	uint8_t op = BPF_OP(in->code);
	int dst = reg_map[in->dst_reg], src = reg_map[in->src_reg];
	int64_t t;
	int cc;

	switch (op) {
	case BPF_JA:
		t = (int64_t)idx + 1 + (is64 ? in->off : in->imm);
		if (t < 0 || t >= c->prog->insn_cnt)
			return -EINVAL;
		if (t != idx + 1)
			emit_jump_to(c, -1, c->addr_prev[t]);
		return 0;
	case BPF_EXIT:
		if (!is64)
			return -EINVAL;
		emit_epilogue(c);
		return 0;
	case BPF_CALL:
		if (!is64)
			return -EINVAL;
		return do_call(c, idx, in);
	case BPF_JCOND: {
		struct xmem m = mem(RBP, 0);

		if (!is64 || in->src_reg != BPF_MAY_GOTO)
			return -EINVAL;
		t = (int64_t)idx + 1 + in->off;
		if (t < 0 || t >= c->prog->insn_cnt)
			return -EINVAL;
		emit_modrm(c, XF_W, 0x83, 7, 0, &m); /* cmp qword [rbp], 0 */
		emit1(c, 0);
		emit_jump_to(c, CC_E, c->addr_prev[t]);
		emit_modrm(c, XF_W, 0x83, 5, 0, &m); /* sub qword [rbp], 1 */
		emit1(c, 1);
		emit_may_goto_check(c);
		return 0;
	}
	}
	cc = jmp_cc(op);
	if (cc < 0)
		return -EINVAL;
	t = (int64_t)idx + 1 + in->off;
	if (t < 0 || t >= c->prog->insn_cnt)
		return -EINVAL;
	if (BPF_SRC(in->code) == BPF_X)
		emit_rr(c, w_if(is64), op == BPF_JSET ? 0x85 : 0x39, src, dst);
	else if (op == BPF_JSET) {
		emit_rr(c, w_if(is64), 0xf7, 0, dst);
		emit4(c, (uint32_t)in->imm);
	} else if (in->imm == 0)
		emit_rr(c, w_if(is64), 0x85, dst, dst);
	else
		emit_alu_imm(c, is64, 7, dst, in->imm);
	emit_jump_to(c, cc, c->addr_prev[t]);
	return 0;
}

/* ---- loads, stores, atomics ------------------------------------------------------------------------ */

static int do_ldx(struct jit_ctx *c, uint32_t idx, const struct bpf_insn *in)
{
	int size = BPF_SIZE(in->code), dst = reg_map[in->dst_reg];
	bool sx = BPF_MODE(in->code) == BPF_MEMSX;
	struct xmem m;
	uint32_t start;

	if (sx && size == BPF_DW)
		return -EINVAL;
	m = mem_operand(c, idx, in->src_reg, in->off, R11);
	start = c->len;
	emit_load(c, size, sx, dst, &m);
	if (is_arena(c, idx))
		ex_add(c, start, c->len, dst, JIT_EX_LOAD, idx);
	return 0;
}

static int do_store(struct jit_ctx *c, uint32_t idx, const struct bpf_insn *in)
{
	int size = BPF_SIZE(in->code);
	struct xmem m = mem_operand(c, idx, in->dst_reg, in->off, R11);
	uint32_t start = c->len;

	if (BPF_CLASS(in->code) == BPF_ST)
		emit_store_imm(c, size, &m, in->imm);
	else
		emit_store_reg(c, size, &m, reg_map[in->src_reg]);
	if (is_arena(c, idx))
		ex_add(c, start, c->len, -1, JIT_EX_STORE, idx);
	return 0;
}

/* and/or/xor with fetch: x86 has no such instruction, so a cmpxchg loop. rax (BPF r0) is the loop's
 * comparand, parked in r10; r9 holds the address base, r11 the new value. A fault on the first load or on
 * the cmpxchg lands where r0 is restored, every other register untouched. */
static void emit_atomic_fetch_loop(struct jit_ctx *c, uint32_t idx, const struct bpf_insn *in, bool is64)
{
	int src = reg_map[in->src_reg];
	int operand = src == RAX ? R10 : src;
	uint8_t op = in->imm & ~BPF_FETCH;
	uint32_t alu = op == BPF_AND ? 0x21 : op == BPF_OR ? 0x09 : 0x31;
	struct xmem m;
	uint32_t s1, s2, loop, j_done;

	if (is_arena(c, idx)) {
		emit_mov_rr(c, false, R9, reg_map[in->dst_reg]);
		m = (struct xmem){ R9, ARENA_REG, in->off };
	} else {
		emit_mov_rr(c, true, R9, reg_map[in->dst_reg]);
		m = mem(R9, in->off);
	}
	emit_mov_rr(c, true, R10, RAX);
	s1 = c->len;
	emit_modrm(c, w_if(is64), 0x8b, RAX, 0, &m);
	loop = c->len;
	emit_mov_rr(c, true, R11, RAX);
	emit_rr(c, w_if(is64), alu, operand, R11);
	s2 = c->len;
	emit_modrm(c, w_if(is64) | XF_LOCK, 0x0fb1, R11, 0, &m);
	emit1(c, 0x75); /* jne loop */
	emit1(c, (uint8_t)(loop - (c->len + 1)));
	emit_mov_rr(c, is64, R11, RAX);
	emit_mov_rr(c, true, RAX, R10);
	emit_mov_rr(c, true, src, R11);
	j_done = emit_jcc8(c, -1);
	if (is_arena(c, idx)) {
		ex_add(c, s1, c->len, -1, JIT_EX_ATOMIC, idx);
		ex_add(c, s2, c->len, -1, JIT_EX_ATOMIC, idx);
	}
	emit_mov_rr(c, true, RAX, R10); /* fault landing */
	patch_jcc8(c, j_done);
}

static int do_atomic(struct jit_ctx *c, uint32_t idx, const struct bpf_insn *in)
{
	int size = BPF_SIZE(in->code);
	bool is64 = size == BPF_DW;
	int src = reg_map[in->src_reg], dst = reg_map[in->dst_reg];
	bool arena = is_arena(c, idx);
	struct xmem m;
	uint32_t start;

	if (in->imm == BPF_LOAD_ACQ || in->imm == BPF_STORE_REL) {
		/* x86 is TSO: plain moves already have acquire/release ordering. */
		if (in->imm == BPF_LOAD_ACQ) {
			m = mem_operand(c, idx, in->src_reg, in->off, R11);
			start = c->len;
			emit_load(c, size, false, dst, &m);
			if (arena)
				ex_add(c, start, c->len, dst, JIT_EX_LOAD, idx);
		} else {
			m = mem_operand(c, idx, in->dst_reg, in->off, R11);
			start = c->len;
			emit_store_reg(c, size, &m, src);
			if (arena)
				ex_add(c, start, c->len, -1, JIT_EX_STORE, idx);
		}
		return 0;
	}
	if (size != BPF_W && size != BPF_DW)
		return -EINVAL;
	switch (in->imm) {
	case BPF_AND | BPF_FETCH: case BPF_OR | BPF_FETCH: case BPF_XOR | BPF_FETCH:
		emit_atomic_fetch_loop(c, idx, in, is64);
		return 0;
	}
	m = mem_operand(c, idx, in->dst_reg, in->off, R11);
	start = c->len;
	switch (in->imm) {
	case BPF_ADD: case BPF_AND: case BPF_OR: case BPF_XOR:
		emit_modrm(c, w_if(is64) | XF_LOCK, alu_rr_opcode(in->imm), src, 0, &m);
		break;
	case BPF_ADD | BPF_FETCH:
		emit_modrm(c, w_if(is64) | XF_LOCK, 0x0fc1, src, 0, &m); /* xadd */
		break;
	case BPF_XCHG:
		emit_modrm(c, w_if(is64), 0x87, src, 0, &m);
		break;
	case BPF_CMPXCHG:
		emit_modrm(c, w_if(is64) | XF_LOCK, 0x0fb1, src, 0, &m);
		if (!is64)
			emit_mov_rr(c, false, RAX, RAX); /* r0 is the zero-extended old value */
		break;
	default:
		return -EINVAL;
	}
	if (arena)
		ex_add(c, start, c->len, -1, JIT_EX_ATOMIC, idx);
	return 0;
}

static int do_ld_imm64(struct jit_ctx *c, uint32_t idx, const struct bpf_insn *in)
{
	const struct ukern_insn_aux *aux = &c->prog->aux[idx];
	int dst = reg_map[in->dst_reg];
	uint64_t v;

	if (idx + 1 >= c->prog->insn_cnt || in->src_reg > BPF_PSEUDO_FUNC + 2)
		return -EINVAL;
	if ((aux->flags & UKERN_AUX_LDIMM_FUNC) || in->src_reg == BPF_PSEUDO_FUNC) {
		/* The subprogram's native address: callable from C (a helper such as bpf_loop) as a
		 * ukern_func_t, since every function here follows the SysV convention. Always 10 bytes, the
		 * address is known only in the final pass. */
		if (aux->target < 0 || (uint32_t)aux->target >= c->prog->insn_cnt)
			return -EINVAL;
		emit_movabs(c, dst, c->image_base ? c->image_base + c->func_prev[aux->target] : 0);
		return 0;
	}
	v = (uint32_t)in[0].imm | (uint64_t)(uint32_t)in[1].imm << 32;
	emit_mov_imm64(c, dst, v);
	return 0;
}

/* ---- one pass -------------------------------------------------------------------------------------- */

static int do_insn(struct jit_ctx *c, uint32_t idx)
{
	const struct bpf_insn *in = &c->prog->insns[idx];

	switch (BPF_CLASS(in->code)) {
	case BPF_ALU: case BPF_ALU64:
		return do_alu(c, idx, in);
	case BPF_JMP: case BPF_JMP32:
		return do_jmp(c, idx, in);
	case BPF_LDX:
		if (BPF_MODE(in->code) != BPF_MEM && BPF_MODE(in->code) != BPF_MEMSX)
			return -EINVAL;
		return do_ldx(c, idx, in);
	case BPF_ST:
		if (BPF_MODE(in->code) != BPF_MEM)
			return -EINVAL;
		return do_store(c, idx, in);
	case BPF_STX:
		if (BPF_MODE(in->code) == BPF_ATOMIC)
			return do_atomic(c, idx, in);
		if (BPF_MODE(in->code) != BPF_MEM)
			return -EINVAL;
		return do_store(c, idx, in);
	case BPF_LD:
		if (in->code != (BPF_LD | BPF_IMM | BPF_DW))
			return -EOPNOTSUPP; /* legacy packet access */
		return do_ld_imm64(c, idx, in);
	}
	return -EINVAL;
}

static int jit_pass(struct jit_ctx *c)
{
	const struct ukern_prog *prog = c->prog;

	c->len = 0;
	c->overflow = false;
	c->ex_cnt = 0;
	c->arena_zext = 0;
	for (uint32_t i = 0; i < prog->insn_cnt; i++) {
		const struct bpf_insn *in = &prog->insns[i];
		int err;

		c->block[i] = c->len;
		c->func_cur[i] = c->len;
		if (c->is_func[i])
			emit_prologue(c);
		c->addr_cur[i] = c->len;
		err = do_insn(c, i);
		if (err) {
			if (err == -EINVAL)
				ukern_log(UKERN_WARN, "jit: %s: insn %u (code 0x%02x) cannot be compiled\n",
					  prog->name, i, in->code);
			return err;
		}
		if (c->err)
			return c->err;
		if (in->code == (BPF_LD | BPF_IMM | BPF_DW)) {
			i++;
			c->block[i] = c->func_cur[i] = c->addr_cur[i] = c->len;
		}
	}
	c->block[prog->insn_cnt] = c->len;
	return c->overflow ? -E2BIG : 0;
}

/* ---- zero-extension analysis ----------------------------------------------------------------------- */

/* Registers (bit per BPF register) whose upper 32 bits are known zero after insn in, given those before. */
static uint16_t zext_transfer(const struct ukern_prog *prog, uint32_t idx, uint16_t k)
{
	const struct bpf_insn *in = &prog->insns[idx];
	uint16_t d = 1u << in->dst_reg, s = 1u << in->src_reg;
	uint8_t op = BPF_OP(in->code);

	switch (BPF_CLASS(in->code)) {
	case BPF_ALU:
		if (op == BPF_END && in->imm == 64)
			return BPF_SRC(in->code) == BPF_TO_LE ? k : k & ~d;
		return k | d;
	case BPF_ALU64:
		if (op == BPF_MOV) {
			if (BPF_SRC(in->code) == BPF_K)
				return in->imm >= 0 ? k | d : k & ~d;
			if (in->off == 0)
				return (k & s) ? k | d : k & ~d;
			if (in->off == BPF_ADDR_SPACE_CAST && (prog->aux[idx].flags & UKERN_AUX_CAST_KERN))
				return k | d;
			return k & ~d;
		}
		if (op == BPF_AND)
			return (BPF_SRC(in->code) == BPF_K ? in->imm >= 0 : (k & s) != 0) ? k | d : k;
		if (op == BPF_RSH || ((op == BPF_DIV || op == BPF_MOD) && in->off == 0))
			return k;
		return k & ~d;
	case BPF_LD:
		if (in->code == (BPF_LD | BPF_IMM | BPF_DW) && idx + 1 < prog->insn_cnt && !(prog->aux[idx].flags & (UKERN_AUX_LDIMM_FUNC |
		    UKERN_AUX_LDIMM_MAP | UKERN_AUX_LDIMM_VALUE)) && in->src_reg == 0 && in[1].imm == 0)
			return k | d;
		return k & ~d;
	case BPF_LDX:
		if (BPF_MODE(in->code) == BPF_MEM && BPF_SIZE(in->code) != BPF_DW)
			return k | d;
		return k & ~d;
	case BPF_STX:
		if (BPF_MODE(in->code) != BPF_ATOMIC)
			return k;
		if (in->imm == BPF_LOAD_ACQ)
			return BPF_SIZE(in->code) != BPF_DW ? k | d : k & ~d;
		if (in->imm == BPF_CMPXCHG)
			return BPF_SIZE(in->code) == BPF_W ? k : k & ~1u;
		if (in->imm & BPF_FETCH)
			return BPF_SIZE(in->code) == BPF_W ? k : k & ~s;
		return k;
	case BPF_JMP:
		if (op == BPF_CALL)
			return k & ~0x3fu;
		return k;
	}
	return k;
}

static int zext_analyze(struct jit_ctx *c)
{
	const struct ukern_prog *prog = c->prog;
	uint32_t n = prog->insn_cnt;
	bool changed = true;

	for (uint32_t i = 0; i < n; i++)
		c->zext_in[i] = c->is_func[i] ? 0 : 0xffff;
	for (int sweep = 0; changed; sweep++) {
		if (sweep == 64) {
			memset(c->zext_in, 0, n * sizeof(*c->zext_in)); /* give up: every access takes the safe form */
			return 0;
		}
		changed = false;
		for (uint32_t i = 0; i < n; i++) {
			const struct bpf_insn *in = &prog->insns[i];
			uint16_t out = zext_transfer(prog, i, c->zext_in[i]);
			int64_t succ[2] = { -1, -1 };
			uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);

			if (in->code == (BPF_LD | BPF_IMM | BPF_DW)) {
				succ[0] = i + 2;
			} else if (cls == BPF_JMP || cls == BPF_JMP32) {
				if (op == BPF_EXIT) {
					/* no successor */
				} else if (op == BPF_CALL) {
					succ[0] = i + 1;
				} else if (op == BPF_JA) {
					succ[0] = (int64_t)i + 1 + (cls == BPF_JMP ? in->off : in->imm);
				} else {
					succ[0] = i + 1;
					succ[1] = (int64_t)i + 1 + in->off;
				}
			} else {
				succ[0] = i + 1;
			}
			for (int k = 0; k < 2; k++) {
				if (succ[k] < 0 || succ[k] >= n)
					continue;
				uint16_t nv = c->zext_in[succ[k]] & out;

				if (nv != c->zext_in[succ[k]]) {
					c->zext_in[succ[k]] = nv;
					changed = true;
				}
			}
			if (in->code == (BPF_LD | BPF_IMM | BPF_DW))
				i++;
		}
	}
	return 0;
}

/* ---- compile --------------------------------------------------------------------------------------- */

static void ctx_free(struct jit_ctx *c)
{
	free(c->buf);
	free(c->addr_prev);
	free(c->addr_cur);
	free(c->func_prev);
	free(c->func_cur);
	free(c->is_func);
	free(c->zext_in);
	free(c->ex);
}

static int find_functions(struct jit_ctx *c)
{
	const struct ukern_prog *prog = c->prog;

	c->is_func[0] = true;
	for (uint32_t i = 0; i < prog->insn_cnt; i++) {
		const struct bpf_insn *in = &prog->insns[i];
		bool pcall = in->code == (BPF_JMP | BPF_CALL) && in->src_reg == BPF_PSEUDO_CALL;
		bool pfunc = in->code == (BPF_LD | BPF_IMM | BPF_DW) &&
			     ((prog->aux[i].flags & UKERN_AUX_LDIMM_FUNC) || in->src_reg == BPF_PSEUDO_FUNC);

		if (!pcall && !pfunc)
			continue;
		if (prog->aux[i].target <= 0 || (uint32_t)prog->aux[i].target >= prog->insn_cnt) {
			ukern_log(UKERN_WARN, "jit: %s: insn %u refers to function at insn %d, out of range\n",
				  prog->name, i, prog->aux[i].target);
			return -EINVAL;
		}
		c->is_func[prog->aux[i].target] = true;
	}
	return 0;
}

int ukern_jit_compile_view(struct ukern_prog *prog, const struct ukern_arena_view *view)
{
	struct jit_ctx c = { .prog = prog, .view = view };
	struct jit_priv *priv = NULL;
	uint32_t n = prog->insn_cnt, passes;
	size_t arr = (size_t)(n + 1) * sizeof(uint32_t);
	void *image = MAP_FAILED;
	size_t map_len = 0;
	int err;

	if (!n || !prog->insns || !prog->aux)
		return -EINVAL;
	if (prog->jit_image)
		return -EBUSY;
	c.cap = n * BYTES_PER_INSN + 4096;
	c.buf = malloc(c.cap);
	c.addr_prev = malloc(arr);
	c.addr_cur = malloc(arr);
	c.func_prev = malloc(arr);
	c.func_cur = malloc(arr);
	c.is_func = calloc(n, sizeof(bool));
	c.zext_in = calloc(n, sizeof(uint16_t));
	priv = calloc(1, sizeof(*priv));
	if (priv)
		priv->insn_off = malloc(arr);
	c.block = priv ? priv->insn_off : NULL;
	if (!c.buf || !c.addr_prev || !c.addr_cur || !c.func_prev || !c.func_cur || !c.is_func || !c.zext_in ||
	    !priv || !priv->insn_off) {
		err = -ENOMEM;
		goto fail;
	}
	err = find_functions(&c);
	if (err)
		goto fail;
	zext_analyze(&c);

	/* Pessimistic first layout: every target far, so the first pass picks near jumps and later passes
	 * only shrink. */
	for (uint32_t i = 0; i <= n; i++)
		c.addr_prev[i] = c.func_prev[i] = i * BYTES_PER_INSN;
	uint32_t prev_len = UINT32_MAX;

	for (passes = 1;; passes++) {
		if (passes > MAX_PASSES) {
			ukern_log(UKERN_WARN, "jit: %s: code size did not converge\n", prog->name);
			err = -EFAULT;
			goto fail;
		}
		c.force_near = passes > FORCE_NEAR_AFTER;
		err = jit_pass(&c);
		if (err)
			goto fail;
		bool same = c.len == prev_len && !memcmp(c.addr_prev, c.addr_cur, n * sizeof(uint32_t)) &&
			    !memcmp(c.func_prev, c.func_cur, n * sizeof(uint32_t));
		uint32_t *t = c.addr_prev;

		c.addr_prev = c.addr_cur;
		c.addr_cur = t;
		t = c.func_prev;
		c.func_prev = c.func_cur;
		c.func_cur = t;
		prev_len = c.len;
		if (same)
			break;
	}

	/* Final pass straight into a writable (not executable) mapping at its run address. */
	uint32_t len = c.len;
	long page = sysconf(_SC_PAGESIZE);

	map_len = (len + page - 1) / page * page;
	image = mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (image == MAP_FAILED) {
		err = -errno;
		goto fail;
	}
	free(c.buf);
	c.buf = image;
	c.cap = len;
	c.image_base = (uint64_t)(uintptr_t)image;
	err = jit_pass(&c);
	c.buf = NULL;
	if (!err && (c.len != len || memcmp(c.addr_prev, c.addr_cur, n * sizeof(uint32_t))))
		err = -EFAULT; /* a pass that changed size after convergence: a JIT bug, never run it */
	if (err)
		goto fail;
	memset((uint8_t *)image + len, 0xcc, map_len - len); /* int3 filler */
	if (mprotect(image, map_len, PROT_READ | PROT_EXEC)) {
		err = -errno;
		goto fail;
	}

	priv->image = image;
	priv->len = len;
	priv->map_len = map_len;
	priv->ex = c.ex;
	priv->ex_cnt = c.ex_cnt;
	c.ex = NULL;
	priv->insn_cnt = n;
	priv->passes = passes + 1;
	priv->arena_zext = c.arena_zext;
	if (view) {
		priv->arena_lo = view->kern_vm_start - (1u << 16);
		priv->arena_hi = view->kern_vm_start + (1ull << 32) + (1u << 16);
	}
	err = jit_extable_register(priv);
	if (err)
		goto fail;
	prog->jit_image = image;
	prog->jit_len = len;
	prog->jit_priv = priv;
	prog->jit_entry = (uint64_t (*)(void *))(uintptr_t)(c.image_base + c.func_prev[0]);
	ctx_free(&c);
	return 0;

fail:
	if (image != MAP_FAILED)
		munmap(image, map_len);
	if (priv) {
		free(priv->insn_off);
		free(priv->ex);
		free(priv);
	}
	ctx_free(&c);
	return err;
}

int ukern_jit_compile(struct ukern_prog *prog)
{
	struct ukern_arena_view view;
	int err;

	if (!prog->arena)
		return ukern_jit_compile_view(prog, NULL);
	if (!prog->verified) {
		/* Without the verifier's PROBE_MEM32 marks an arena access would be a plain dereference of a
		 * 32-bit kernel-form pointer; the interpreter can guess by address, compiled code cannot. */
		ukern_log(UKERN_WARN, "jit: %s: an arena program needs the verifier's marks to be compiled\n",
			  prog->name);
		return -EOPNOTSUPP;
	}
	err = ukern_arena_view(prog->arena, &view);
	if (err)
		return err;
	return ukern_jit_compile_view(prog, &view);
}

void ukern_jit_free(struct ukern_prog *prog)
{
	struct jit_priv *priv = prog->jit_priv;

	if (priv) {
		jit_extable_unregister(priv);
		munmap(priv->image, priv->map_len);
		free(priv->insn_off);
		free(priv->ex);
		free(priv);
	}
	prog->jit_image = NULL;
	prog->jit_len = 0;
	prog->jit_priv = NULL;
	prog->jit_entry = NULL;
}

int ukern_jit_stats(const struct ukern_prog *prog, struct ukern_jit_stats *stats)
{
	const struct jit_priv *priv = prog->jit_priv;

	if (!stats || stats->sz < sizeof(*stats))
		return -EINVAL;
	if (!priv)
		return -ENOENT;
	stats->image_len = priv->len;
	stats->passes = priv->passes;
	stats->arena_insns = priv->ex_cnt;
	stats->arena_zext = priv->arena_zext;
	return 0;
}
