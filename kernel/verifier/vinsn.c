/* Instruction semantics on the verifier's current state: ALU (scalars, pointer arithmetic, arena
 * pointers, addr_space_cast), memory accesses by pointer type (stack, map value, ctx, packet, arena) and
 * helper/kfunc calls checked against their ukern_func_proto.
 *
 * Privileged semantics, as the kernel for root: pointer leaks into memory are allowed and so are reads of
 * uninitialised stack (they give an unknown scalar; the live kernel does this with CAP_PERFMON), but
 * uninitialised registers, out-of-frame stack, out-of-value map accesses and dereferences of scalars or
 * unchecked or-null pointers are refused with the kernel's words.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "vstate.h"

#define MAX_VAR_OFF (1ll << 29)

struct vframe *vcur_frame(struct venv *env)
{
	return env->cur->frames[env->cur->curframe];
}

uint32_t vnew_id(struct venv *env)
{
	return ++env->id_gen;
}

static struct vreg *reg_at(struct venv *env, int regno)
{
	return &vcur_frame(env)->regs[regno];
}

int vcheck_reg_read(struct venv *env, int regno)
{
	if (regno >= V_MAX_REGS) {
		vlog(env, "R%d is invalid\n", regno);
		return -EINVAL;
	}
	if (reg_at(env, regno)->type == V_NOT_INIT) {
		vlog(env, "R%d !read_ok\n", regno);
		return -EACCES;
	}
	return 0;
}

static int check_reg_write(struct venv *env, int regno)
{
	if (regno >= V_MAX_REGS) {
		vlog(env, "R%d is invalid\n", regno);
		return -EINVAL;
	}
	if (regno == BPF_REG_10) {
		vlog(env, "frame pointer is read only\n");
		return -EACCES;
	}
	return 0;
}

static bool is_pointer(const struct vreg *r)
{
	return r->type != V_SCALAR && r->type != V_NOT_INIT;
}

static int size_bytes(uint8_t sz)
{
	switch (sz) {
	case BPF_B: return 1;
	case BPF_H: return 2;
	case BPF_W: return 4;
	default: return 8;
	}
}

/* ---- ALU ---- */

static void ptr_add_scalar(struct venv *env, struct vreg *ptr, const struct vreg *s, bool sub)
{
	if (vreg_is_const(s)) {
		int64_t c = (int64_t)s->var_off.value;
		ptr->off += (int32_t)(sub ? -c : c);
		return;
	}
	{
		struct vreg v = *ptr, sc = *s;

		/* the pointer's variable part behaves as a scalar */
		v.type = V_SCALAR;
		sc.type = V_SCALAR;
		vscalar_alu(&v, &sc, sub ? BPF_SUB : BPF_ADD, false);
		ptr->var_off = v.var_off;
		ptr->smin = v.smin;
		ptr->smax = v.smax;
		ptr->umin = v.umin;
		ptr->umax = v.umax;
		ptr->s32_min = v.s32_min;
		ptr->s32_max = v.s32_max;
		ptr->u32_min = v.u32_min;
		ptr->u32_max = v.u32_max;
		if (ptr->type == V_PTR_PACKET) {
			ptr->id = vnew_id(env);
			ptr->range = 0;
		}
	}
}

static void clear_var(struct vreg *r)
{
	r->var_off = tnum_const(0);
	r->smin = r->smax = 0;
	r->umin = r->umax = 0;
	r->s32_min = r->s32_max = 0;
	r->u32_min = r->u32_max = 0;
}

static int ptr_arith(struct venv *env, uint32_t idx, struct vreg *dst, struct vreg *src, int dregno, int sregno)
{
	const struct bpf_insn *in = &env->insns[idx];
	uint8_t op = BPF_OP(in->code);
	bool alu32 = BPF_CLASS(in->code) == BPF_ALU;
	struct vreg *ptr = is_pointer(dst) ? dst : src, *sc = is_pointer(dst) ? src : dst;
	int pregno = is_pointer(dst) ? dregno : sregno;

	if (is_pointer(dst) && is_pointer(src)) {
		/* privileged: the difference of any two pointers is an unknown scalar */
		if (op == BPF_SUB) {
			vreg_mark_unknown(dst);
			return 0;
		}
		vlog(env, "R%d pointer %s pointer prohibited\n", dregno, op == BPF_SUB ? "-=" : "+=");
		return -EACCES;
	}
	if (alu32) {
		vlog(env, "R%d 32-bit pointer arithmetic prohibited\n", dregno);
		return -EACCES;
	}
	if (ptr->type == V_PTR_MAP_VALUE && ptr->maybe_null) {
		vlog(env, "R%d pointer arithmetic on %s prohibited, null-check it first\n", dregno, vtype_str(ptr));
		return -EACCES;
	}
	if (ptr->type == V_PTR_MAP || ptr->type == V_PTR_PACKET_END || ptr->type == V_PTR_FUNC) {
		vlog(env, "R%d pointer arithmetic on %s prohibited\n", dregno, vtype_str(ptr));
		return -EACCES;
	}
	if (op != BPF_ADD && op != BPF_SUB) {
		if (op == BPF_AND || op == BPF_OR || op == BPF_XOR)
			vlog(env, "R%d bitwise operator %s on pointer prohibited\n", dregno,
			     op == BPF_AND ? "&=" : op == BPF_OR ? "|=" : "^=");
		else
			vlog(env, "R%d pointer arithmetic with %s operator prohibited\n", dregno,
			     op == BPF_MUL ? "*=" : op == BPF_DIV ? "/=" : op == BPF_MOD ? "%=" : op == BPF_LSH ? "<<=" :
			     op == BPF_RSH ? ">>=" : op == BPF_ARSH ? "s>>=" : "?");
		return -EACCES;
	}
	if (op == BPF_SUB && ptr == src) {
		vlog(env, "R%d tried to subtract pointer from scalar\n", dregno);
		return -EACCES;
	}
	(void)pregno;
	if (!vreg_is_const(sc) && sc->smin == INT64_MIN && ptr->type != V_PTR_ARENA) {
		vlog(env, "math between %s pointer and register with unbounded min value is not allowed\n",
		     vtype_str(ptr));
		return -EACCES;
	}
	/* the kernel marks the scalar precise: its value shapes the pointer */
	vmark_precise(env, ptr == dst ? sregno : dregno);
	{
		struct vreg res = *ptr, s = *sc;
		ptr_add_scalar(env, &res, &s, op == BPF_SUB);
		if (res.off >= MAX_VAR_OFF || res.off <= -MAX_VAR_OFF || res.smax >= MAX_VAR_OFF ||
		    res.smin <= -MAX_VAR_OFF) {
			if (res.type == V_PTR_STACK || res.type == V_PTR_MAP_VALUE) {
				vlog(env, "R%d unbounded memory access, make sure to bounds check any such access\n",
				     dregno);
				return -EACCES;
			}
		}
		*dst = res;
	}
	return 0;
}

