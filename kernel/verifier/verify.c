/* ukern_verify(): path-sensitive abstract interpretation of a BPF program, as the kernel's verifier.
 *
 * Shape (the kernel's): a structural pass (jump ranges, ld_imm64 pairs, subprograms, reachability, static
 * register liveness, prune points), then a depth-first walk of every path: one current state, a stack of
 * states still to explore (the other side of each undecided branch), and at prune points a list of
 * checkpoints per instruction. A path whose state is covered by a fully explored checkpoint stops there.
 *
 * Pruning needs two facts the kernel also keeps:
 *  - precision: a scalar is compared by range only if its value mattered (a pointer offset, a helper size,
 *    a branch decided by it). Marks are found by walking the instruction history backwards from the use,
 *    through the parent checkpoints (vmark_precise). Unsupported cases (calls across frames) fall back to
 *    marking every scalar precise, which is safe and only costs pruning.
 *  - branch counts: a checkpoint with unexplored descendants may not prune (its precision marks are not
 *    final); it serves loop detection instead ("infinite loop detected") and, at may_goto and callback
 *    calls, the kernel's range-within pruning (every scalar compared by range) after the imprecise
 *    scalars of the next iteration were widened against the previous iteration's checkpoint.
 *  - liveness: a checkpoint keeps only the registers live at its insn; a dead register's precision mark
 *    must not reach the paths pruned against it (see ckpt_clean_dead).
 * Termination: 1M processed instructions, as the kernel ("BPF program is too large").
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vstate.h"

/* ---- states ---- */

/* compact: a checkpoint's frame, never written past its slots (only precision marks change) */
static struct vframe *frame_dup(const struct vframe *f, bool compact)
{
	struct vframe *n = malloc(compact ? offsetof(struct vframe, stack) + f->nslots * sizeof(struct vslot) :
				  sizeof(*n));

	if (!n)
		return NULL;
	memcpy(n, f, offsetof(struct vframe, stack) + f->nslots * sizeof(struct vslot));
	return n;
}

static void state_free(struct vstate *s)
{
	if (!s)
		return;
	for (uint32_t i = 0; i <= s->curframe && i < V_MAX_FRAMES; i++)
		free(s->frames[i]);
	free(s->hist);
	free(s);
}

static struct vstate *state_dup_ex(const struct vstate *s, bool with_hist, bool compact)
{
	struct vstate *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	*n = *s;
	n->hist = NULL;
	n->nhist = n->caphist = 0;
	n->next = NULL;
	for (uint32_t i = 0; i <= s->curframe; i++) {
		n->frames[i] = frame_dup(s->frames[i], compact);
		if (!n->frames[i]) {
			n->curframe = i ? i - 1 : 0;
			state_free(n);
			return NULL;
		}
	}
	if (with_hist && s->nhist) {
		n->hist = malloc(s->nhist * sizeof(*n->hist));
		if (!n->hist) {
			state_free(n);
			return NULL;
		}
		memcpy(n->hist, s->hist, s->nhist * sizeof(*n->hist));
		n->nhist = n->caphist = s->nhist;
	}
	return n;
}

static struct vstate *state_dup(const struct vstate *s, bool with_hist)
{
	return state_dup_ex(s, with_hist, false);
}

