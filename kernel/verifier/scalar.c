/* The verifier's numeric domain: tnums (known bits) and signed/unsigned 64- and 32-bit ranges.
 *
 * Invariant after vreg_sync(): the five views (tnum, u64, s64, u32, s32) describe the same set, each as
 * tight as the others allow. Every operation here over-approximates: when a result cannot be bounded
 * (overflow, unknown shift amount) the range becomes the full range, never a guess. 32-bit ALU ops are
 * computed on the zero-extended subregisters with the 64-bit rules, then truncated, which is exact for
 * everything but signedness; arsh/sdiv/smod sign-extend first.
 */
#include <limits.h>
#include <string.h>

#include "vstate.h"

struct tnum tnum_const(uint64_t v) { return (struct tnum){ v, 0 }; }
struct tnum tnum_unknown(void) { return (struct tnum){ 0, ~0ull }; }
bool tnum_is_const(struct tnum a) { return !a.mask; }

struct tnum tnum_range(uint64_t min, uint64_t max)
{
	uint64_t chi = min ^ max, delta;
	int bits = chi ? 64 - __builtin_clzll(chi) : 0;

	if (bits > 63)
		return tnum_unknown();
	delta = (1ull << bits) - 1;
	return (struct tnum){ min & ~delta, delta };
}

static struct tnum tnum_add(struct tnum a, struct tnum b)
{
	uint64_t sm = a.mask + b.mask, sv = a.value + b.value, sigma = sm + sv;
	uint64_t mu = (sigma ^ sv) | a.mask | b.mask;
	return (struct tnum){ sv & ~mu, mu };
}

static struct tnum tnum_sub(struct tnum a, struct tnum b)
{
	uint64_t dv = a.value - b.value, alpha = dv + a.mask, beta = dv - b.mask;
	uint64_t mu = (alpha ^ beta) | a.mask | b.mask;
	return (struct tnum){ dv & ~mu, mu };
}

static struct tnum tnum_and(struct tnum a, struct tnum b)
{
	uint64_t v = a.value & b.value;
	return (struct tnum){ v, (a.value | a.mask) & (b.value | b.mask) & ~v };
}

static struct tnum tnum_or(struct tnum a, struct tnum b)
{
	uint64_t v = a.value | b.value;
	return (struct tnum){ v, (a.mask | b.mask) & ~v };
}

static struct tnum tnum_xor(struct tnum a, struct tnum b)
{
	uint64_t mu = a.mask | b.mask;
	return (struct tnum){ (a.value ^ b.value) & ~mu, mu };
}

static struct tnum tnum_mul(struct tnum a, struct tnum b)
{
	struct tnum acc = tnum_const(0);
	uint64_t v = a.value * b.value;

	/* Long multiplication over the uncertain bits of a: each set/unknown bit adds b's (unknown) part. */
	while (a.value || a.mask) {
		if (a.value & 1)
			acc = tnum_add(acc, (struct tnum){ 0, b.mask });
		else if (a.mask & 1)
			acc = tnum_add(acc, (struct tnum){ 0, b.value | b.mask });
		a.value >>= 1;
		a.mask >>= 1;
		b.value <<= 1;
		b.mask <<= 1;
	}
	return tnum_add(tnum_const(v), acc);
}

struct tnum tnum_intersect(struct tnum a, struct tnum b)
{
	uint64_t v = a.value | b.value, mu = a.mask & b.mask;
	return (struct tnum){ v & ~mu, mu };
}

bool tnum_in(struct tnum a, struct tnum b)
{
	if (b.mask & ~a.mask)
		return false;
	return a.value == (b.value & ~a.mask);
}

struct tnum tnum_cast(struct tnum a, int size)
{
	uint64_t m = size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
	return (struct tnum){ a.value & m, a.mask & m };
}

static void set_full_64(struct vreg *r)
{
	r->smin = INT64_MIN;
	r->smax = INT64_MAX;
	r->umin = 0;
	r->umax = UINT64_MAX;
}

static void set_full_32(struct vreg *r)
{
	r->s32_min = INT32_MIN;
	r->s32_max = INT32_MAX;
	r->u32_min = 0;
	r->u32_max = UINT32_MAX;
}

void vreg_mark_unknown(struct vreg *r)
{
	memset(r, 0, sizeof(*r));
	r->type = V_SCALAR;
	r->var_off = tnum_unknown();
	set_full_64(r);
	set_full_32(r);
}