int vcheck_alu(struct venv *env, uint32_t idx)
{
	const struct bpf_insn *in = &env->insns[idx];
	uint8_t op = BPF_OP(in->code);
	bool alu32 = BPF_CLASS(in->code) == BPF_ALU, is_x = BPF_SRC(in->code) == BPF_X;
	struct vreg *dst, srcv, *src = NULL;
	int err;

	if (op == BPF_END || op == BPF_NEG) {
		if ((err = vcheck_reg_read(env, in->dst_reg)) || (err = check_reg_write(env, in->dst_reg)))
			return err;
		dst = reg_at(env, in->dst_reg);
		if (is_pointer(dst)) {
			if (dst->type == V_PTR_ARENA)
				return 0;
			vlog(env, "R%d pointer arithmetic prohibited\n", in->dst_reg);
			return -EACCES;
		}
		if (op == BPF_NEG) {
			struct vreg zero;
			vreg_mark_const(&zero, 0);
			vscalar_alu(&zero, dst, BPF_SUB, alu32);
			*dst = zero;
		} else if (vreg_is_const(dst)) {
			uint64_t v = dst->var_off.value;
			int bits = in->imm;
			bool swap = alu32 ? (BPF_SRC(in->code) == BPF_X) : true; /* host is little endian */
			if (swap)
				v = bits == 16 ? __builtin_bswap16((uint16_t)v) :
				    bits == 32 ? __builtin_bswap32((uint32_t)v) : __builtin_bswap64(v);
			else if (bits < 64)
				v &= (1ull << bits) - 1;
			vreg_mark_const(dst, v);
		} else {
			int bits = in->imm;
			vreg_mark_unknown(dst);
			if (bits < 64)
				vreg_coerce(dst, bits / 8);
		}
		dst->id = 0;
		return 0;
	}

	if (is_x) {
		if ((err = vcheck_reg_read(env, in->src_reg)))
			return err;
		srcv = *reg_at(env, in->src_reg);
		src = &srcv;
	} else {
		vreg_mark_const(&srcv, alu32 ? (uint32_t)in->imm : (uint64_t)(int64_t)in->imm);
		src = &srcv;
	}
	if (op != BPF_MOV && (err = vcheck_reg_read(env, in->dst_reg)))
		return err;
	if ((err = check_reg_write(env, in->dst_reg)))
		return err;
	dst = reg_at(env, in->dst_reg);

	if (op == BPF_MOV) {
		if (is_x && !alu32 && in->off == BPF_ADDR_SPACE_CAST) {
			if (in->imm != 1 && in->imm != 1 << 16) {
				vlog(env, "addr_space_cast insn can only convert between address space 1 and 0\n");
				return -EINVAL;
			}
			if (!env->prog->arena) {
				vlog(env, "addr_space_cast insn can only be used in a program that has an associated arena\n");
				return -EINVAL;
			}
			vreg_mark_unknown(dst);
			if (in->imm == 1) {
				dst->type = V_PTR_ARENA;
				env->prog->aux[idx].flags |= UKERN_AUX_CAST_KERN;
			} else {
				env->prog->aux[idx].flags |= UKERN_AUX_CAST_USER;
			}
			return 0;
		}
		if (is_x && in->off && in->off != 8 && in->off != 16 && in->off != 32) {
			vlog(env, "BPF_MOV uses reserved fields\n");
			return -EINVAL;
		}
		if (!is_x) {
			vreg_mark_const(dst, src->var_off.value);
			return 0;
		}
		if (!alu32) {
			if (in->off) {
				if (is_pointer(src)) {
					vreg_mark_unknown(dst);
					return 0;
				}
				*dst = *src;
				vreg_sext(dst, in->off / 8);
				dst->id = 0;
				dst->precise = false;
				return 0;
			}
			if (src->type == V_SCALAR && !vreg_is_const(src) && !src->id) {
				/* link the copies: a later bounds check on one refines both */
				reg_at(env, in->src_reg)->id = vnew_id(env);
				*src = *reg_at(env, in->src_reg);
			}
			*dst = *src;
			return 0;
		}
		/* 32-bit move: pointers become unknown scalars, scalars zero-extend */
		if (src->type != V_SCALAR) {
			vreg_mark_unknown(dst);
			vreg_coerce(dst, 4);
			return 0;
		}
		*dst = *src;
		dst->id = 0;
		dst->precise = false;
		if (in->off)
			vreg_sext(dst, in->off / 8);
		vreg_coerce(dst, 4);
		return 0;
	}

	if ((op == BPF_DIV || op == BPF_MOD) && !is_x && in->imm == 0) {
		vlog(env, "div by zero\n");
		return -EINVAL;
	}
	if ((op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH) && !is_x &&
	    (in->imm < 0 || in->imm >= (alu32 ? 32 : 64))) {
		vlog(env, "invalid shift %d\n", in->imm);
		return -EINVAL;
	}

	if (dst->type == V_PTR_ARENA) {
		/* any arithmetic keeps an arena pointer; 64-bit forms are narrowed to 32 after verification */
		if (!alu32)
			env->arena_alu32[idx] = true;
		return 0;
	}
	if (src->type == V_PTR_ARENA && dst->type == V_SCALAR) {
		if (op == BPF_ADD) {
			vreg_mark_unknown(dst);
			dst->type = V_PTR_ARENA;
		} else {
			vreg_mark_unknown(dst);
		}
		return 0;
	}
	if (is_pointer(dst) || is_pointer(src))
		return ptr_arith(env, idx, dst, src, in->dst_reg, is_x ? in->src_reg : -1);

	if ((op == BPF_DIV || op == BPF_MOD) && in->off == 1) {
		/* signed division: exact for constants, unknown otherwise */
		if (vreg_is_const(dst) && vreg_is_const(src)) {
			int64_t x = (int64_t)dst->var_off.value, y = (int64_t)src->var_off.value, v;
			if (alu32) {
				x = (int32_t)x;
				y = (int32_t)y;
			}
			if (op == BPF_DIV)
				v = y == 0 ? 0 : (y == -1 ? (int64_t)(0 - (uint64_t)x) : x / y);
			else
				v = y == 0 ? x : (y == -1 ? 0 : x % y);
			vreg_mark_const(dst, alu32 ? (uint32_t)v : (uint64_t)v);
		} else {
			vreg_mark_unknown(dst);
			if (alu32)
				vreg_coerce(dst, 4);
		}
		return 0;
	}
	vscalar_alu(dst, src, op, alu32);
	dst->id = 0;
	dst->precise = false;
	return 0;
}

