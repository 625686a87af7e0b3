/* The verifier's structural pass, before any path is walked: opcodes, ld_imm64 pairs, jump ranges,
 * function boundaries (each jump stays in its function, each function ends in exit or goto), reachability
 * ("unreachable insn"), prune points, and static register liveness per instruction (used by pruning to
 * ignore dead registers).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vstate.h"

/* ---- structure: jumps, ld_imm64 pairs, subprograms, reachability, liveness ---- */

bool vis_ldimm64(const struct bpf_insn *in)
{
	return in->code == (BPF_LD | BPF_IMM | BPF_DW);
}

int32_t vjmp_target(const struct bpf_insn *in, uint32_t i)
{
	if (BPF_CLASS(in->code) == BPF_JMP32 && BPF_OP(in->code) == BPF_JA)
		return (int32_t)i + in->imm + 1;
	return (int32_t)i + in->off + 1;
}

int32_t vcall_target(struct venv *env, uint32_t i)
{
	const struct ukern_insn_aux *a = &env->prog->aux[i];
	if (a->target > 0 && (uint32_t)a->target < env->n)
		return a->target;
	return (int32_t)i + env->insns[i].imm + 1;
}

static bool opcode_known(const struct bpf_insn *in)
{
	uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code), mode = BPF_MODE(in->code);

	switch (cls) {
	case BPF_ALU:
	case BPF_ALU64:
		return op <= BPF_END && op != 0xe0;
	case BPF_LDX:
		return mode == BPF_MEM || (mode == BPF_MEMSX && BPF_SIZE(in->code) != BPF_DW);
	case BPF_ST:
		return mode == BPF_MEM;
	case BPF_STX:
		return mode == BPF_MEM || (mode == BPF_ATOMIC && (BPF_SIZE(in->code) == BPF_W || BPF_SIZE(in->code) == BPF_DW));
	case BPF_LD:
		return vis_ldimm64(in) || mode == BPF_ABS || mode == BPF_IND;
	case BPF_JMP:
		return op != 0xf0;
	case BPF_JMP32:
		return op != BPF_CALL && op != BPF_EXIT && op != BPF_JCOND && op != 0xf0;
	}
	return false;
}

int vcheck_structure(struct venv *env)
{
	uint32_t n = env->n, i;
	uint8_t *second = calloc(n, 1), *is_start = calloc(n + 1, 1), *seen = calloc(n, 1);
	uint32_t *work = malloc(n * sizeof(uint32_t) + 4);
	int err = 0, cur_sub = 0;
	uint32_t wn = 0;

	if (!second || !is_start || !seen || !work) {
		err = -ENOMEM;
		goto out;
	}
	is_start[0] = 1;
	for (i = 0; i < n; i++) {
		const struct bpf_insn *in = &env->insns[i];
		if (!opcode_known(in)) {
			vlog(env, "unknown opcode %02x\n", in->code);
			err = -EINVAL;
			goto out;
		}
		if (vis_ldimm64(in)) {
			if (i + 1 >= n || env->insns[i + 1].code || env->insns[i + 1].dst_reg ||
			    env->insns[i + 1].src_reg || env->insns[i + 1].off) {
				vlog(env, "invalid bpf_ld_imm64 insn\n");
				err = -EINVAL;
				goto out;
			}
			second[i + 1] = 1;
			if (env->prog->aux[i].flags & UKERN_AUX_LDIMM_FUNC) {
				int32_t t = env->prog->aux[i].target;
				if (t < 0 || (uint32_t)t >= n) {
					vlog(env, "invalid func target %d\n", t);
					err = -EINVAL;
					goto out;
				}
				is_start[t] = 1;
			}
			i++;
			continue;
		}
		if (in->code == (BPF_JMP | BPF_CALL) && in->src_reg == BPF_PSEUDO_CALL) {
			int32_t t = vcall_target(env, i);
			if (t < 0 || (uint32_t)t >= n) {
				vlog(env, "function call to invalid destination\n");
				err = -EINVAL;
				goto out;
			}
			is_start[t] = 1;
		}
	}
	for (i = 0; i < n; i++) {
		if (is_start[i])
			cur_sub = (int)i;
		env->subprog_of[i] = cur_sub;
		if (is_start[i + 1] || i + 1 == n) {
			const struct bpf_insn *last = &env->insns[second[i] ? i - 1 : i];
			uint8_t op = BPF_OP(last->code), cls = BPF_CLASS(last->code);
			if (second[i] || !((cls == BPF_JMP || cls == BPF_JMP32) && (op == BPF_EXIT || op == BPF_JA))) {
				vlog(env, "last insn is not an exit or jmp\n");
				err = -EINVAL;
				goto out;
			}
		}
	}
	for (i = 0; i < n; i++) {
		const struct bpf_insn *in = &env->insns[i];
		uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
		int32_t t;

		if (second[i] || (cls != BPF_JMP && cls != BPF_JMP32) || op == BPF_CALL || op == BPF_EXIT)
			continue;
		t = vjmp_target(in, i);
		if (t < 0 || (uint32_t)t >= n || env->subprog_of[t] != env->subprog_of[i]) {
			vlog(env, "jump out of range from insn %u to %d\n", i, t);
			err = -EINVAL;
			goto out;
		}
		if (second[t]) {
			vlog(env, "jump into the middle of ldimm64 insn %d\n", t - 1);
			err = -EINVAL;
			goto out;
		}
		env->prune[t] = 1;
		if (op != BPF_JA)
			env->prune[i + 1] = 1;
		if (op == BPF_JCOND)
			env->prune[i] = 1;
	}
	/* reachability from the entry and every function start */
	for (i = 0; i < n; i++)
		if (is_start[i] && i == 0) {
			seen[i] = 1;
			work[wn++] = i;
		}
	while (wn) {
		uint32_t s = work[--wn], succ[2];
		const struct bpf_insn *in = &env->insns[s];
		uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
		int ns = 0;

		if (vis_ldimm64(in)) {
			succ[ns++] = s + 2;
			if (env->prog->aux[s].flags & UKERN_AUX_LDIMM_FUNC)
				succ[ns++] = (uint32_t)env->prog->aux[s].target;
		} else if (cls == BPF_JMP || cls == BPF_JMP32) {
			if (op == BPF_EXIT) {
			} else if (op == BPF_JA) {
				succ[ns++] = (uint32_t)vjmp_target(in, s);
			} else if (op == BPF_CALL) {
				succ[ns++] = s + 1;
				if (in->src_reg == BPF_PSEUDO_CALL) {
					succ[ns++] = (uint32_t)vcall_target(env, s);
					env->prune[s + 1 < n ? s + 1 : s] = 1;
				}
			} else {
				succ[ns++] = s + 1;
				succ[ns++] = (uint32_t)vjmp_target(in, s);
			}
		} else {
			succ[ns++] = s + 1;
		}
		for (int k = 0; k < ns; k++) {
			if (succ[k] >= n) {
				vlog(env, "jump out of range from insn %u to %u\n", s, succ[k]);
				err = -EINVAL;
				goto out;
			}
			if (!seen[succ[k]]) {
				seen[succ[k]] = 1;
				work[wn++] = succ[k];
			}
		}
	}
	for (i = 0; i < n; i++) {
		if (!seen[i] && !second[i]) {
			vlog(env, "unreachable insn %u\n", i);
			err = -EINVAL;
			goto out;
		}
		if (is_start[i])
			env->prune[i] = 1;
	}
out:
	free(second);
	free(is_start);
	free(seen);
	free(work);
	return err;
}