void vreg_mark_const(struct vreg *r, uint64_t v)
{
	memset(r, 0, sizeof(*r));
	r->type = V_SCALAR;
	r->var_off = tnum_const(v);
	r->smin = r->smax = (int64_t)v;
	r->umin = r->umax = v;
	r->s32_min = r->s32_max = (int32_t)v;
	r->u32_min = r->u32_max = (uint32_t)v;
}

bool vreg_is_const(const struct vreg *r)
{
	return r->type == V_SCALAR && tnum_is_const(r->var_off);
}

#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define MIN(a, b) ((a) < (b) ? (a) : (b))

/* One round of deductions between the views; two rounds reach the fixed point for our purposes. */
static void sync_once(struct vreg *r)
{
	struct tnum t32 = tnum_cast(r->var_off, 4);

	/* tnum -> ranges */
	r->umin = MAX(r->umin, r->var_off.value);
	r->umax = MIN(r->umax, r->var_off.value | r->var_off.mask);
	r->u32_min = MAX(r->u32_min, (uint32_t)t32.value);
	r->u32_max = MIN(r->u32_max, (uint32_t)(t32.value | t32.mask));
	if (!(r->var_off.mask & (1ull << 63))) {
		/* sign known: the tnum's min/max are also signed bounds */
		r->smin = MAX(r->smin, (int64_t)(r->var_off.value | (r->var_off.mask & (1ull << 63))));
		r->smax = MIN(r->smax, (int64_t)(r->var_off.value | (r->var_off.mask & ~(1ull << 63))));
	}
	if (!(t32.mask & (1u << 31))) {
		r->s32_min = MAX(r->s32_min, (int32_t)(uint32_t)(t32.value | (t32.mask & (1u << 31))));
		r->s32_max = MIN(r->s32_max, (int32_t)(uint32_t)(t32.value | (t32.mask & ~(1ull << 31))));
	}
	/* 64 -> 32 when the upper halves agree */
	if ((r->umin >> 32) == (r->umax >> 32)) {
		r->u32_min = MAX(r->u32_min, (uint32_t)r->umin);
		r->u32_max = MIN(r->u32_max, (uint32_t)r->umax);
		if ((int32_t)r->umin <= (int32_t)r->umax) {
			r->s32_min = MAX(r->s32_min, (int32_t)r->umin);
			r->s32_max = MIN(r->s32_max, (int32_t)r->umax);
		}
	}
	if ((r->smin >> 32) == (r->smax >> 32)) {
		if ((uint32_t)r->smin <= (uint32_t)r->smax) {
			r->u32_min = MAX(r->u32_min, (uint32_t)r->smin);
			r->u32_max = MIN(r->u32_max, (uint32_t)r->smax);
		}
		if ((int32_t)r->smin <= (int32_t)r->smax) {
			r->s32_min = MAX(r->s32_min, (int32_t)r->smin);
			r->s32_max = MIN(r->s32_max, (int32_t)r->smax);
		}
	}
	/* 32: signed <-> unsigned when no sign crossing */
	if (r->s32_min >= 0 || r->s32_max < 0) {
		r->u32_min = MAX(r->u32_min, (uint32_t)r->s32_min);
		r->u32_max = MIN(r->u32_max, (uint32_t)r->s32_max);
	}
	if ((int32_t)r->u32_min <= (int32_t)r->u32_max) {
		r->s32_min = MAX(r->s32_min, (int32_t)r->u32_min);
		r->s32_max = MIN(r->s32_max, (int32_t)r->u32_max);
	}
	/* 32 -> 64 when the upper 32 bits are known */
	if (!(r->var_off.mask >> 32)) {
		uint64_t hi = r->var_off.value & 0xffffffff00000000ull;
		r->umin = MAX(r->umin, hi | r->u32_min);
		r->umax = MIN(r->umax, hi | r->u32_max);
	}
	/* 64: signed <-> unsigned */
	if (r->smin >= 0 || r->smax < 0) {
		r->umin = MAX(r->umin, (uint64_t)r->smin);
		r->umax = MIN(r->umax, (uint64_t)r->smax);
	}
	if ((int64_t)r->umin <= (int64_t)r->umax) {
		r->smin = MAX(r->smin, (int64_t)r->umin);
		r->smax = MIN(r->smax, (int64_t)r->umax);
	}
	/* ranges -> tnum */
	r->var_off = tnum_intersect(r->var_off, tnum_range(r->umin, r->umax));
	{
		struct tnum lo = tnum_range(r->u32_min, r->u32_max);
		r->var_off = tnum_intersect(r->var_off, (struct tnum){ lo.value, lo.mask | 0xffffffff00000000ull });
	}
}