/* ---- memory ---- */

static int stack_slot_check(struct venv *env, int regno, const struct vreg *reg, int off, int size,
			    bool write, int *min_off)
{
	int64_t lo, hi;

	if (!tnum_is_const(reg->var_off)) {
		if (reg->smax >= MAX_VAR_OFF || reg->smin <= -MAX_VAR_OFF) {
			vlog(env, "invalid unbounded variable-offset%s stack R%d\n", write ? " write to" : " read from",
			     regno);
			return -EACCES;
		}
		lo = reg->smin + reg->off + off;
		hi = reg->smax + reg->off + off + size;
	} else {
		lo = (int64_t)reg->var_off.value + reg->off + off;
		hi = lo + size;
	}
	if (lo < -V_STACK_SIZE || hi > 0) {
		if (tnum_is_const(reg->var_off))
			vlog(env, "invalid%s stack R%d off=%d size=%d\n", write ? " write to" : " read from", regno,
			     reg->off + off, size);
		else
			vlog(env, "invalid variable-offset%s stack R%d var_off=(%#" PRIx64 "; %#" PRIx64
				  ") off=%d size=%d\n",
			     write ? " write to" : " read from", regno, reg->var_off.value, reg->var_off.mask,
			     reg->off + off, size);
		return -EACCES;
	}
	*min_off = (int)lo;
	return 0;
}

static struct vframe *frame_of(struct venv *env, const struct vreg *reg)
{
	return env->cur->frames[reg->frameno];
}

static void frame_touch(struct venv *env, struct vframe *f, int min_off)
{
	uint32_t depth = (uint32_t)-min_off, slots = (depth + 7) / 8;

	if (depth > f->depth)
		f->depth = depth;
	if (slots > f->nslots) {
		for (uint32_t i = f->nslots; i < slots; i++)
			memset(&f->stack[i], 0, sizeof(f->stack[i]));
		f->nslots = slots;
	}
	if (f->depth > env->max_depth)
		env->max_depth = f->depth;
	if (f->depth > env->sub_depth[f->subprog_start])
		env->sub_depth[f->subprog_start] = f->depth;
}

/* byte at frame offset o (negative) */
#define SLOT_OF(o) ((-(o) - 1) / 8)
#define BYTE_OF(o) (((o) % 8 + 8) % 8)

static void stack_write(struct venv *env, struct vframe *f, int o, int size, const struct vreg *val)
{
	int spi = SLOT_OF(o), i;
	bool zero = val && vreg_is_const(val) && val->var_off.value == 0;

	if (size == 8 && BYTE_OF(o) == 0 && val && val->type != V_NOT_INIT) {
		struct vslot *s = &f->stack[spi];
		memset(s->type, SB_SPILL, 8);
		s->spilled = *val;
		(void)zero;
		return;
	}
	for (i = 0; i < size; i++) {
		int b = o + i;
		struct vslot *s = &f->stack[SLOT_OF(b)];
		if (s->type[BYTE_OF(b)] == SB_SPILL)
			for (int k = 0; k < 8; k++)
				s->type[k] = s->type[k] == SB_SPILL ? SB_MISC : s->type[k];
		s->type[BYTE_OF(b)] = zero ? SB_ZERO : SB_MISC;
	}
}

static int stack_read(struct venv *env, int regno, struct vframe *f, int o, int size, int dst_regno,
		      struct vreg *out)
{
	int spi = SLOT_OF(o), i, zeros = 0;
	struct vslot *s = &f->stack[spi];