/* Registers read before written, per insn, by backward dataflow inside each function. */
void vcompute_liveness(struct venv *env)
{
	uint32_t n = env->n;
	bool changed = true;

	memset(env->live, 0, n * sizeof(*env->live));
	while (changed) {
		changed = false;
		for (uint32_t i = n; i-- > 0;) {
			const struct bpf_insn *in = &env->insns[i];
			uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
			uint16_t use = 0, def = 0, out = 0, nl;
			uint16_t d = (uint16_t)(1u << in->dst_reg), s = (uint16_t)(1u << in->src_reg);

			if (i > 0 && vis_ldimm64(&env->insns[i - 1]))
				continue;
			switch (cls) {
			case BPF_ALU:
			case BPF_ALU64:
				if (op == BPF_MOV) {
					use = BPF_SRC(in->code) == BPF_X ? s : 0;
				} else {
					use = d | (BPF_SRC(in->code) == BPF_X && op != BPF_END && op != BPF_NEG ? s : 0);
				}
				def = d;
				out = i + 1 < n ? env->live[i + 1] : 0;
				break;
			case BPF_LDX:
				use = s;
				def = d;
				out = env->live[i + 1 < n ? i + 1 : i];
				break;
			case BPF_ST:
				use = d;
				out = env->live[i + 1 < n ? i + 1 : i];
				break;
			case BPF_STX:
				use = d | s | (BPF_MODE(in->code) == BPF_ATOMIC && in->imm == BPF_CMPXCHG ? 1 : 0);
				if (BPF_MODE(in->code) == BPF_ATOMIC && (in->imm & BPF_FETCH))
					def = in->imm == BPF_CMPXCHG ? 1 : 0;
				out = env->live[i + 1 < n ? i + 1 : i];
				break;
			case BPF_LD:
				if (vis_ldimm64(in)) {
					def = d;
					out = i + 2 < n ? env->live[i + 2] : 0;
				} else {
					use = (1u << 6) | (BPF_MODE(in->code) == BPF_IND ? s : 0);
					def = 0x3f;
					out = env->live[i + 1 < n ? i + 1 : i];
				}
				break;
			case BPF_JMP:
			case BPF_JMP32:
				if (op == BPF_EXIT) {
					use = 1;
				} else if (op == BPF_CALL) {
					use = 0x3e;
					def = 0x3f;
					out = i + 1 < n ? env->live[i + 1] : 0;
				} else if (op == BPF_JA) {
					out = env->live[vjmp_target(in, i)];
				} else if (op == BPF_JCOND) {
					out = env->live[i + 1] | env->live[vjmp_target(in, i)];
				} else {
					use = d | (BPF_SRC(in->code) == BPF_X ? s : 0);
					out = env->live[i + 1] | env->live[vjmp_target(in, i)];
				}
				break;
			}
			nl = (uint16_t)((use | (out & ~def)) & 0x3ff);
			if (nl != env->live[i]) {
				env->live[i] = nl;
				changed = true;
			}
		}
	}
}