void vreg_sync(struct vreg *r)
{
	sync_once(r);
	sync_once(r);
}

static bool vreg_sane(const struct vreg *r)
{
	return r->umin <= r->umax && r->smin <= r->smax && r->u32_min <= r->u32_max &&
	       r->s32_min <= r->s32_max && !(r->var_off.value & r->var_off.mask);
}

/* Zero-extends the low size bytes (a narrow load, a 32-bit result). */
void vreg_coerce(struct vreg *r, int size)
{
	uint64_t m = size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;

	if (size >= 8)
		return;
	r->var_off = tnum_cast(r->var_off, size);
	if ((r->umin & ~m) == (r->umax & ~m)) {
		r->umin &= m;
		r->umax &= m;
		if (r->umin > r->umax) {
			r->umin = 0;
			r->umax = m;
		}
	} else {
		r->umin = 0;
		r->umax = m;
	}
	if (size == 4) {
		r->umin = MAX(r->umin, r->u32_min);
		r->umax = MIN(r->umax, r->u32_max);
	} else {
		set_full_32(r);
	}
	r->smin = (int64_t)r->umin;
	r->smax = (int64_t)r->umax;
	vreg_sync(r);
}

/* Sign-extends the low size bytes (movsx, ldsx). */
void vreg_sext(struct vreg *r, int size)
{
	int bits = size * 8;
	uint64_t sign = 1ull << (bits - 1), m = (1ull << bits) - 1;

	if (vreg_is_const(r)) {
		uint64_t v = r->var_off.value & m;
		vreg_mark_const(r, (v ^ sign) - sign);
		return;
	}
	{
		struct tnum t = tnum_cast(r->var_off, size);
		bool sign_known = !(t.mask & sign);
		uint32_t keep_id = 0;

		vreg_mark_unknown(r);
		(void)keep_id;
		if (sign_known) {
			uint64_t hi = (t.value & sign) ? ~m : 0;
			r->var_off = (struct tnum){ t.value | hi, t.mask };
		} else {
			r->smin = -(int64_t)sign;
			r->smax = (int64_t)sign - 1;
		}
		vreg_sync(r);
	}
}

static bool add_overflows_s64(int64_t a, int64_t b, int64_t *res)
{
	return __builtin_add_overflow(a, b, res);
}

static bool sub_overflows_s64(int64_t a, int64_t b, int64_t *res)
{
	return __builtin_sub_overflow(a, b, res);
}