	if (s->type[BYTE_OF(o)] == SB_SPILL && s->type[0] == SB_SPILL && s->type[7] == SB_SPILL) {
		if (size == 8 && BYTE_OF(o) == 0) {
			*out = s->spilled;
			return 1; /* a register fill */
		}
		if (s->spilled.type != V_SCALAR) {
			vlog(env, "invalid size of register fill\n");
			return -EACCES;
		}
		if (vreg_is_const(&s->spilled)) {
			uint64_t v = s->spilled.var_off.value >> (BYTE_OF(o) * 8);
			vreg_mark_const(out, size == 8 ? v : v & ((1ull << (size * 8)) - 1));
		} else {
			vreg_mark_unknown(out);
			vreg_coerce(out, size);
		}
		return 0;
	}
	for (i = 0; i < size; i++) {
		int b = o + i;
		uint8_t t = f->stack[SLOT_OF(b)].type[BYTE_OF(b)];
		if (t == SB_ZERO)
			zeros++;
		/* privileged: uninitialised stack reads give unknown values, as on the live kernel */
	}
	if (zeros == size)
		vreg_mark_const(out, 0);
	else {
		vreg_mark_unknown(out);
		vreg_coerce(out, size);
	}
	(void)regno;
	(void)dst_regno;
	return 0;
}

static int map_region_check(struct venv *env, int regno, const struct vreg *reg, int off, int size,
			    uint32_t mem_size)
{
	int64_t o = (int64_t)reg->off + off;

	if (tnum_is_const(reg->var_off)) {
		int64_t a = o + (int64_t)reg->var_off.value;
		if (a < 0 || a + size > (int64_t)mem_size) {
			vlog(env, "invalid access to map value, value_size=%u off=%" PRId64 " size=%d\n", mem_size, a, size);
			vlog(env, "R%d min value is outside of the allowed memory range\n", regno);
			return -EACCES;
		}
		return 0;
	}
	if (reg->smin < 0 && (reg->smin == INT64_MIN || reg->smin + o < 0)) {
		vlog(env, "R%d min value is negative, either use unsigned index or do a if (index >=0) check.\n", regno);
		return -EACCES;
	}
	if (reg->smin + o < 0 || reg->smin + o + size > (int64_t)mem_size) {
		vlog(env, "invalid access to map value, value_size=%u off=%" PRId64 " size=%d\n", mem_size,
		     reg->smin + o, size);
		vlog(env, "R%d min value is outside of the allowed memory range\n", regno);
		return -EACCES;
	}
	if (reg->umax >= (uint64_t)MAX_VAR_OFF) {
		vlog(env, "R%d unbounded memory access, make sure to bounds check any such access\n", regno);
		return -EACCES;
	}
	if ((int64_t)reg->umax + o + size > (int64_t)mem_size) {
		vlog(env, "invalid access to map value, value_size=%u off=%" PRId64 " size=%d\n", mem_size,
		     (int64_t)reg->umax + o, size);
		vlog(env, "R%d max value is outside of the allowed memory range\n", regno);
		return -EACCES;
	}
	return 0;
}

static bool map_is_rdonly_prog(const struct ukern_map *m)
{
	return m && (m->flags & BPF_F_RDONLY_PROG);
}

static int ctx_access(struct venv *env, int regno, const struct vreg *reg, int off, int size, bool write,
		      struct vreg *out)
{
	int o = off;

	if (reg->off) {
		vlog(env, "dereference of modified ctx ptr R%d off=%d disallowed\n", regno, reg->off);
		return -EACCES;
	}
	if (!tnum_is_const(reg->var_off) || reg->var_off.value) {
		vlog(env, "variable ctx access var_off=(%#" PRIx64 "; %#" PRIx64 ") disallowed\n", reg->var_off.value,
		     reg->var_off.mask);
		return -EACCES;
	}
	switch (env->prog->type) {
	case BPF_PROG_TYPE_SYSCALL:
		if (o < 0 || o + size > 0xffff || o % size) {
			vlog(env, "invalid bpf_context access off=%d size=%d\n", o, size);
			return -EACCES;
		}
		if (out) {
			vreg_mark_unknown(out);
			vreg_coerce(out, size);
		}
		return 0;
	case BPF_PROG_TYPE_XDP:
		if (write || o < 0 || o + size > 24 || o % size) {
			vlog(env, "invalid bpf_context access off=%d size=%d\n", o, size);
			return -EACCES;
		}
		if (o < 12 && size != 4) {
			vlog(env, "invalid bpf_context access off=%d size=%d\n", o, size);
			return -EACCES;
		}
		if (out) {
			vreg_mark_unknown(out);
			if (o == 0)
				out->type = V_PTR_PACKET;
			else if (o == 4)
				out->type = V_PTR_PACKET_END;
			else if (o == 8)
				out->type = V_PTR_PACKET_META;
			else
				vreg_coerce(out, size);
			if (out->type != V_SCALAR) {
				clear_var(out);
				out->range = 0;
			}
		}
		return 0;
	default:
		vlog(env, "invalid bpf_context access off=%d size=%d\n", o, size);
		return -EACCES;
	}
}

