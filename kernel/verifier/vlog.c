/* The verifier's log: the kernel's words and notation (registers as `R1=ctx()`, `R10=fp0`,
 * `R0=scalar(smin=...)`, `R1=arena`; instructions as the kernel's disassembler prints them), written into
 * the caller's buffer. The buffer is never overrun; what does not fit is dropped, the length stops growing.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vstate.h"

void ukern_vlog_printf(struct ukern_vlog *log, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!log || !log->buf || !log->size || log->len + 1 >= log->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(log->buf + log->len, log->size - log->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((uint32_t)n >= log->size - log->len)
		n = (int)(log->size - log->len - 1);
	log->len += (uint32_t)n;
}

/* The verifier's own log rotates as the kernel's does since 6.4: when the buffer is full the oldest bytes
 * go, so the reason at the end always survives. vlog_finish() puts the ring back in order. */
void vlog(struct venv *env, const char *fmt, ...)
{
	struct ukern_vlog *log = env->log;
	char tmp[1024];
	uint32_t cap;
	va_list ap;
	int n;

	if (!log || !log->level || !log->buf || log->size < 2)
		return;
	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	if ((size_t)n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	cap = log->size - 1;
	for (int i = 0; i < n; i++) {
		log->buf[env->log_pos] = tmp[i];
		env->log_pos = (env->log_pos + 1) % cap;
		if (env->log_pos == 0)
			env->log_wrapped = true;
	}
	log->len = env->log_wrapped ? cap : env->log_pos;
	log->buf[log->len] = 0;
}

void vlog_finish(struct venv *env)
{
	struct ukern_vlog *log = env->log;
	uint32_t cap;
	char *t;

	if (!log || !log->buf || log->size < 2 || !env->log_wrapped)
		return;
	cap = log->size - 1;
	t = malloc(cap);
	if (!t)
		return;
	memcpy(t, log->buf + env->log_pos, cap - env->log_pos);
	memcpy(t + cap - env->log_pos, log->buf, env->log_pos);
	memcpy(log->buf, t, cap);
	log->buf[cap] = 0;
	log->len = cap;
	free(t);
}

const char *vtype_str(const struct vreg *r)
{
	switch (r->type) {
	case V_NOT_INIT: return "?";
	case V_SCALAR: return "scalar";
	case V_PTR_CTX: return "ctx";
	case V_PTR_STACK: return "fp";
	case V_PTR_MAP: return "map_ptr";
	case V_PTR_MAP_VALUE: return r->maybe_null ? "map_value_or_null" : "map_value";
	case V_PTR_ARENA: return "arena";
	case V_PTR_FUNC: return "func";
	case V_PTR_PACKET: return "pkt";
	case V_PTR_PACKET_END: return "pkt_end";
	case V_PTR_PACKET_META: return "pkt_meta";
	}
	return "?";
}

/* Numbers as the kernel prints them: small ones in decimal, the rest in hex. */
static int put_num(char *b, size_t n, uint64_t v, bool is_signed)
{
	if (is_signed && (int64_t)v < 0 && (int64_t)v >= -(1ll << 31))
		return snprintf(b, n, "%" PRId64, (int64_t)v);
	if (v <= 0xffffffffull && (v < 1024 * 1024 || !is_signed))
		return v < 1024 * 1024 ? snprintf(b, n, "%" PRIu64, v) : snprintf(b, n, "%#" PRIx64, v);
	return snprintf(b, n, "%#" PRIx64, v);
}

static int scalar_str(char *buf, size_t len, const struct vreg *r)
{
	struct {
		const char *name;
		uint64_t v;
		bool def, is_signed, done;
	} f[8] = {
		{ "smin", (uint64_t)r->smin, r->smin == INT64_MIN, true },
		{ "smax", (uint64_t)r->smax, r->smax == INT64_MAX, true },
		{ "umin", r->umin, r->umin == 0, false },
		{ "umax", r->umax, r->umax == UINT64_MAX, false },
		{ "smin32", (uint64_t)(int64_t)r->s32_min, r->s32_min == INT32_MIN, true },
		{ "smax32", (uint64_t)(int64_t)r->s32_max, r->s32_max == INT32_MAX, true },
		{ "umin32", r->u32_min, r->u32_min == 0, false },
		{ "umax32", r->u32_max, r->u32_max == UINT32_MAX, false },
	};
	int n = 0, i, j;
	bool first = true;

	/* the kernel's mark for a scalar whose value pruning must respect */
	if (r->precise && len > 1)
		n += snprintf(buf, len, "P");
	if (tnum_is_const(r->var_off))
		return n + put_num(buf + n, len - n, r->var_off.value, true);
	n += snprintf(buf + n, len - n, "scalar(");
	if (r->id) {
		n += snprintf(buf + n, len - n, "id=%u", r->id);
		first = false;
	}
	for (i = 0; i < 8 && (size_t)n < len; i++) {
		if (f[i].def || f[i].done)
			continue;
		n += snprintf(buf + n, len - n, "%s%s", first ? "" : ",", f[i].name);
		first = false;
		for (j = i + 1; j < 8 && (size_t)n < len; j++) {
			if (!f[j].def && !f[j].done && f[j].v == f[i].v) {
				n += snprintf(buf + n, len - n, "=%s", f[j].name);
				f[j].done = true;
			}
		}
		if ((size_t)n < len) {
			buf[n++] = '=';
			buf[n] = 0;
			n += put_num(buf + n, len - n, f[i].v, f[i].is_signed);
		}
	}
	if (r->var_off.mask != ~0ull && (size_t)n < len)
		n += snprintf(buf + n, len - n, "%svar_off=(%#" PRIx64 "; %#" PRIx64 ")", first ? "" : ",",
			      r->var_off.value, r->var_off.mask);
	if ((size_t)n < len)
		n += snprintf(buf + n, len - n, ")");
	return n;
}

/* frame whose registers are being printed: stack pointers into other frames say which */
static __thread uint32_t vreg_print_frame;

int vreg_str(char *buf, size_t len, const struct vreg *r)
{
	const struct ukern_map *m = r->map;
	char off[32] = "";

	switch (r->type) {
	case V_SCALAR:
		return scalar_str(buf, len, r);
	case V_PTR_STACK:
		if (r->frameno != vreg_print_frame)
			return snprintf(buf, len, "fp[%u]%d", r->frameno, r->off);
		return snprintf(buf, len, "fp%d", r->off);
	case V_PTR_CTX:
		if (r->off)
			return snprintf(buf, len, "ctx(off=%d)", r->off);
		return snprintf(buf, len, "ctx()");
	case V_PTR_MAP:
		return snprintf(buf, len, "map_ptr(map=%.15s,ks=%u,vs=%u)", m ? m->name : "", m ? m->key_size : 0,
				m ? m->value_size : 0);
	case V_PTR_MAP_VALUE:
		if (r->off)
			snprintf(off, sizeof(off), ",off=%d", r->off);
		if (r->maybe_null)
			return snprintf(buf, len, "map_value_or_null(id=%u%s,map=%.15s,ks=%u,vs=%u)", r->id, off,
					m ? m->name : "", m ? m->key_size : 0, m ? m->value_size : 0);
		return snprintf(buf, len, "map_value(map=%.15s,ks=%u,vs=%u%s)", m ? m->name : "",
				m ? m->key_size : 0, m ? m->value_size : 0, off);
	case V_PTR_ARENA:
		return snprintf(buf, len, "arena");
	case V_PTR_FUNC:
		return snprintf(buf, len, "func()");
	case V_PTR_PACKET:
		return snprintf(buf, len, "pkt(off=%d,r=%u)", r->off, r->range);
	case V_PTR_PACKET_END:
		return snprintf(buf, len, "pkt_end()");
	case V_PTR_PACKET_META:
		return snprintf(buf, len, "pkt_meta()");
	}
	return snprintf(buf, len, "?");
}

static void log_frame(struct venv *env, const struct vframe *f, uint32_t frameno, bool with_frame)
{
	char b[256];
	uint32_t i;
	bool any = false;

	vreg_print_frame = frameno;
	if (with_frame)
		vlog(env, " frame%u:", frameno);
	for (i = 0; i < V_MAX_REGS; i++) {
		if (f->regs[i].type == V_NOT_INIT)
			continue;
		vreg_str(b, sizeof(b), &f->regs[i]);
		vlog(env, "%sR%u=%s", any || with_frame ? " " : "", i, b);
		any = true;
	}
	for (i = 0; i < f->nslots; i++) {
		const struct vslot *s = &f->stack[i];
		int off = -(int)(i + 1) * 8, k;
		char t[9];

		if (s->type[0] == SB_SPILL) {
			vreg_str(b, sizeof(b), &s->spilled);
			vlog(env, " fp%d=%s", off, b);
			continue;
		}
		for (k = 0; k < 8; k++)
			t[7 - k] = "?m0r"[s->type[k]];
		t[8] = 0;
		if (strcmp(t, "????????"))
			vlog(env, " fp%d=%s", off, t);
	}
}

void vlog_state(struct venv *env, const struct vstate *st, bool all_frames)
{
	uint32_t i;

	if (!all_frames || !st->curframe) {
		log_frame(env, st->frames[st->curframe], st->curframe, st->curframe != 0);
		return;
	}
	for (i = 0; i <= st->curframe; i++)
		log_frame(env, st->frames[i], i, true);
}

/* ---- disassembly in the kernel's notation ---- */

static const char *alu_op_str(uint8_t op)
{
	switch (op) {
	case BPF_ADD: return "+=";
	case BPF_SUB: return "-=";
	case BPF_MUL: return "*=";
	case BPF_DIV: return "/=";
	case BPF_OR: return "|=";
	case BPF_AND: return "&=";
	case BPF_LSH: return "<<=";
	case BPF_RSH: return ">>=";
	case BPF_MOD: return "%=";
	case BPF_XOR: return "^=";
	case BPF_MOV: return "=";
	case BPF_ARSH: return "s>>=";
	}
	return "?";
}

static const char *jmp_op_str(uint8_t op)
{
	switch (op) {
	case BPF_JEQ: return "==";
	case BPF_JGT: return ">";
	case BPF_JGE: return ">=";
	case BPF_JSET: return "&";
	case BPF_JNE: return "!=";
	case BPF_JSGT: return "s>";
	case BPF_JSGE: return "s>=";
	case BPF_JLT: return "<";
	case BPF_JLE: return "<=";
	case BPF_JSLT: return "s<";
	case BPF_JSLE: return "s<=";
	}
	return "?";
}

static const char *size_str(uint8_t sz)
{
	switch (sz) {
	case BPF_B: return "u8";
	case BPF_H: return "u16";
	case BPF_W: return "u32";
	default: return "u64";
	}
}

void vlog_insn(struct venv *env, uint32_t idx)
{
	const struct bpf_insn *in = &env->insns[idx];
	uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
	const char *w = (cls == BPF_ALU || cls == BPF_JMP32) ? "w" : "r";
	const struct ukern_insn_aux *aux = &env->prog->aux[idx];

	vlog(env, "%u: (%02x) ", idx, in->code);
	switch (cls) {
	case BPF_ALU:
	case BPF_ALU64:
		if (op == BPF_END) {
			vlog(env, "r%d = %s%d r%d\n", in->dst_reg,
			     cls == BPF_ALU64 ? "bswap" : (BPF_SRC(in->code) == BPF_X ? "be" : "le"), in->imm,
			     in->dst_reg);
		} else if (op == BPF_NEG) {
			vlog(env, "%s%d = -%s%d\n", w, in->dst_reg, w, in->dst_reg);
		} else if (cls == BPF_ALU64 && op == BPF_MOV && BPF_SRC(in->code) == BPF_X && in->off == 1) {
			vlog(env, "r%d = addr_space_cast(r%d, %d, %d)\n", in->dst_reg, in->src_reg,
			     (uint32_t)in->imm >> 16, (uint16_t)in->imm);
		} else if (BPF_SRC(in->code) == BPF_X) {
			vlog(env, "%s%d %s%s %s%d\n", w, in->dst_reg, in->off && op != BPF_MOV ? "s" : "",
			     alu_op_str(op), w, in->src_reg);
		} else {
			vlog(env, "%s%d %s %d\n", w, in->dst_reg, alu_op_str(op), in->imm);
		}
		break;
	case BPF_LDX:
		vlog(env, "r%d = *(%s%s *)(r%d %+d)\n", in->dst_reg, BPF_MODE(in->code) == BPF_MEMSX ? "s" : "",
		     size_str(BPF_SIZE(in->code)) + (BPF_MODE(in->code) == BPF_MEMSX ? 1 : 0), in->src_reg,
		     in->off);
		break;
	case BPF_ST:
		vlog(env, "*(%s *)(r%d %+d) = %d\n", size_str(BPF_SIZE(in->code)), in->dst_reg, in->off, in->imm);
		break;
	case BPF_STX:
		if (BPF_MODE(in->code) == BPF_ATOMIC)
			vlog(env, "atomic%s op 0x%x *(%s *)(r%d %+d) r%d\n", BPF_SIZE(in->code) == BPF_DW ? "64" : "",
			     in->imm, size_str(BPF_SIZE(in->code)), in->dst_reg, in->off, in->src_reg);
		else
			vlog(env, "*(%s *)(r%d %+d) = r%d\n", size_str(BPF_SIZE(in->code)), in->dst_reg, in->off,
			     in->src_reg);
		break;
	case BPF_LD:
		if (in->code == (BPF_LD | BPF_IMM | BPF_DW) && idx + 1 < env->n) {
			uint64_t v = (uint32_t)in->imm | ((uint64_t)(uint32_t)in[1].imm << 32);
			if (aux->flags & UKERN_AUX_LDIMM_MAP)
				vlog(env, "r%d = map[id:%u]\n", in->dst_reg, aux->map ? aux->map->id : 0);
			else if (aux->flags & UKERN_AUX_LDIMM_VALUE)
				vlog(env, "r%d = map[id:%u][0]+%u\n", in->dst_reg, aux->map ? aux->map->id : 0,
				     (uint32_t)in[1].imm);
			else
				vlog(env, "r%d = %#" PRIx64 "\n", in->dst_reg, v);
		} else {
			vlog(env, "BUG_ld_%02x\n", in->code);
		}
		break;
	case BPF_JMP:
	case BPF_JMP32:
		if (op == BPF_CALL) {
			if (in->src_reg == BPF_PSEUDO_CALL)
				vlog(env, "call pc%+d\n", in->imm);
			else if (aux->call)
				vlog(env, "call %s#%d\n", aux->call->name, in->imm);
			else
				vlog(env, "call unknown#%d\n", in->imm);
		} else if (op == BPF_EXIT) {
			vlog(env, "exit\n");
		} else if (op == BPF_JA) {
			vlog(env, "goto pc%+d\n", cls == BPF_JMP32 ? in->imm : in->off);
		} else if (op == BPF_JCOND) {
			vlog(env, "may_goto pc%+d\n", in->off);
		} else if (BPF_SRC(in->code) == BPF_X) {
			vlog(env, "if %s%d %s %s%d goto pc%+d\n", w, in->dst_reg, jmp_op_str(op), w, in->src_reg,
			     in->off);
		} else {
			vlog(env, "if %s%d %s %#x goto pc%+d\n", w, in->dst_reg, jmp_op_str(op), (uint32_t)in->imm,
			     in->off);
		}
		break;
	}
}

/* prog.c references ukern_verify weakly, and a weak reference does not pull an object out of a static
 * library; prog.c's strong reference to ukern_vlog_printf (this file) does, and this one drags verify.c
 * along. Remove once the core references ukern_verify strongly. */
__attribute__((used)) static int (*const verify_link_anchor)(struct ukern_prog *, struct ukern_vlog *) = ukern_verify;