/* 64-bit op on d (in place). shift ops want a constant src; others follow the rules in the header. */
static void alu64(struct vreg *d, const struct vreg *s, uint8_t op, bool is_signed)
{
	struct vreg r;
	int64_t a, b;

	vreg_mark_unknown(&r);
	switch (op) {
	case BPF_ADD:
		r.var_off = tnum_add(d->var_off, s->var_off);
		if (!add_overflows_s64(d->smin, s->smin, &a) && !add_overflows_s64(d->smax, s->smax, &b)) {
			r.smin = a;
			r.smax = b;
		}
		if (d->umax + s->umax >= d->umax && d->umin + s->umin >= d->umin) {
			r.umin = d->umin + s->umin;
			r.umax = d->umax + s->umax;
		}
		break;
	case BPF_SUB:
		r.var_off = tnum_sub(d->var_off, s->var_off);
		if (!sub_overflows_s64(d->smin, s->smax, &a) && !sub_overflows_s64(d->smax, s->smin, &b)) {
			r.smin = a;
			r.smax = b;
		}
		if (d->umin >= s->umax) {
			r.umin = d->umin - s->umax;
			r.umax = d->umax - s->umin;
		}
		break;
	case BPF_MUL:
		r.var_off = tnum_mul(d->var_off, s->var_off);
		if (d->umax <= UINT32_MAX && s->umax <= UINT32_MAX) {
			r.umin = d->umin * s->umin;
			r.umax = d->umax * s->umax;
		}
		break;
	case BPF_AND:
		r.var_off = tnum_and(d->var_off, s->var_off);
		r.umax = MIN(d->umax, s->umax);
		break;
	case BPF_OR:
		r.var_off = tnum_or(d->var_off, s->var_off);
		r.umin = MAX(d->umin, s->umin);
		break;
	case BPF_XOR:
		r.var_off = tnum_xor(d->var_off, s->var_off);
		break;
	case BPF_LSH: {
		unsigned sh = (unsigned)s->var_off.value;
		r.var_off = (struct tnum){ d->var_off.value << sh, d->var_off.mask << sh };
		if (sh == 0 || !(d->umax >> (64 - sh))) {
			r.umin = d->umin << sh;
			r.umax = d->umax << sh;
		}
		break;
	}
	case BPF_RSH: {
		unsigned sh = (unsigned)s->var_off.value;
		r.var_off = (struct tnum){ d->var_off.value >> sh, d->var_off.mask >> sh };
		r.umin = d->umin >> sh;
		r.umax = d->umax >> sh;
		break;
	}
	case BPF_ARSH: {
		unsigned sh = (unsigned)s->var_off.value;
		r.var_off = (struct tnum){ (uint64_t)((int64_t)d->var_off.value >> sh),
					   (uint64_t)((int64_t)d->var_off.mask >> sh) };
		r.smin = d->smin >> sh;
		r.smax = d->smax >> sh;
		break;
	}
	case BPF_DIV:
	case BPF_MOD:
		if (vreg_is_const(d) && vreg_is_const(s)) {
			uint64_t x = d->var_off.value, y = s->var_off.value, v;
			if (is_signed) {
				int64_t sx = (int64_t)x, sy = (int64_t)y;
				if (op == BPF_DIV)
					v = sy == 0 ? 0 : (sy == -1 ? (uint64_t)-sx : (uint64_t)(sx / sy));
				else
					v = sy == 0 ? x : (sy == -1 ? 0 : (uint64_t)(sx % sy));
			} else {
				v = op == BPF_DIV ? (y ? x / y : 0) : (y ? x % y : x);
			}
			vreg_mark_const(&r, v);
		} else if (!is_signed && vreg_is_const(s) && s->var_off.value) {
			uint64_t y = s->var_off.value;
			if (op == BPF_DIV) {
				r.umin = d->umin / y;
				r.umax = d->umax / y;
			} else {
				r.umax = d->umax < y ? d->umax : y - 1;
			}
		} else if (!is_signed && op == BPF_MOD && s->umin > 0) {
			r.umax = MIN(d->umax, s->umax - 1);
		} else if (!is_signed && op == BPF_DIV) {
			r.umax = d->umax;
		}
		break;
	default:
		break;
	}
	r.id = 0;
	*d = r;
	vreg_sync(d);
}

/* Builds the zero-extended 64-bit view of a 32-bit subregister. */
static void sub32_zext(struct vreg *t, const struct vreg *r)
{
	vreg_mark_unknown(t);
	t->var_off = tnum_cast(r->var_off, 4);
	t->umin = r->u32_min;
	t->umax = r->u32_max;
	t->smin = r->u32_min;
	t->smax = r->u32_max;
	t->u32_min = r->u32_min;
	t->u32_max = r->u32_max;
	t->s32_min = r->s32_min;
	t->s32_max = r->s32_max;
	vreg_sync(t);
}

static void sub32_sext(struct vreg *t, const struct vreg *r)
{
	sub32_zext(t, r);
	vreg_sext(t, 4);
	t->smin = MAX(t->smin, r->s32_min);
	t->smax = MIN(t->smax, r->s32_max);
	vreg_sync(t);
}

int vscalar_alu(struct vreg *dst, const struct vreg *src, uint8_t op, bool alu32)
{
	bool is_signed = false;
	unsigned width = alu32 ? 32 : 64;

	if ((op & 0xf0) == BPF_END) /* caller passes BPF_END only for bswap/endianness */
		return 0;
	if (op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH) {
		if (!vreg_is_const(src) || src->var_off.value >= width) {
			vreg_mark_unknown(dst);
			if (alu32)
				vreg_coerce(dst, 4);
			return 0;
		}
	}
	op &= 0xf0;
	if (!alu32) {
		alu64(dst, src, op, is_signed);
		return 0;
	}
	{
		struct vreg d, s, res;
		bool sx = op == BPF_ARSH || is_signed;

		if (sx) {
			sub32_sext(&d, dst);
			sub32_sext(&s, src);
		} else {
			sub32_zext(&d, dst);
			sub32_zext(&s, src);
		}
		if (op == BPF_ARSH) {
			/* 32-bit arsh: shift the sign-extended value, then truncate */
		}
		alu64(&d, &s, op, is_signed);
		res = d;
		vreg_mark_unknown(dst);
		dst->var_off = tnum_cast(res.var_off, 4);
		if (res.umax <= UINT32_MAX) {
			dst->u32_min = (uint32_t)res.umin;
			dst->u32_max = (uint32_t)res.umax;
		}
		if (res.smin >= INT32_MIN && res.smax <= INT32_MAX) {
			dst->s32_min = (int32_t)res.smin;
			dst->s32_max = (int32_t)res.smax;
		}
		dst->umin = 0;
		dst->umax = UINT32_MAX;
		dst->smin = 0;
		dst->smax = UINT32_MAX;
		vreg_sync(dst);
	}
	return 0;
}