/* Checks one access of size bytes at reg+off; for a read with dst_regno >= 0 sets *out. */
static int mem_access(struct venv *env, uint32_t idx, int regno, int off, int size, bool write,
		      const struct vreg *val, struct vreg *out, bool atomic)
{
	struct vreg *reg = reg_at(env, regno);
	uint8_t kind = reg->type == V_PTR_ARENA ? 1 : 2;
	int err, min_off;

	if (env->mem_kind[idx] && env->mem_kind[idx] != kind) {
		vlog(env, "same insn cannot be used with different pointers\n");
		return -EINVAL;
	}
	switch (reg->type) {
	case V_PTR_ARENA:
		env->mem_kind[idx] = kind;
		env->prog->aux[idx].flags |= UKERN_AUX_PROBE_MEM32;
		if (out) {
			vreg_mark_unknown(out);
			vreg_coerce(out, size);
		}
		return 0;
	case V_PTR_STACK: {
		struct vframe *f = frame_of(env, reg);
		int o;

		if (tnum_is_const(reg->var_off) &&
		    (((int64_t)reg->var_off.value + reg->off + off) % (size < 8 ? size : 8))) {
			vlog(env, "misaligned stack access off (%#" PRIx64 "; %#" PRIx64 ")+%d+%d size %d\n",
			     reg->var_off.value, reg->var_off.mask, reg->off, off, size);
			return -EACCES;
		}
		if ((err = stack_slot_check(env, regno, reg, off, size, write, &min_off)))
			return err;
		env->mem_kind[idx] = kind;
		frame_touch(env, f, min_off);
		if (!tnum_is_const(reg->var_off)) {
			/* variable offset: every byte it may touch becomes unknown on write */
			int64_t hi = reg->smax + reg->off + off + size;
			for (int64_t b = min_off; b < hi; b++) {
				struct vslot *s = &f->stack[SLOT_OF(b)];
				if (write) {
					if (s->type[BYTE_OF(b)] == SB_SPILL)
						memset(s->type, SB_MISC, 8);
					s->type[BYTE_OF(b)] = SB_MISC;
				}
			}
			if (out) {
				vreg_mark_unknown(out);
				vreg_coerce(out, size);
			}
			return 0;
		}
		o = min_off;
		if (write) {
			struct vreg v;
			if (val)
				v = *val;
			else
				vreg_mark_unknown(&v);
			if (atomic && f->stack[SLOT_OF(o)].type[0] == SB_SPILL &&
			    f->stack[SLOT_OF(o)].spilled.type != V_SCALAR) {
				vlog(env, "BPF_ATOMIC stores into R%d %s is not allowed\n", regno, "fp");
				return -EACCES;
			}
			if (atomic)
				vreg_mark_unknown(&v);
			stack_write(env, f, o, size, &v);
			vhist_note_stack(env, SLOT_OF(o), reg->frameno);
			return 0;
		}
		if (out) {
			err = stack_read(env, regno, f, o, size, 0, out);
			if (err < 0)
				return err;
			vhist_note_stack(env, SLOT_OF(o), reg->frameno);
		}
		return 0;
	}
	case V_PTR_MAP_VALUE:
		if (reg->maybe_null)
			break;
		if ((err = map_region_check(env, regno, reg, off, size, reg->map ? reg->map->value_size : 0)))
			return err;
		if (write && map_is_rdonly_prog(reg->map)) {
			vlog(env, "write into map forbidden, value_size=%u off=%d size=%d\n", reg->map->value_size,
			     reg->off + off, size);
			return -EACCES;
		}
		env->mem_kind[idx] = kind;
		if (out) {
			vreg_mark_unknown(out);
			/* a frozen read-only map reads as the constant it holds, as in the kernel */
			if (map_is_rdonly_prog(reg->map) && reg->map->frozen && tnum_is_const(reg->var_off) &&
			    reg->map->ops && reg->map->ops->lookup) {
				uint32_t zero = 0;
				const uint8_t *v = reg->map->ops->lookup(reg->map, &zero);
				if (v) {
					uint64_t x = 0;
					memcpy(&x, v + reg->off + off + reg->var_off.value, size);
					vreg_mark_const(out, x);
				}
			}
			vreg_coerce(out, size);
		}
		return 0;
	case V_PTR_CTX:
		if (atomic) {
			vlog(env, "BPF_ATOMIC stores into R%d %s is not allowed\n", regno, "ctx");
			return -EACCES;
		}
		env->mem_kind[idx] = kind;
		return ctx_access(env, regno, reg, off, size, write, out);
	case V_PTR_PACKET:
	case V_PTR_PACKET_META: {
		int64_t o = (int64_t)reg->off + off;
		if (atomic) {
			vlog(env, "BPF_ATOMIC stores into R%d %s is not allowed\n", regno, vtype_str(reg));
			return -EACCES;
		}
		if (reg->type == V_PTR_PACKET_META || o < 0 || reg->smin < 0 ||
		    o + size + (int64_t)reg->umax > (int64_t)reg->range) {
			vlog(env, "invalid access to packet, off=%d size=%d, R%d(id=%u,off=%d,r=%u)\n", (int)o, size,
			     regno, reg->id, reg->off, reg->range);
			vlog(env, "R%d offset is outside of the packet\n", regno);
			return -EACCES;
		}
		env->mem_kind[idx] = kind;
		if (out) {
			vreg_mark_unknown(out);
			vreg_coerce(out, size);
		}
		return 0;
	}
	default:
		break;
	}
	vlog(env, "R%d invalid mem access '%s'\n", regno, vtype_str(reg));
	return -EACCES;
}

int vcheck_ldx(struct venv *env, uint32_t idx)
{
	const struct bpf_insn *in = &env->insns[idx];
	int size = size_bytes(BPF_SIZE(in->code)), err;
	struct vreg out;

	if ((err = vcheck_reg_read(env, in->src_reg)) || (err = check_reg_write(env, in->dst_reg)))
		return err;
	memset(&out, 0, sizeof(out));
	err = mem_access(env, idx, in->src_reg, in->off, size, false, NULL, &out, false);
	if (err)
		return err;
	if (BPF_MODE(in->code) == BPF_MEMSX && out.type == V_SCALAR)
		vreg_sext(&out, size);
	*reg_at(env, in->dst_reg) = out;
	return 0;
}