static int hist_push(struct vstate *s, struct vhist h)
{
	if (s->nhist == s->caphist) {
		uint32_t cap = s->caphist ? s->caphist * 2 : 16;
		struct vhist *n = realloc(s->hist, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		s->hist = n;
		s->caphist = cap;
	}
	s->hist[s->nhist++] = h;
	return 0;
}

void vhist_note_stack(struct venv *env, int spi, int frame)
{
	env->pending_spi = (int16_t)spi;
	env->pending_sframe = (uint8_t)frame;
}

/* A path ended (exit, pruned, infeasible): its checkpoints lose one live descendant. */
static void path_done(struct vstate *s)
{
	for (struct vstate *p = s->parent; p; p = p->parent) {
		if (p->branches)
			p->branches--;
		if (p->branches)
			break;
	}
}

static struct vstate *fork_state(struct venv *env, uint32_t insn_idx)
{
	struct vstate *b = state_dup(env->cur, true);

	if (!b)
		return NULL;
	b->insn_idx = insn_idx;
	b->prev_idx = env->cur->insn_idx;
	b->log_start = env->log_pos;
	if (b->parent)
		b->parent->branches++;
	return b;
}

static void push_state(struct venv *env, struct vstate *s)
{
	s->next = env->stack;
	env->stack = s;
	env->stack_size++;
}

/* ---- precision ---- */

static void mark_all_precise(struct venv *env)
{
	for (struct vstate *s = env->cur; s; s = s->parent)
		for (uint32_t fi = 0; fi <= s->curframe; fi++) {
			struct vframe *f = s->frames[fi];
			for (int r = 0; r < V_MAX_REGS; r++)
				if (f->regs[r].type == V_SCALAR)
					f->regs[r].precise = true;
			for (uint32_t k = 0; k < f->nslots; k++)
				if (f->stack[k].type[0] == SB_SPILL && f->stack[k].spilled.type == V_SCALAR)
					f->stack[k].spilled.precise = true;
		}
}

/* Backtracking state: per frame, the registers and stack slots whose values are still being traced. */
struct btrack {
	uint32_t rm[V_MAX_FRAMES];
	uint64_t sm[V_MAX_FRAMES];
};

static bool bt_empty(const struct btrack *bt)
{
	for (int i = 0; i < V_MAX_FRAMES; i++)
		if (bt->rm[i] || bt->sm[i])
			return false;
	return true;
}

/* One step backwards over insn h: which registers/slots before it determine the traced ones after it.
 * Returns -1 when the step is beyond this tracker (the caller then marks everything precise). */
static int backtrack_insn(struct venv *env, const struct vhist *h, struct btrack *bt)
{
	const struct bpf_insn *in = &env->insns[h->idx];
	uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
	uint32_t dbit = 1u << in->dst_reg, sbit = 1u << in->src_reg, g = h->frame;
	uint32_t *rm = &bt->rm[g];
	uint64_t *sm;

	if (g >= V_MAX_FRAMES)
		return -1;
	if (h->spi >= 0 && h->sframe >= V_MAX_FRAMES)
		return -1;
	sm = h->spi >= 0 ? &bt->sm[h->sframe] : NULL;
	switch (cls) {
	case BPF_ALU:
	case BPF_ALU64:
		if (!(*rm & dbit) || op == BPF_END || op == BPF_NEG)
			return 0;
		if (op == BPF_MOV) {
			*rm &= ~dbit;
			if (BPF_SRC(in->code) == BPF_X && !(cls == BPF_ALU64 && in->off == BPF_ADDR_SPACE_CAST))
				*rm |= sbit;
		} else if (BPF_SRC(in->code) == BPF_X) {
			*rm |= sbit;
		}
		return 0;
	case BPF_LDX:
		if (!(*rm & dbit))
			return 0;
		*rm &= ~dbit;
		if (sm)
			*sm |= 1ull << h->spi;
		return 0;
	case BPF_ST:
	case BPF_STX:
		if (!sm || !(*sm & (1ull << h->spi)))
			return 0;
		if (BPF_MODE(in->code) == BPF_ATOMIC)
			return -1;
		*sm &= ~(1ull << h->spi);
		if (cls == BPF_STX)
			*rm |= sbit;
		return 0;
	case BPF_LD:
		*rm &= ~dbit;
		return 0;
	case BPF_JMP:
	case BPF_JMP32:
		if (op == BPF_CALL) {
			bool entered = g + 1 < V_MAX_FRAMES && (bt->rm[g + 1] || bt->sm[g + 1]);
			if (in->src_reg == BPF_PSEUDO_CALL) {
				/* leaving the callee backwards: its arguments were our r1-r5 */
				if (g + 1 < V_MAX_FRAMES) {
					*rm |= bt->rm[g + 1] & 0x3e;
					bt->rm[g + 1] = 0;
					bt->sm[g + 1] = 0;
				}
				*rm &= ~1u;
				return 0;
			}
			if (entered)
				return -1; /* a callback's frame: not traced */
			*rm &= ~1u;
			if (*rm & 0x3e)
				return -1;
			return 0;
		}
		if (op == BPF_EXIT) {
			/* a callee's exit seen from the caller: the caller's r0 is the callee's */
			if (g == 0)
				return -1;
			if (bt->rm[g - 1] & 1u) {
				bt->rm[g - 1] &= ~1u;
				*rm |= 1u;
			}
			return 0;
		}
		if (op == BPF_JA || op == BPF_JCOND)
			return 0;
		if (BPF_SRC(in->code) == BPF_X && ((*rm & dbit) || (*rm & sbit)))
			*rm |= dbit | sbit;
		return 0;
	}
	return 0;
}

static void mark_precise_bt(struct venv *env, struct btrack *bt)
{
	bool first = true;

	for (struct vstate *s = env->cur; s; s = s->parent, first = false) {
		for (uint32_t fi = 0; fi < V_MAX_FRAMES; fi++) {
			struct vframe *f;

			if (!bt->rm[fi] && !bt->sm[fi])
				continue;
			if (fi > s->curframe) {
				mark_all_precise(env);
				return;
			}
			f = s->frames[fi];
			for (int r = 0; r < V_MAX_REGS; r++) {
				struct vreg *reg = &f->regs[r];
				if (!(bt->rm[fi] & (1u << r)))
					continue;
				if (reg->type != V_SCALAR || (reg->precise && !first))
					bt->rm[fi] &= ~(1u << r);
				else
					reg->precise = true;
			}
			for (int k = 0; k < V_SLOTS; k++) {
				struct vslot *sl;
				if (!(bt->sm[fi] & (1ull << k)))
					continue;
				if ((uint32_t)k >= f->nslots) {
					bt->sm[fi] &= ~(1ull << k);
					continue;
				}
				sl = &f->stack[k];
				if (sl->type[0] != SB_SPILL || sl->spilled.type != V_SCALAR ||
				    (sl->spilled.precise && !first))
					bt->sm[fi] &= ~(1ull << k);
				else
					sl->spilled.precise = true;
			}
		}
		if (bt_empty(bt))
			return;
		for (uint32_t j = s->nhist; j-- > 0;) {
			if (backtrack_insn(env, &s->hist[j], bt) < 0) {
				mark_all_precise(env);
				return;
			}
			if (bt_empty(bt))
				return;
		}
	}
}

static void mark_precise_mask(struct venv *env, uint32_t frame, uint32_t rm, uint64_t sm)
{
	struct btrack bt;

	memset(&bt, 0, sizeof(bt));
	bt.rm[frame] = rm;
	bt.sm[frame] = sm;
	mark_precise_bt(env, &bt);
}

void vmark_precise(struct venv *env, int regno)
{
	if (regno < 0 || vcur_frame(env)->regs[regno].type != V_SCALAR)
		return;
	mark_precise_mask(env, env->cur->curframe, 1u << regno, 0);
}

/* ---- state equivalence ---- */

/* NOT_EXACT: a fully explored checkpoint, imprecise scalars match anything. RANGE_WITHIN: a checkpoint
 * still being explored (a may_goto or callback loop head): its precision marks are not final, so every
 * scalar must lie within the old range (the loop converges through widening). EXACT: loop detection. */
enum cmp_mode { CMP_NOT_EXACT, CMP_RANGE_WITHIN, CMP_EXACT };

struct idmap {
	uint32_t old[64], cur[64];
	int n;
};

static bool check_ids(struct idmap *m, uint32_t o, uint32_t c)
{
	if (!o && !c)
		return true;
	if (!o || !c)
		return false;
	for (int i = 0; i < m->n; i++) {
		if (m->old[i] == o)
			return m->cur[i] == c;
		if (m->cur[i] == c)
			return false;
	}
	if (m->n == 64)
		return false;
	m->old[m->n] = o;
	m->cur[m->n++] = c;
	return true;
}

static bool var_within(const struct vreg *o, const struct vreg *c)
{
	return vreg_range_within(o, c) && tnum_in(o->var_off, c->var_off);
}

static bool regs_exact(const struct vreg *o, const struct vreg *c, struct idmap *m)
{
	return o->type == c->type && o->maybe_null == c->maybe_null && o->off == c->off &&
	       o->frameno == c->frameno && o->map == c->map && o->range == c->range && o->subprog == c->subprog &&
	       o->var_off.value == c->var_off.value && o->var_off.mask == c->var_off.mask && o->smin == c->smin &&
	       o->smax == c->smax && o->umin == c->umin && o->umax == c->umax && o->s32_min == c->s32_min &&
	       o->s32_max == c->s32_max && o->u32_min == c->u32_min && o->u32_max == c->u32_max &&
	       (o->type == V_SCALAR || check_ids(m, o->id, c->id));
}

static bool regsafe(const struct vreg *o, const struct vreg *c, struct idmap *m, enum cmp_mode mode)
{
	if (o->type == V_NOT_INIT)
		return mode != CMP_EXACT || c->type == V_NOT_INIT;
	if (mode == CMP_EXACT)
		return regs_exact(o, c, m);
	if (o->type != c->type)
		return false;
	switch (o->type) {
	case V_SCALAR:
		if (!o->precise && mode == CMP_NOT_EXACT)
			return true;
		return var_within(o, c);
	case V_PTR_CTX:
		return o->off == c->off && var_within(o, c);
	case V_PTR_STACK:
		return o->off == c->off && o->frameno == c->frameno && var_within(o, c);
	case V_PTR_MAP:
		return o->map == c->map;
	case V_PTR_MAP_VALUE:
		if (o->map != c->map || o->maybe_null != c->maybe_null || o->off != c->off || !var_within(o, c))
			return false;
		return !o->maybe_null || check_ids(m, o->id, c->id);
	case V_PTR_ARENA:
		return true;
	case V_PTR_FUNC:
		return o->subprog == c->subprog;
	case V_PTR_PACKET:
	case V_PTR_PACKET_META:
		return o->off == c->off && o->range <= c->range && var_within(o, c) && check_ids(m, o->id, c->id);
	case V_PTR_PACKET_END:
		return true;
	}
	return false;
}

static bool stacksafe(const struct vframe *o, const struct vframe *c, struct idmap *m, enum cmp_mode mode)
{
	static const struct vslot empty;

	for (uint32_t k = 0; k < o->nslots || (mode == CMP_EXACT && k < c->nslots); k++) {
		const struct vslot *so = k < o->nslots ? &o->stack[k] : &empty;
		const struct vslot *sc = k < c->nslots ? &c->stack[k] : &empty;

		if (mode == CMP_EXACT) {
			if (memcmp(so->type, sc->type, 8))
				return false;
			if (so->type[0] == SB_SPILL && !regs_exact(&so->spilled, &sc->spilled, m))
				return false;
			continue;
		}
		if (so->type[0] == SB_SPILL) {
			if (so->spilled.type == V_SCALAR && sc->type[0] != SB_SPILL && mode == CMP_RANGE_WITHIN) {
				/* bytes that are not a spill read back as an unknown scalar */
				struct vreg unk;
				memset(&unk, 0, sizeof(unk));
				vreg_mark_unknown(&unk);
				for (int b = 0; b < 8; b++)
					if (sc->type[b] == SB_INVALID)
						return false;
				if (!regsafe(&so->spilled, &unk, m, mode))
					return false;
				continue;
			}
			if (so->spilled.type == V_SCALAR && !so->spilled.precise && mode == CMP_NOT_EXACT) {
				/* any non-pointer content will do */
				if (sc->type[0] == SB_SPILL && sc->spilled.type != V_SCALAR)
					return false;
				for (int b = 0; b < 8; b++)
					if (sc->type[b] == SB_INVALID)
						return false;
				continue;
			}
			if (sc->type[0] != SB_SPILL || !regsafe(&so->spilled, &sc->spilled, m, mode))
				return false;
			continue;
		}
		for (int b = 0; b < 8; b++) {
			uint8_t to = so->type[b], tc = sc->type[b];
			if (to == SB_INVALID)
				continue;
			if (to == SB_MISC) {
				if (tc == SB_MISC || tc == SB_ZERO)
					continue;
				if (tc == SB_SPILL && sc->spilled.type == V_SCALAR)
					continue;
				return false;
			}
			if (to == SB_ZERO) {
				if (tc == SB_ZERO)
					continue;
				if (tc == SB_SPILL && vreg_is_const(&sc->spilled) && sc->spilled.var_off.value == 0)
					continue;
				return false;
			}
		}
	}
	return true;
}

/* Registers a checkpoint keeps: the live ones at its insn (static liveness) in the current frame,
 * callee-saved r6-r9 in the callers' frames (r0-r5 are rewritten by the return). */
static uint32_t ckpt_live_regs(struct venv *env, const struct vstate *st, uint32_t frame)
{
	return frame == st->curframe ? env->live[st->insn_idx] : 0x3c0;
}

/* A checkpoint forgets its dead registers (the kernel's clean_live_states): nothing after this insn
 * reads them, so they must neither decide a comparison nor, through a pruning hit, hand their precision
 * marks to the registers of the path that was pruned (a scalar precise only in some later use of a
 * register that is redefined first would otherwise turn loop counters precise and stop pruning). */
static void ckpt_clean_dead(struct venv *env, struct vstate *st)
{
	for (uint32_t fi = 0; fi <= st->curframe; fi++) {
		uint32_t live = ckpt_live_regs(env, st, fi);

		for (int r = 0; r < V_MAX_REGS - 1; r++)
			if (!(live & (1u << r)))
				memset(&st->frames[fi]->regs[r], 0, sizeof(struct vreg));
	}
}

static bool states_equal(struct venv *env, const struct vstate *o, const struct vstate *c, enum cmp_mode mode)
{
	struct idmap m = { .n = 0 };

	if (o->curframe != c->curframe)
		return false;
	for (uint32_t i = 0; i <= o->curframe; i++) {
		const struct vframe *fo = o->frames[i], *fc = c->frames[i];
		uint32_t live = ckpt_live_regs(env, c, i);

		/* a callback re-entry does not read the call's arguments again */
		if (i == o->curframe && (c->cb_reenter || o->cb_reenter))
			live &= ~0x3eu;

		if (fo->callsite != fc->callsite || fo->in_callback != fc->in_callback)
			return false;
		for (int r = 0; r < V_MAX_REGS - 1; r++)
			if ((live & (1u << r)) && !regsafe(&fo->regs[r], &fc->regs[r], &m, mode))
				return false;
		if (!stacksafe(fo, fc, &m, mode))
			return false;
	}
	return true;
}

/* Old checkpoint covers cur: cur's ancestors must keep every scalar old relied on precise. */
static void propagate_precision(struct venv *env, const struct vstate *o)
{
	struct btrack bt;

	memset(&bt, 0, sizeof(bt));
	for (uint32_t fi = 0; fi <= o->curframe; fi++) {
		const struct vframe *f = o->frames[fi];

		for (int r = 0; r < V_MAX_REGS; r++)
			if (f->regs[r].type == V_SCALAR && f->regs[r].precise)
				bt.rm[fi] |= 1u << r;
		for (uint32_t k = 0; k < f->nslots; k++)
			if (f->stack[k].type[0] == SB_SPILL && f->stack[k].spilled.type == V_SCALAR &&
			    f->stack[k].spilled.precise)
				bt.sm[fi] |= 1ull << k;
	}
	if (!bt_empty(&bt))
		mark_precise_bt(env, &bt);
}

static bool is_may_goto(const struct bpf_insn *in)
{
	return in->code == (BPF_JMP | BPF_JCOND);
}

/* A helper call that runs a callback (bpf_loop): the callback's repetitions come back here. */
static bool calls_callback(struct venv *env, uint32_t idx)
{
	const struct bpf_insn *in = &env->insns[idx];
	const struct ukern_func_proto *p = env->prog->aux[idx].call;

	if (in->code != (BPF_JMP | BPF_CALL) || in->src_reg == BPF_PSEUDO_CALL || !p)
		return false;
	for (int i = 0; i < 5; i++)
		if (p->args[i] == UKERN_ARG_PTR_TO_FUNC)
			return true;
	return false;
}

/* 1: pruned, 0: go on, <0: refused */
static int is_state_visited(struct venv *env, uint32_t idx)
{
	struct vstate *cur = env->cur, *c, *o, **link;
	bool force = is_may_goto(&env->insns[idx]), cb = calls_callback(env, idx);

	force = force || cb;
	for (link = &env->explored[idx]; (o = *link);) {
		if (o->branches) {
			if (is_may_goto(&env->insns[idx]) && o->may_goto_depth != cur->may_goto_depth &&
			    states_equal(env, o, cur, CMP_RANGE_WITHIN))
				goto hit;
			/* the kernel's rule for callback loops: a later iteration covered by an earlier one */
			if (cb && o->cb_depth != cur->cb_depth && states_equal(env, o, cur, CMP_RANGE_WITHIN))
				goto hit;
			if (o->may_goto_depth == cur->may_goto_depth && o->cb_depth == cur->cb_depth &&
			    states_equal(env, o, cur, CMP_EXACT)) {
				vlog(env, "infinite loop detected at insn %u\n", idx);
				return -EINVAL;
			}
		} else if (states_equal(env, o, cur, CMP_NOT_EXACT)) {
			goto hit;
		}
		/* a checkpoint that keeps missing costs more than it saves (the kernel's eviction rule) */
		if (++o->miss_cnt > o->hit_cnt * 3 + 3) {
			*link = o->next;
			env->nexplored[idx]--;
			env->cur_states--;
			if (o->branches) {
				/* live paths still walk up through it: keep it until the end */
				o->next = env->retired;
				env->retired = o;
			} else {
				state_free(o);
			}
			continue;
		}
		link = &o->next;
	}
	/* like the kernel, add a checkpoint only every few jumps and insns, unless at may_goto */
	if (!force && !(env->insn_processed - env->ckpt_insns >= 8 && env->jmps_processed - env->ckpt_jmps >= 2))
		return 0;
	env->ckpt_insns = env->insn_processed;
	env->ckpt_jmps = env->jmps_processed;
	c = state_dup_ex(cur, false, true);
	if (!c)
		return -ENOMEM;
	/* the checkpoint takes the history that led to it; cur continues from it */
	c->hist = cur->hist;
	c->nhist = cur->nhist;
	c->caphist = cur->caphist;
	cur->hist = NULL;
	cur->nhist = cur->caphist = 0;
	ckpt_clean_dead(env, c);
	c->branches = 1;
	c->parent = cur->parent;
	cur->parent = c;
	c->next = env->explored[idx];
	env->explored[idx] = c;
	env->nexplored[idx]++;
	env->total_states++;
	if (env->nexplored[idx] > env->max_states_per_insn)
		env->max_states_per_insn = env->nexplored[idx];
	env->cur_states++;
	if (env->cur_states > env->peak_states)
		env->peak_states = env->cur_states;
	env->new_ckpt = c;
	return 0;
hit:
	o->hit_cnt++;
	propagate_precision(env, o);
	return 1;
}

/* ---- branches ---- */

static void mark_null_regs(struct vstate *st, uint32_t id, bool is_null)
{
	for (uint32_t fi = 0; fi <= st->curframe; fi++) {
		struct vframe *f = st->frames[fi];
		for (int r = 0; r < V_MAX_REGS; r++) {
			struct vreg *reg = &f->regs[r];
			if (reg->type == V_PTR_MAP_VALUE && reg->maybe_null && reg->id == id) {
				if (is_null)
					vreg_mark_const(reg, 0);
				else {
					reg->maybe_null = false;
					reg->id = 0;
				}
			}
		}
		for (uint32_t k = 0; k < f->nslots; k++) {
			struct vreg *reg = &f->stack[k].spilled;
			if (f->stack[k].type[0] == SB_SPILL && reg->type == V_PTR_MAP_VALUE && reg->maybe_null &&
			    reg->id == id) {
				if (is_null)
					vreg_mark_const(reg, 0);
				else {
					reg->maybe_null = false;
					reg->id = 0;
				}
			}
		}
	}
}

static void copy_to_linked(struct vstate *st, const struct vreg *src)
{
	struct vframe *f = st->frames[st->curframe];

	if (!src->id || src->type != V_SCALAR)
		return;
	for (int r = 0; r < V_MAX_REGS; r++)
		if (f->regs[r].type == V_SCALAR && f->regs[r].id == src->id) {
			bool p = f->regs[r].precise;
			f->regs[r] = *src;
			f->regs[r].precise = p;
		}
	for (uint32_t k = 0; k < f->nslots; k++)
		if (f->stack[k].type[0] == SB_SPILL && f->stack[k].spilled.type == V_SCALAR &&
		    f->stack[k].spilled.id == src->id) {
			bool p = f->stack[k].spilled.precise;
			f->stack[k].spilled = *src;
			f->stack[k].spilled.precise = p;
		}
}

static void set_pkt_range(struct vstate *st, const struct vreg *pkt, uint32_t range)
{
	for (uint32_t fi = 0; fi <= st->curframe; fi++) {
		struct vframe *f = st->frames[fi];
		for (int r = 0; r < V_MAX_REGS; r++)
			if (f->regs[r].type == V_PTR_PACKET && f->regs[r].id == pkt->id && f->regs[r].range < range)
				f->regs[r].range = range;
		for (uint32_t k = 0; k < f->nslots; k++)
			if (f->stack[k].type[0] == SB_SPILL && f->stack[k].spilled.type == V_PTR_PACKET &&
			    f->stack[k].spilled.id == pkt->id && f->stack[k].spilled.range < range)
				f->stack[k].spilled.range = range;
	}
}

/* Applies the knowledge "dst op src is (taken)" to state st; false when that cannot hold. */
static bool refine_state(struct venv *env, struct vstate *st, const struct bpf_insn *in, bool taken)
{
	struct vframe *f = st->frames[st->curframe];
	struct vreg *d = &f->regs[in->dst_reg], s, *sp = NULL;
	uint8_t op = BPF_OP(in->code);
	bool is_x = BPF_SRC(in->code) == BPF_X, jmp32 = BPF_CLASS(in->code) == BPF_JMP32;

	if (is_x) {
		sp = &f->regs[in->src_reg];
		s = *sp;
	} else {
		vreg_mark_const(&s, jmp32 ? (uint32_t)in->imm : (uint64_t)(int64_t)in->imm);
	}
	(void)env;
	if (d->type != V_SCALAR || s.type != V_SCALAR)
		return true;
	{
		struct vreg nd = *d, ns = s;
		vscalar_refine(&nd, &ns, op, jmp32, taken);
		if (!vreg_feasible(&nd) || !vreg_feasible(&ns))
			return false;
		nd.id = d->id;
		nd.precise = d->precise;
		*d = nd;
		copy_to_linked(st, d);
		if (sp && in->src_reg != in->dst_reg) {
			ns.id = sp->id;
			ns.precise = sp->precise;
			*sp = ns;
			copy_to_linked(st, sp);
		}
	}
	return true;
}

static bool is_nonnull_ptr(const struct vreg *r)
{
	return r->type != V_SCALAR && r->type != V_NOT_INIT && !r->maybe_null && r->type != V_PTR_ARENA;
}

static int check_cond_jmp(struct venv *env, uint32_t idx, uint32_t *next)
{
	const struct bpf_insn *in = &env->insns[idx];
	uint8_t op = BPF_OP(in->code);
	bool is_x = BPF_SRC(in->code) == BPF_X, jmp32 = BPF_CLASS(in->code) == BPF_JMP32;
	struct vframe *f = vcur_frame(env);
	struct vreg *d, s;
	uint32_t target = (uint32_t)vjmp_target(in, idx);
	struct vstate *other;
	int err, pred = -1;

	if ((err = vcheck_reg_read(env, in->dst_reg)))
		return err;
	if (is_x && (err = vcheck_reg_read(env, in->src_reg)))
		return err;
	d = &f->regs[in->dst_reg];
	if (is_x)
		s = f->regs[in->src_reg];
	else
		vreg_mark_const(&s, jmp32 ? (uint32_t)in->imm : (uint64_t)(int64_t)in->imm);

	/* null check of an or-null pointer: each side learns which */
	if ((op == BPF_JEQ || op == BPF_JNE) && !jmp32) {
		struct vreg *p = NULL;
		if (d->type == V_PTR_MAP_VALUE && d->maybe_null && vreg_is_const(&s) && !s.var_off.value)
			p = d;
		else if (is_x && s.type == V_PTR_MAP_VALUE && s.maybe_null && vreg_is_const(d) && !d->var_off.value)
			p = &f->regs[in->src_reg];
		if (p) {
			uint32_t id = p->id;
			if (!(other = fork_state(env, target)))
				return -ENOMEM;
			mark_null_regs(other, id, op == BPF_JEQ);
			mark_null_regs(env->cur, id, op != BPF_JEQ);
			push_state(env, other);
			*next = idx + 1;
			return 0;
		}
		if ((is_nonnull_ptr(d) && vreg_is_const(&s) && !s.var_off.value) ||
		    (is_x && is_nonnull_ptr(&s) && vreg_is_const(d) && !d->var_off.value))
			pred = op == BPF_JNE;
	}
	/* packet bounds: pkt + off compared with pkt_end */
	if (!jmp32 && is_x && op >= BPF_JGT && op != BPF_JSET && op != BPF_JNE && op <= BPF_JSLE &&
	    ((d->type == V_PTR_PACKET && s.type == V_PTR_PACKET_END) ||
	     (d->type == V_PTR_PACKET_END && s.type == V_PTR_PACKET))) {
		bool pkt_left = d->type == V_PTR_PACKET;
		struct vreg pkt = pkt_left ? *d : s;
		uint32_t range = pkt.off > 0 && tnum_is_const(pkt.var_off) ? (uint32_t)pkt.off : 0;
		/* the side on which pkt <= pkt_end (or <) holds learns the range */
		bool ok_on_taken = pkt_left ? (op == BPF_JLE || op == BPF_JLT) : (op == BPF_JGE || op == BPF_JGT);
		bool ok_on_fall = pkt_left ? (op == BPF_JGT || op == BPF_JGE) : (op == BPF_JLT || op == BPF_JLE);
		if (!(other = fork_state(env, target)))
			return -ENOMEM;
		if (ok_on_taken)
			set_pkt_range(other, &pkt, range);
		if (ok_on_fall)
			set_pkt_range(env->cur, &pkt, range);
		push_state(env, other);
		*next = idx + 1;
		return 0;
	}
	if (d->type == V_SCALAR && s.type == V_SCALAR) {
		pred = vscalar_branch(d, &s, op, jmp32);
		if (pred >= 0) {
			vmark_precise(env, in->dst_reg);
			if (is_x)
				vmark_precise(env, in->src_reg);
		}
	}
	if (pred == 1) {
		*next = target;
		return 0;
	}
	if (pred == 0) {
		*next = idx + 1;
		return 0;
	}
	if (!(other = fork_state(env, target)))
		return -ENOMEM;
	if (!refine_state(env, other, in, true)) {
		path_done(other);
		state_free(other);
		other = NULL;
	}
	if (!refine_state(env, env->cur, in, false)) {
		if (!other) {
			/* neither side is possible: the path is dead */
			*next = UINT32_MAX;
			return 0;
		}
		/* only the jump is possible: continue there */
		path_done(env->cur);
		state_free(env->cur);
		env->cur = other;
		*next = target;
		return 0;
	}
	if (other)
		push_state(env, other);
	*next = idx + 1;
	return 0;
}

/* The previous iteration of a loop whose head is insn idx: the nearest older checkpoint at idx on the
 * current path, in the same call chain, never the one just made for this visit (that one is the current
 * state itself: widening against it would change nothing and every iteration's counter would stay
 * distinct, so the loop would never prune). */
static struct vstate *prev_iteration(struct venv *env, uint32_t idx)
{
	const struct vstate *cur = env->cur;

	for (struct vstate *p = cur->parent; p; p = p->parent) {
		bool same = p->insn_idx == idx && p->branches && p != env->new_ckpt && p->curframe == cur->curframe;

		for (uint32_t fi = 0; same && fi <= cur->curframe; fi++)
			same = p->frames[fi]->callsite == cur->frames[fi]->callsite;
		if (same)
			return p;
	}
	return NULL;
}

/* The kernel's widening for loops it cannot count (may_goto, callbacks): every imprecise scalar of the
 * next iteration that differs from the previous iteration's becomes unknown, so the loop head prunes by
 * range-within once an iteration adds nothing new. Precise scalars keep their values (they decide
 * something and are compared by range anyway). */
static void widen_imprecise(const struct vstate *prev, struct vstate *q)
{
	if (!prev || prev->curframe != q->curframe)
		return;
	for (uint32_t fi = 0; fi <= q->curframe; fi++) {
		struct vframe *fo = prev->frames[fi], *fc = q->frames[fi];
		struct idmap m = { .n = 0 };

		for (int r = 0; r < V_MAX_REGS; r++) {
			struct vreg *o = &fo->regs[r], *c = &fc->regs[r];
			if (o->type == V_SCALAR && c->type == V_SCALAR && !o->precise && !c->precise &&
			    !regs_exact(o, c, &m))
				vreg_mark_unknown(c);
		}
		for (uint32_t k = 0; k < fc->nslots && k < fo->nslots; k++) {
			struct vslot *so = &fo->stack[k], *sc = &fc->stack[k];
			if (so->type[0] == SB_SPILL && sc->type[0] == SB_SPILL && so->spilled.type == V_SCALAR &&
			    sc->spilled.type == V_SCALAR && !so->spilled.precise && !sc->spilled.precise &&
			    !regs_exact(&so->spilled, &sc->spilled, &m))
				vreg_mark_unknown(&sc->spilled);
		}
	}
}

/* The kernel's may_goto: the jump is explored first, the loop body (fall-through) later with one more
 * level of may_goto depth and its imprecise scalars widened against the previous iteration's. */
static int check_may_goto(struct venv *env, uint32_t idx, uint32_t *next)
{
	const struct bpf_insn *in = &env->insns[idx];
	struct vstate *q, *prev = prev_iteration(env, idx);

	if (!(q = fork_state(env, idx + 1)))
		return -ENOMEM;
	q->may_goto_depth++;
	widen_imprecise(prev, q);
	push_state(env, q);
	*next = (uint32_t)vjmp_target(in, idx);
	return 0;
}

/* ---- calls and exits ---- */

static int enter_frame(struct venv *env, uint32_t callsite, int32_t target, bool callback)
{
	struct vstate *st = env->cur;
	struct vframe *caller = st->frames[st->curframe], *f;

	if (st->curframe + 1 >= V_MAX_FRAMES) {
		vlog(env, "the call stack of %u frames is too deep !\n", st->curframe + 2);
		return -E2BIG;
	}
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->callsite = (int32_t)callsite;
	f->subprog_start = target;
	f->in_callback = callback;
	if (callback) {
		vreg_mark_unknown(&f->regs[BPF_REG_1]);
		vreg_coerce(&f->regs[BPF_REG_1], 4);
		f->regs[BPF_REG_2] = env->cb_ctx;
		f->cb_arg = env->cb_ctx;
	} else {
		for (int r = 1; r <= 5; r++)
			f->regs[r] = caller->regs[r];
	}
	vreg_mark_unknown(&f->regs[BPF_REG_10]);
	f->regs[BPF_REG_10].type = V_PTR_STACK;
	f->regs[BPF_REG_10].var_off = tnum_const(0);
	f->regs[BPF_REG_10].smin = f->regs[BPF_REG_10].smax = 0;
	f->regs[BPF_REG_10].umin = f->regs[BPF_REG_10].umax = 0;
	f->regs[BPF_REG_10].s32_min = f->regs[BPF_REG_10].s32_max = 0;
	f->regs[BPF_REG_10].u32_min = f->regs[BPF_REG_10].u32_max = 0;
	f->regs[BPF_REG_10].frameno = (uint8_t)(st->curframe + 1);
	st->curframe++;
	st->frames[st->curframe] = f;
	return 0;
}

/* 1: path finished (main exit), 0: continue at *next */
static int check_exit(struct venv *env, uint32_t *next)
{
	struct vstate *st = env->cur;
	struct vframe *callee = st->frames[st->curframe], *caller;
	struct vreg r0;
	int32_t callsite = callee->callsite, callee_start = callee->subprog_start;
	struct vreg cb_arg = callee->cb_arg;
	bool again = false;
	int err;

	/* a static subprogram may return nothing (a void function): its caller's r0 is then unreadable */
	if ((!st->curframe || callee->in_callback) && (err = vcheck_reg_read(env, BPF_REG_0)))
		return err;
	if (!st->curframe)
		return 1;
	r0 = callee->regs[BPF_REG_0];
	if (callee->in_callback) {
		if (r0.type != V_SCALAR || r0.smin < 0 || r0.smax > 1) {
			if (r0.type != V_SCALAR)
				vlog(env, "At callback return the register R0 is not a known value (%s)\n", vtype_str(&r0));
			else
				vlog(env, "At callback return the register R0 has smin=%lld smax=%lld should have been in [0, 1]\n",
				     (long long)r0.smin, (long long)r0.smax);
			return -EINVAL;
		}
		vreg_mark_unknown(&r0);
		again = true;
	} else if (r0.type == V_PTR_STACK && r0.frameno == st->curframe) {
		vlog(env, "cannot return stack pointer to the caller\n");
		return -EINVAL;
	}
	*next = (uint32_t)callee->callsite + 1;
	free(callee);
	st->frames[st->curframe] = NULL;
	st->curframe--;
	caller = st->frames[st->curframe];
	for (int r = 1; r <= 5; r++)
		memset(&caller->regs[r], 0, sizeof(struct vreg));
	caller->regs[BPF_REG_0] = r0;
	if (again) {
		/* the helper may run the callback again, with the caller's memory as this run left it: that
		 * path restarts at the call insn, where it prunes once an iteration adds nothing new */
		struct vstate *q = fork_state(env, (uint32_t)callsite);
		if (!q)
			return -ENOMEM;
		/* as the kernel: what the callback changes in the caller's memory widens run after run */
		widen_imprecise(prev_iteration(env, (uint32_t)callsite), q);
		q->cb_depth++;
		q->cb_reenter = true;
		q->cb_target = callee_start;
		q->cb_ctx = cb_arg;
		push_state(env, q);
	}
	return 0;
}

/* ---- the walk ---- */

static int do_insn(struct venv *env, uint32_t idx, uint32_t *next, bool *end)
{
	const struct bpf_insn *in = &env->insns[idx];
	uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
	int err;

	*end = false;
	*next = idx + 1;
	switch (cls) {
	case BPF_ALU:
	case BPF_ALU64:
		return vcheck_alu(env, idx);
	case BPF_LDX:
		return vcheck_ldx(env, idx);
	case BPF_ST:
		return vcheck_st(env, idx);
	case BPF_STX:
		if (BPF_MODE(in->code) == BPF_ATOMIC)
			return vcheck_atomic(env, idx);
		return vcheck_st(env, idx);
	case BPF_LD:
		if (!vis_ldimm64(in)) {
			vlog(env, "BPF_LD_[ABS|IND] instructions not allowed for this program type\n");
			return -EINVAL;
		}
		*next = idx + 2;
		return vcheck_ld_imm64(env, idx);
	case BPF_JMP:
	case BPF_JMP32:
		switch (op) {
		case BPF_JA:
			*next = (uint32_t)vjmp_target(in, idx);
			return 0;
		case BPF_CALL:
			if (in->src_reg == BPF_PSEUDO_CALL) {
				int32_t t = vcall_target(env, idx);
				if ((err = enter_frame(env, idx, t, false)))
					return err;
				*next = (uint32_t)t;
				return 0;
			} else {
				bool cb;
				if (env->cur->cb_reenter) {
					/* the helper calls the callback once more: arguments were checked the first time */
					env->cur->cb_reenter = false;
					env->cb_target = env->cur->cb_target;
					env->cb_ctx = env->cur->cb_ctx;
					if ((err = enter_frame(env, idx, env->cb_target, true)))
						return err;
					*next = (uint32_t)env->cb_target;
					return 0;
				}
				if ((err = vcheck_helper_call(env, idx, &cb)))
					return err;
				if (cb) {
					if ((err = enter_frame(env, idx, env->cb_target, true)))
						return err;
					*next = (uint32_t)env->cb_target;
				}
				return 0;
			}
		case BPF_EXIT:
			err = check_exit(env, next);
			if (err == 1) {
				*end = true;
				return 0;
			}
			return err;
		case BPF_JCOND:
			return check_may_goto(env, idx, next);
		default:
			err = check_cond_jmp(env, idx, next);
			if (!err && *next == UINT32_MAX)
				*end = true;
			return err;
		}
	}
	vlog(env, "unknown insn class %d\n", cls);
	return -EINVAL;
}

static int do_check(struct venv *env)
{
	for (;;) {
		struct vstate *st = env->cur;
		uint32_t idx = st->insn_idx, next, line_start, line_end;
		bool end = false, wrapped;
		int err;

		if (idx >= env->n) {
			vlog(env, "invalid insn idx %u insn_cnt %u\n", idx, env->n);
			return -EFAULT;
		}
		if (++env->insn_processed > V_INSN_LIMIT) {
			vlog(env, "BPF program is too large. Processed %llu insn\n",
			     (unsigned long long)env->insn_processed);
			return -E2BIG;
		}
		env->new_ckpt = NULL;
		if (env->prune[idx]) {
			err = is_state_visited(env, idx);
			if (err < 0)
				return err;
			if (err == 1) {
				if (env->log && env->log->level >= 2)
					vlog(env, "%u: safe\n", idx);
				end = true;
				goto path_end;
			}
		}
		env->prog->aux[idx].flags |= UKERN_AUX_SEEN;
		line_start = env->log_pos;
		if (env->log && env->log->level)
			vlog_insn(env, idx);
		line_end = env->log_pos;
		wrapped = env->log_wrapped;
		env->pending_spi = -1;
		if (BPF_CLASS(env->insns[idx].code) == BPF_JMP || BPF_CLASS(env->insns[idx].code) == BPF_JMP32)
			env->jmps_processed++;
		err = do_insn(env, idx, &next, &end);
		if (err)
			return err;
		{
			struct vhist h = { .idx = idx, .spi = env->pending_spi, .frame = (uint8_t)env->cur->curframe,
					   .sframe = env->pending_sframe };
			/* a call or exit changed the frame: record the frame the insn ran in */
			if (BPF_CLASS(env->insns[idx].code) == BPF_JMP && BPF_OP(env->insns[idx].code) == BPF_CALL &&
			    env->cur->curframe && env->cur->frames[env->cur->curframe]->callsite == (int32_t)idx)
				h.frame = (uint8_t)(env->cur->curframe - 1);
			if (BPF_CLASS(env->insns[idx].code) == BPF_JMP && BPF_OP(env->insns[idx].code) == BPF_EXIT && !end)
				h.frame = (uint8_t)(env->cur->curframe + 1);
			if ((err = hist_push(env->cur, h)))
				return err;
		}
		if (env->log && env->log->level && !end && env->log_pos == line_end && !env->log_wrapped &&
		    !wrapped && line_end > line_start) {
			/* the kernel's layout: the state after the insn on the insn's own line */
			env->log_pos = line_end - 1;
			{
				/* the kernel's column: round_up(max(len + 4, 40), 8) - 1 */
				int len = (int)(line_end - 1 - line_start), col = len + 4 > 40 ? len + 4 : 40;
				col = (col + 7) / 8 * 8 - 1;
				vlog(env, "%*s; ", col - len, "");
			}
			vlog_state(env, env->cur, false);
			vlog(env, "\n");
		}
		if (!end) {
			env->cur->prev_idx = idx;
			env->cur->insn_idx = next;
			continue;
		}
path_end:
		path_done(env->cur);
		state_free(env->cur);
		env->cur = env->stack;
		/* level 1 keeps only the path that fails: a finished path's lines go, as in the kernel */
		if (env->log && env->log->level == 1 && !env->log_wrapped) {
			env->log_pos = env->cur ? env->cur->log_start : env->log_start0;
			env->log->len = env->log_pos;
			if (env->log->buf && env->log->size)
				env->log->buf[env->log_pos] = 0;
		}
		if (!env->cur)
			return 0;
		env->stack = env->cur->next;
		env->cur->next = NULL;
		env->stack_size--;
		if (env->log && env->log->level >= 2) {
			vlog(env, "from %u to %u:", env->cur->prev_idx, env->cur->insn_idx);
			vlog_state(env, env->cur, true);
			vlog(env, "\n");
		}
	}
}

static uint32_t round_up(uint32_t v, uint32_t a)
{
	return (v + a - 1) / a * a;
}

/* Deepest combined stack over static call chains (the kernel's check_max_stack_depth). */
static int check_call_depth(struct venv *env, uint32_t start, uint32_t acc, int depth, uint32_t *worst)
{
	uint32_t own = round_up(env->sub_depth[start] ? env->sub_depth[start] : 1, 16);

	acc += own;
	if (acc > *worst)
		*worst = acc;
	if (acc > V_STACK_SIZE) {
		vlog(env, "combined stack size of %d calls is %u. Too large\n", depth + 1, acc);
		return -EACCES;
	}
	if (depth >= V_MAX_FRAMES)
		return 0;
	for (uint32_t i = start; i < env->n && env->subprog_of[i] == (int32_t)start; i++) {
		const struct bpf_insn *in = &env->insns[i];
		if (in->code == (BPF_JMP | BPF_CALL) && in->src_reg == BPF_PSEUDO_CALL &&
		    (env->prog->aux[i].flags & UKERN_AUX_SEEN)) {
			int err = check_call_depth(env, (uint32_t)vcall_target(env, i), acc, depth + 1, worst);
			if (err)
				return err;
		}
	}
	return 0;
}

static void fixups(struct venv *env)
{
	struct ukern_prog *prog = env->prog;

	for (uint32_t i = 0; i < env->n; i++) {
		struct bpf_insn *in = &env->insns[i];

		if (env->arena_alu32[i] && BPF_CLASS(in->code) == BPF_ALU64)
			in->code = (uint8_t)(BPF_ALU | BPF_OP(in->code) | BPF_SRC(in->code));
		if ((prog->aux[i].flags & UKERN_AUX_CAST_USER) && env->arena_no_user_conv) {
			/* the kernel turns cast_user into wX = wY under BPF_F_NO_USER_CONV */
			in->code = BPF_ALU | BPF_MOV | BPF_X;
			in->off = 0;
			in->imm = 0;
			prog->aux[i].flags &= ~UKERN_AUX_CAST_USER;
		}
	}
	prog->stack_depth = round_up(env->max_depth, 8);
}

int ukern_verify(struct ukern_prog *prog, struct ukern_vlog *log)
{
	struct venv env;
	struct vstate *st = NULL;
	int err;

	if (!prog || !prog->insns || !prog->aux || !prog->insn_cnt)
		return -EINVAL;
	memset(&env, 0, sizeof(env));
	env.prog = prog;
	env.log = log;
	/* the core may have written before us: append */
	if (log && log->buf && log->size > 1 && log->len < log->size - 1)
		env.log_pos = log->len;
	env.insns = prog->insns;
	env.n = prog->insn_cnt;
	env.arena_no_user_conv = prog->arena && (prog->arena->flags & BPF_F_NO_USER_CONV);
	env.prune = calloc(env.n, 1);
	env.live = calloc(env.n, sizeof(*env.live));
	env.mem_kind = calloc(env.n, 1);
	env.subprog_of = calloc(env.n, sizeof(*env.subprog_of));
	env.explored = calloc(env.n, sizeof(*env.explored));
	env.nexplored = calloc(env.n, sizeof(*env.nexplored));
	env.arena_alu32 = calloc(env.n, sizeof(bool));
	env.sub_depth = calloc(env.n, sizeof(*env.sub_depth));
	if (!env.prune || !env.live || !env.mem_kind || !env.subprog_of || !env.explored || !env.nexplored ||
	    !env.arena_alu32 || !env.sub_depth) {
		err = -ENOMEM;
		goto out;
	}
	if (prog->type != BPF_PROG_TYPE_SYSCALL && prog->type != BPF_PROG_TYPE_XDP &&
	    prog->type != BPF_PROG_TYPE_SOCKET_FILTER) { /* libbpf probes with socket filters */
		vlog(&env, "program type %u is not supported by the ukern verifier\n", prog->type);
		err = -EINVAL;
		goto out;
	}
	for (uint32_t i = 0; i < env.n; i++)
		prog->aux[i].flags &= ~(UKERN_AUX_SEEN | UKERN_AUX_PROBE_MEM32 | UKERN_AUX_CAST_KERN | UKERN_AUX_CAST_USER);
	if ((err = vcheck_structure(&env)))
		goto out;
	for (uint32_t i = 0; i < env.n; i++)
		if (calls_callback(&env, i))
			env.prune[i] = 1;
	vcompute_liveness(&env);

	st = calloc(1, sizeof(*st));
	if (!st || !(st->frames[0] = calloc(1, sizeof(struct vframe)))) {
		err = -ENOMEM;
		goto out;
	}
	{
		struct vframe *f = st->frames[0];
		f->callsite = -1;
		vreg_mark_unknown(&f->regs[BPF_REG_1]);
		f->regs[BPF_REG_1].type = V_PTR_CTX;
		f->regs[BPF_REG_1].var_off = tnum_const(0);
		f->regs[BPF_REG_1].smin = f->regs[BPF_REG_1].smax = 0;
		f->regs[BPF_REG_1].umin = f->regs[BPF_REG_1].umax = 0;
		f->regs[BPF_REG_1].s32_min = f->regs[BPF_REG_1].s32_max = 0;
		f->regs[BPF_REG_1].u32_min = f->regs[BPF_REG_1].u32_max = 0;
		f->regs[BPF_REG_10] = f->regs[BPF_REG_1];
		f->regs[BPF_REG_10].type = V_PTR_STACK;
	}
	env.cur = st;
	st = NULL;
	env.log_start0 = env.log_pos;
	if (log && log->level) {
		vlog(&env, "0: ");
		vlog_state(&env, env.cur, false);
		vlog(&env, "\n");
	}
	err = do_check(&env);
	if (!err) {
		uint32_t worst = 0;
		err = check_call_depth(&env, 0, 0, 0, &worst);
	}
	vlog(&env, "processed %llu insns (limit %d) max_states_per_insn %u total_states %u peak_states %u mark_read 0\n",
	     (unsigned long long)env.insn_processed, V_INSN_LIMIT, env.max_states_per_insn, env.total_states,
	     env.peak_states);
	if (!err)
		fixups(&env);
out:
	vlog_finish(&env);
	if (env.cur)
		state_free(env.cur);
	while (env.stack) {
		struct vstate *s = env.stack;
		env.stack = s->next;
		state_free(s);
	}
	if (env.explored)
		for (uint32_t i = 0; i < env.n; i++)
			while (env.explored[i]) {
				struct vstate *s = env.explored[i];
				env.explored[i] = s->next;
				state_free(s);
			}
	while (env.retired) {
		struct vstate *s = env.retired;
		env.retired = s->next;
		state_free(s);
	}
	free(st);
	free(env.prune);
	free(env.live);
	free(env.mem_kind);
	free(env.subprog_of);
	free(env.explored);
	free(env.nexplored);
	free(env.arena_alu32);
	free(env.sub_depth);
	return err;
}