/* ---- branches ---- */

struct rng {
	uint64_t umin, umax;
	int64_t smin, smax;
	struct tnum t;
	bool is32;
};

static struct rng rng_of(const struct vreg *r, bool is32)
{
	struct rng g;

	if (is32) {
		g.umin = r->u32_min;
		g.umax = r->u32_max;
		g.smin = r->s32_min;
		g.smax = r->s32_max;
		g.t = tnum_cast(r->var_off, 4);
	} else {
		g.umin = r->umin;
		g.umax = r->umax;
		g.smin = r->smin;
		g.smax = r->smax;
		g.t = r->var_off;
	}
	g.is32 = is32;
	return g;
}

static int branch_rng(struct rng a, struct rng b, uint8_t op)
{
	switch (op) {
	case BPF_JEQ:
		if (tnum_is_const(a.t) && tnum_is_const(b.t))
			return a.t.value == b.t.value;
		if (a.umin > b.umax || a.umax < b.umin || a.smin > b.smax || a.smax < b.smin)
			return 0;
		if ((a.t.value ^ b.t.value) & ~(a.t.mask | b.t.mask))
			return 0;
		return -1;
	case BPF_JNE: {
		int r = branch_rng(a, b, BPF_JEQ);
		return r < 0 ? r : !r;
	}
	case BPF_JSET:
		if (a.t.value & b.t.value)
			return 1;
		if (!((a.t.value | a.t.mask) & (b.t.value | b.t.mask)))
			return 0;
		return -1;
	case BPF_JGT:
		if (a.umin > b.umax) return 1;
		if (a.umax <= b.umin) return 0;
		return -1;
	case BPF_JGE:
		if (a.umin >= b.umax) return 1;
		if (a.umax < b.umin) return 0;
		return -1;
	case BPF_JLT:
		return branch_rng(b, a, BPF_JGT);
	case BPF_JLE:
		return branch_rng(b, a, BPF_JGE);
	case BPF_JSGT:
		if (a.smin > b.smax) return 1;
		if (a.smax <= b.smin) return 0;
		return -1;
	case BPF_JSGE:
		if (a.smin >= b.smax) return 1;
		if (a.smax < b.smin) return 0;
		return -1;
	case BPF_JSLT:
		return branch_rng(b, a, BPF_JSGT);
	case BPF_JSLE:
		return branch_rng(b, a, BPF_JSGE);
	}
	return -1;
}

int vscalar_branch(const struct vreg *dst, const struct vreg *src, uint8_t op, bool jmp32)
{
	return branch_rng(rng_of(dst, jmp32), rng_of(src, jmp32), op);
}

static uint8_t negate_op(uint8_t op)
{
	switch (op) {
	case BPF_JEQ: return BPF_JNE;
	case BPF_JNE: return BPF_JEQ;
	case BPF_JGT: return BPF_JLE;
	case BPF_JLE: return BPF_JGT;
	case BPF_JGE: return BPF_JLT;
	case BPF_JLT: return BPF_JGE;
	case BPF_JSGT: return BPF_JSLE;
	case BPF_JSLE: return BPF_JSGT;
	case BPF_JSGE: return BPF_JSLT;
	case BPF_JSLT: return BPF_JSGE;
	case BPF_JSET: return 0xff; /* "no common set bit" */
	}
	return op;
}

static void put_rng(struct vreg *r, struct rng g)
{
	if (g.is32) {
		r->u32_min = (uint32_t)g.umin;
		r->u32_max = (uint32_t)g.umax;
		r->s32_min = (int32_t)g.smin;
		r->s32_max = (int32_t)g.smax;
		r->var_off = (struct tnum){ (r->var_off.value & ~0xffffffffull) | g.t.value,
					   (r->var_off.mask & ~0xffffffffull) | g.t.mask };
	} else {
		r->umin = g.umin;
		r->umax = g.umax;
		r->smin = g.smin;
		r->smax = g.smax;
		r->var_off = g.t;
	}
	vreg_sync(r);
}