int vcheck_st(struct venv *env, uint32_t idx)
{
	const struct bpf_insn *in = &env->insns[idx];
	int size = size_bytes(BPF_SIZE(in->code)), err;
	struct vreg val;

	if (BPF_CLASS(in->code) == BPF_STX) {
		if ((err = vcheck_reg_read(env, in->src_reg)))
			return err;
		val = *reg_at(env, in->src_reg);
		if (size < 8 && val.type == V_SCALAR && !vreg_is_const(&val)) {
			val.id = 0;
		}
		if (size < 8 && val.type == V_SCALAR)
			vreg_coerce(&val, size);
		else if (size < 8 && val.type != V_SCALAR)
			vreg_mark_unknown(&val);
	} else {
		vreg_mark_const(&val, (uint64_t)(int64_t)in->imm);
	}
	if ((err = vcheck_reg_read(env, in->dst_reg)))
		return err;
	return mem_access(env, idx, in->dst_reg, in->off, size, true, &val, NULL, false);
}

int vcheck_atomic(struct venv *env, uint32_t idx)
{
	const struct bpf_insn *in = &env->insns[idx];
	int size = size_bytes(BPF_SIZE(in->code)), err;
	int op = in->imm;
	struct vreg tmp;

	if (size != 4 && size != 8) {
		vlog(env, "invalid atomic operand size\n");
		return -EINVAL;
	}
	switch (op) {
	case BPF_ADD: case BPF_ADD | BPF_FETCH:
	case BPF_AND: case BPF_AND | BPF_FETCH:
	case BPF_OR: case BPF_OR | BPF_FETCH:
	case BPF_XOR: case BPF_XOR | BPF_FETCH:
	case BPF_XCHG: case BPF_CMPXCHG:
		break;
	default:
		vlog(env, "BPF_ATOMIC uses invalid atomic opcode %02x\n", op);
		return -EINVAL;
	}
	if ((err = vcheck_reg_read(env, in->src_reg)) || (err = vcheck_reg_read(env, in->dst_reg)))
		return err;
	if (op == BPF_CMPXCHG && (err = vcheck_reg_read(env, BPF_REG_0)))
		return err;
	if (reg_at(env, in->dst_reg)->type == V_PTR_STACK || reg_at(env, in->dst_reg)->type == V_PTR_MAP_VALUE ||
	    reg_at(env, in->dst_reg)->type == V_PTR_ARENA) {
		/* ok */
	} else if (reg_at(env, in->dst_reg)->type != V_SCALAR && reg_at(env, in->dst_reg)->type != V_PTR_CTX &&
		   reg_at(env, in->dst_reg)->type != V_PTR_PACKET) {
		/* fall through to mem_access's refusal words */
	}
	memset(&tmp, 0, sizeof(tmp));
	if ((err = mem_access(env, idx, in->dst_reg, in->off, size, false, NULL, &tmp, true)))
		return err;
	if ((err = mem_access(env, idx, in->dst_reg, in->off, size, true, NULL, NULL, true)))
		return err;
	if (op & BPF_FETCH) {
		int r = op == BPF_CMPXCHG ? BPF_REG_0 : in->src_reg;
		if ((err = check_reg_write(env, r)))
			return err;
		vreg_mark_unknown(reg_at(env, r));
		if (size == 4)
			vreg_coerce(reg_at(env, r), 4);
	}
	return 0;
}

int vcheck_ld_imm64(struct venv *env, uint32_t idx)
{
	const struct bpf_insn *in = &env->insns[idx];
	const struct ukern_insn_aux *aux = &env->prog->aux[idx];
	struct vreg *dst;
	int err;

	if ((err = check_reg_write(env, in->dst_reg)))
		return err;
	dst = reg_at(env, in->dst_reg);
	if (aux->flags & UKERN_AUX_LDIMM_MAP) {
		vreg_mark_unknown(dst);
		dst->type = V_PTR_MAP;
		dst->map = aux->map;
		clear_var(dst);
		return 0;
	}
	if (aux->flags & UKERN_AUX_LDIMM_VALUE) {
		struct ukern_map *m = aux->map;
		uint64_t addr = (uint32_t)in->imm | ((uint64_t)(uint32_t)in[1].imm << 32), base = 0;

		vreg_mark_unknown(dst);
		if (m && m->type == BPF_MAP_TYPE_ARENA)
			return 0; /* an arena global's address is a plain (user-form) number */
		if (!m || !m->ops || !m->ops->direct_value_addr || m->ops->direct_value_addr(m, 0, &base)) {
			vlog(env, "direct value access on map without direct value address\n");
			return -EINVAL;
		}
		dst->type = V_PTR_MAP_VALUE;
		dst->map = m;
		clear_var(dst);
		dst->off = (int32_t)(addr - base);
		if (addr < base || addr - base >= m->value_size) {
			vlog(env, "invalid access to map value pointer, value_size=%u off=%" PRIu64 "\n", m->value_size,
			     addr - base);
			return -EINVAL;
		}
		return 0;
	}
	if (aux->flags & UKERN_AUX_LDIMM_FUNC) {
		vreg_mark_unknown(dst);
		dst->type = V_PTR_FUNC;
		dst->subprog = aux->target;
		clear_var(dst);
		return 0;
	}
	if (in->src_reg) {
		vlog(env, "unrecognized bpf_ld_imm64 insn\n");
		return -EINVAL;
	}
	vreg_mark_const(dst, (uint32_t)in->imm | ((uint64_t)(uint32_t)in[1].imm << 32));
	return 0;
}

/* ---- helper and kfunc calls ---- */

static int check_mem_arg(struct venv *env, int regno, uint64_t size, bool zero_ok)
{
	struct vreg *r = reg_at(env, regno);
	int min_off, err;

	if (!size)
		return zero_ok ? 0 : -EACCES;
	switch (r->type) {
	case V_PTR_STACK: {
		struct vframe *f = frame_of(env, r);
		if (size > V_STACK_SIZE) {
			vlog(env, "invalid indirect access to stack R%d off=%d size=%" PRIu64 "\n", regno, r->off, size);
			return -EACCES;
		}
		if (!tnum_is_const(r->var_off) && (r->smin + r->off < -V_STACK_SIZE || r->smax + r->off + (int64_t)size > 0)) {
			vlog(env, "invalid variable-offset indirect access to stack R%d\n", regno);
			return -EACCES;
		}
		if ((err = stack_slot_check(env, regno, r, 0, (int)size, false, &min_off))) {
			return err;
		}
		frame_touch(env, f, min_off);
		/* helpers may write it: what they leave there is unknown, as the kernel assumes */
		return 0;
	}
	case V_PTR_MAP_VALUE:
		if (r->maybe_null)
			break;
		return map_region_check(env, regno, r, 0, (int)size, r->map ? r->map->value_size : 0);
	case V_PTR_PACKET:
		if ((int64_t)r->off + (int64_t)size + (int64_t)r->umax > (int64_t)r->range) {
			vlog(env, "invalid access to packet, off=%d size=%" PRIu64 ", R%d(id=%u,off=%d,r=%u)\n", r->off,
			     size, regno, r->id, r->off, r->range);
			return -EACCES;
		}
		return 0;
	case V_PTR_ARENA:
		return 0;
	default:
		break;
	}
	vlog(env, "R%d type=%s expected=fp, pkt, pkt_meta, map_key, map_value, mem\n", regno, vtype_str(r));
	return -EACCES;
}

/* Marks the stack a helper may have written as unknown (bytes it covers become MISC). */
static void clobber_stack_arg(struct venv *env, int regno, uint64_t size)
{
	struct vreg *r = reg_at(env, regno);
	struct vframe *f;
	int64_t lo, hi;

	if (r->type != V_PTR_STACK || !tnum_is_const(r->var_off))
		return;
	f = frame_of(env, r);
	lo = r->off + (int64_t)r->var_off.value;
	hi = lo + (int64_t)size;
	for (int64_t b = lo; b < hi && b < 0; b++) {
		struct vslot *s = &f->stack[SLOT_OF(b)];
		if (s->type[BYTE_OF(b)] == SB_SPILL) {
			if (s->spilled.type == V_SCALAR)
				memset(s->type, SB_MISC, 8);
			else
				continue;
		}
		s->type[BYTE_OF(b)] = SB_MISC;
	}
}

/* A key on the stack whose bytes are all known (zeroes or a spilled constant). */
static bool const_stack_key(struct venv *env, const struct vreg *r, uint32_t size, uint64_t *key)
{
	struct vframe *f;
	int64_t o;

	if (r->type != V_PTR_STACK || !tnum_is_const(r->var_off) || size > 8)
		return false;
	f = frame_of(env, r);
	o = r->off + (int64_t)r->var_off.value;
	if (o < -V_STACK_SIZE || o + size > 0)
		return false;
	{
		struct vslot *s = &f->stack[SLOT_OF(o)];
		bool zero = true;
		for (uint32_t b = 0; b < size; b++)
			if (f->stack[SLOT_OF(o + b)].type[BYTE_OF(o + b)] != SB_ZERO)
				zero = false;
		if (zero) {
			*key = 0;
			return true;
		}
		if (BYTE_OF(o) == 0 && s->type[0] == SB_SPILL && vreg_is_const(&s->spilled)) {
			uint64_t v = s->spilled.var_off.value;
			*key = size == 8 ? v : v & ((1ull << (size * 8)) - 1);
			return true;
		}
	}
	return false;
}

static const char *arg_expect(enum ukern_arg_kind k)
{
	switch (k) {
	case UKERN_ARG_CONST_MAP_PTR: case UKERN_ARG_ARENA_MAP: return "map_ptr";
	case UKERN_ARG_PTR_TO_CTX: return "ctx";
	case UKERN_ARG_PTR_TO_FUNC: return "func";
	case UKERN_ARG_SCALAR: case UKERN_ARG_CONST_SIZE: case UKERN_ARG_CONST_SIZE_OR_ZERO: return "scalar";
	case UKERN_ARG_PTR_TO_STACK_OR_NULL: return "fp";
	default: return "fp";
	}
}