/* Refines a (dst) and b (src) assuming `a op b` holds. Empty results make the branch infeasible. */
static void refine_rng(struct rng *a, struct rng *b, uint8_t op)
{
	uint64_t umax32 = a->is32 ? UINT32_MAX : UINT64_MAX;

	switch (op) {
	case BPF_JEQ:
		a->umin = b->umin = MAX(a->umin, b->umin);
		a->umax = b->umax = MIN(a->umax, b->umax);
		a->smin = b->smin = MAX(a->smin, b->smin);
		a->smax = b->smax = MIN(a->smax, b->smax);
		if ((a->t.value ^ b->t.value) & ~(a->t.mask | b->t.mask)) {
			a->umin = 1; a->umax = 0; /* contradiction */
		} else {
			a->t = b->t = tnum_intersect(a->t, b->t);
		}
		break;
	case BPF_JNE:
		if (tnum_is_const(b->t)) {
			uint64_t c = b->t.value;
			int64_t sc = a->is32 ? (int32_t)c : (int64_t)c;
			if (a->umin == c && a->umin < umax32) a->umin++;
			else if (a->umax == c && a->umax > 0) a->umax--;
			if (a->smin == sc) a->smin++;
			else if (a->smax == sc) a->smax--;
			if (tnum_is_const(a->t) && a->t.value == c) { a->umin = 1; a->umax = 0; }
		} else if (tnum_is_const(a->t)) {
			refine_rng(b, a, BPF_JNE);
		}
		break;
	case BPF_JSET:
		if (tnum_is_const(b->t) && b->t.value && !(b->t.value & (b->t.value - 1))) {
			a->t.value |= b->t.value;
			a->t.mask &= ~b->t.value;
		}
		break;
	case 0xff: /* !(a & b) */
		if (tnum_is_const(b->t)) {
			a->t.value &= ~b->t.value;
			a->t.mask &= ~b->t.value;
		}
		break;
	case BPF_JGT:
		if (b->umin == umax32) { a->umin = 1; a->umax = 0; break; }
		a->umin = MAX(a->umin, b->umin + 1);
		if (a->umax == 0) { a->umin = 1; a->umax = 0; break; }
		b->umax = MIN(b->umax, a->umax - 1);
		break;
	case BPF_JGE:
		a->umin = MAX(a->umin, b->umin);
		b->umax = MIN(b->umax, a->umax);
		break;
	case BPF_JLT:
		refine_rng(b, a, BPF_JGT);
		break;
	case BPF_JLE:
		refine_rng(b, a, BPF_JGE);
		break;
	case BPF_JSGT: {
		int64_t smax = a->is32 ? INT32_MAX : INT64_MAX, smin = a->is32 ? INT32_MIN : INT64_MIN;
		if (b->smin == smax || a->smax == smin) { a->umin = 1; a->umax = 0; break; }
		a->smin = MAX(a->smin, b->smin + 1);
		b->smax = MIN(b->smax, a->smax - 1);
		break;
	}
	case BPF_JSGE:
		a->smin = MAX(a->smin, b->smin);
		b->smax = MIN(b->smax, a->smax);
		break;
	case BPF_JSLT:
		refine_rng(b, a, BPF_JSGT);
		break;
	case BPF_JSLE:
		refine_rng(b, a, BPF_JSGE);
		break;
	}
}

void vscalar_refine(struct vreg *dst, struct vreg *src, uint8_t op, bool jmp32, bool taken)
{
	struct rng a = rng_of(dst, jmp32), b = rng_of(src, jmp32);

	refine_rng(&a, &b, taken ? op : negate_op(op));
	if (a.umin > a.umax || b.umin > b.umax || a.smin > a.smax || b.smin > b.smax) {
		/* infeasible: mark by an empty range the caller detects */
		dst->umin = 1;
		dst->umax = 0;
		return;
	}
	put_rng(dst, a);
	put_rng(src, b);
}

bool vreg_range_within(const struct vreg *old, const struct vreg *cur)
{
	return old->umin <= cur->umin && old->umax >= cur->umax && old->smin <= cur->smin &&
	       old->smax >= cur->smax && old->u32_min <= cur->u32_min && old->u32_max >= cur->u32_max &&
	       old->s32_min <= cur->s32_min && old->s32_max >= cur->s32_max;
}

bool vreg_feasible(const struct vreg *r);
bool vreg_feasible(const struct vreg *r)
{
	return vreg_sane(r);
}