int vcheck_helper_call(struct venv *env, uint32_t idx, bool *enter_callback)
{
	const struct bpf_insn *in = &env->insns[idx];
	const struct ukern_func_proto *p = env->prog->aux[idx].call;
	struct ukern_map *map = NULL;
	bool key_known = false;
	uint64_t key = 0;
	int i, err;

	*enter_callback = false;
	if (!p) {
		if (in->src_reg == BPF_PSEUDO_KFUNC_CALL)
			vlog(env, "calling kernel function is not allowed\n");
		else
			vlog(env, "invalid func unknown#%d\n", in->imm);
		return -EINVAL;
	}
	/* The running kernel (6.18) declares the arena page kfuncs sleepable; ukern_func_proto has no flag
	 * for it yet, so the two names are known here. */
	if (p->is_kfunc && env->prog->type != BPF_PROG_TYPE_SYSCALL &&
	    (!strcmp(p->name, "bpf_arena_alloc_pages") || !strcmp(p->name, "bpf_arena_free_pages"))) {
		vlog(env, "program must be sleepable to call sleepable kfunc %s\n", p->name);
		return -EACCES;
	}
	for (i = 0; i < 5; i++) {
		enum ukern_arg_kind k = p->args[i];
		int regno = i + 1;
		struct vreg *r = reg_at(env, regno);

		if (k == UKERN_ARG_NONE)
			break;
		if ((err = vcheck_reg_read(env, regno)))
			return err;
		switch (k) {
		case UKERN_ARG_ANYTHING:
		case UKERN_ARG_ARENA_PTR_OR_NULL:
			break;
		case UKERN_ARG_SCALAR:
			if (r->type != V_SCALAR)
				goto bad_type;
			break;
		case UKERN_ARG_CONST_MAP_PTR:
		case UKERN_ARG_ARENA_MAP:
			if (r->type != V_PTR_MAP)
				goto bad_type;
			if (k == UKERN_ARG_ARENA_MAP && (!r->map || r->map->type != BPF_MAP_TYPE_ARENA)) {
				vlog(env, "R%d map is not an arena\n", regno);
				return -EINVAL;
			}
			map = r->map;
			break;
		case UKERN_ARG_PTR_TO_MAP_KEY:
		case UKERN_ARG_PTR_TO_MAP_VALUE: {
			uint32_t sz;
			if (!map) {
				vlog(env, "invalid map_ptr to access map->%s\n", k == UKERN_ARG_PTR_TO_MAP_KEY ? "key" : "value");
				return -EACCES;
			}
			sz = k == UKERN_ARG_PTR_TO_MAP_KEY ? map->key_size : map->value_size;
			if ((err = check_mem_arg(env, regno, sz, false)))
				return err;
			if (k == UKERN_ARG_PTR_TO_MAP_KEY)
				key_known = const_stack_key(env, r, sz, &key);
			break;
		}
		case UKERN_ARG_PTR_TO_MEM:
		case UKERN_ARG_PTR_TO_MEM_OR_NULL: {
			struct vreg *sz = reg_at(env, regno + 1);
			bool zero_ok = i + 1 < 5 && p->args[i + 1] == UKERN_ARG_CONST_SIZE_OR_ZERO;
			if (k == UKERN_ARG_PTR_TO_MEM_OR_NULL && vreg_is_const(r) && r->var_off.value == 0)
				break;
			if ((err = vcheck_reg_read(env, regno + 1)))
				return err;
			if (sz->type != V_SCALAR) {
				vlog(env, "R%d type=%s expected=scalar\n", regno + 1, vtype_str(sz));
				return -EACCES;
			}
			vmark_precise(env, regno + 1);
			if (sz->smin < 0) {
				vlog(env, "R%d min value is negative, either use unsigned or 'var &= const'\n", regno + 1);
				return -EACCES;
			}
			if (sz->umin == 0 && !zero_ok) {
				vlog(env, "R%d invalid zero-sized read: u64=[%" PRIu64 ",%" PRIu64 "]\n", regno + 1, sz->umin,
				     sz->umax);
				return -EACCES;
			}
			if (sz->umax >= (1u << 29)) {
				vlog(env, "R%d unbounded memory access, use 'var &= const' or 'if (var < const)'\n", regno + 1);
				return -EACCES;
			}
			if ((err = check_mem_arg(env, regno, sz->umax, zero_ok)))
				return err;
			clobber_stack_arg(env, regno, sz->umax);
			break;
		}
		case UKERN_ARG_CONST_SIZE:
		case UKERN_ARG_CONST_SIZE_OR_ZERO:
			if (r->type != V_SCALAR)
				goto bad_type;
			break;
		case UKERN_ARG_PTR_TO_CTX:
			if (r->type != V_PTR_CTX)
				goto bad_type;
			if (r->off) {
				vlog(env, "dereference of modified ctx ptr R%d off=%d disallowed\n", regno, r->off);
				return -EACCES;
			}
			break;
		case UKERN_ARG_PTR_TO_FUNC:
			if (r->type != V_PTR_FUNC)
				goto bad_type;
			*enter_callback = true;
			break;
		case UKERN_ARG_PTR_TO_STACK_OR_NULL:
			if (vreg_is_const(r) && r->var_off.value == 0)
				break;
			if (r->type != V_PTR_STACK)
				goto bad_type;
			break;
		default:
			break;
		}
		continue;
bad_type:
		vlog(env, "R%d type=%s expected=%s\n", regno, vtype_str(r), arg_expect(k));
		return -EACCES;
	}

	if (*enter_callback) {
		env->cb_target = reg_at(env, BPF_REG_2)->subprog;
		env->cb_ctx = *reg_at(env, BPF_REG_3);
	}
	/* the call clobbers r1-r5 and defines r0 */
	for (i = 1; i <= 5; i++)
		memset(reg_at(env, i), 0, sizeof(struct vreg));
	{
		struct vreg *r0 = reg_at(env, BPF_REG_0);
		switch (p->ret) {
		case UKERN_RET_VOID:
			memset(r0, 0, sizeof(*r0));
			break;
		case UKERN_RET_MAP_VALUE_OR_NULL:
			vreg_mark_unknown(r0);
			if (!map) {
				vlog(env, "kernel subsystem misconfigured verifier\n");
				return -EINVAL;
			}
			r0->type = V_PTR_MAP_VALUE;
			/* as the kernel: an array lookup with a constant in-range key cannot fail */
			r0->maybe_null = !(key_known && (map->type == BPF_MAP_TYPE_ARRAY ||
							 map->type == BPF_MAP_TYPE_PERCPU_ARRAY) &&
					   key < map->max_entries);
			r0->map = map;
			r0->id = vnew_id(env);
			clear_var(r0);
			break;
		default:
			vreg_mark_unknown(r0);
			break;
		}
	}
	return 0;
}
