/* Random valid programs for the JIT's differential tests (test_jit_diff.c against the reference evaluator,
 * test_jit_interp.c against the core's interpreter on a real ukern arena). A program is a pure function of
 * the seed given to gen_seed(): ALU32/64 with every operator incl. signed div/mod, byte swaps, sign-extending
 * moves and loads, forward 32/64-bit conditional jumps (short and far), stack traffic, helper calls, and
 * arena loads/stores/atomics through r9, a cast pointer into pages 0..5 that is moved by 64-bit arithmetic
 * (dirty upper half: the index is still its low 32 bits), 32-bit arithmetic and re-casts. It ends by folding
 * r0..r9 into r0, so any register difference shows in the result.
 */
#ifndef UKERN_JIT_GEN_H
#define UKERN_JIT_GEN_H

#include "jit_testlib.h"

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint32_t below(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

static uint64_t rnd_value(void)
{
	static const uint64_t special[] = { 0, 1, (uint64_t)-1, 0x80000000ull, 0x7fffffffull, 0xffffffffull,
					    0x8000000000000000ull, 0x100000000ull, 2, 3, (uint64_t)-2 };

	switch (below(4)) {
	case 0: return special[below(sizeof(special) / sizeof(special[0]))];
	case 1: return below(100);
	case 2: return (uint64_t)(int64_t)(int32_t)rnd();
	default: return rnd();
	}
}

static int32_t rnd_imm(void)
{
	return (int32_t)rnd_value();
}

#define NGEN 9 /* r0..r8 are general; r9 is the arena pointer, r10 the frame pointer */
#define PTR BPF_REG_9

struct pending_jump {
	uint32_t at, target_unit;
};

static struct tprog T;
static uint32_t unit_start[4096];
static struct pending_jump jumps[4096];

static const struct ukern_func_proto proto_mix;

static void gen_alu(void)
{
	static const uint8_t ops[] = { BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR, BPF_AND, BPF_LSH, BPF_RSH,
				       BPF_NEG, BPF_MOD, BPF_XOR, BPF_MOV, BPF_ARSH, BPF_END };
	uint8_t op = ops[below(sizeof(ops))];
	bool is64 = below(2);
	uint8_t cls = is64 ? BPF_ALU64 : BPF_ALU;
	int dst = below(NGEN), src = below(NGEN);
	int16_t off = 0;

	if (op == BPF_END) {
		static const int32_t w[] = { 16, 32, 64 };

		tp(&T, INSN(cls | BPF_END | (is64 ? 0 : (below(2) ? BPF_TO_BE : BPF_TO_LE)), dst, 0, 0, w[below(3)]));
		return;
	}
	if (op == BPF_NEG) {
		tp(&T, INSN(cls | BPF_NEG, dst, 0, 0, 0));
		return;
	}
	if (op == BPF_DIV || op == BPF_MOD)
		off = below(2);
	if (op == BPF_MOV && below(3) == 0) {
		static const int16_t sx[] = { 8, 16, 32 };

		off = sx[below(is64 ? 3 : 2)];
		tp(&T, INSN(cls | BPF_MOV | BPF_X, dst, src, off, 0));
		return;
	}
	if (below(2)) {
		tp(&T, INSN(cls | op | BPF_X, dst, src, off, 0));
		return;
	}
	int32_t imm = rnd_imm();

	if (op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH)
		imm = below(is64 ? 64 : 32);
	if ((op == BPF_DIV || op == BPF_MOD) && imm == 0)
		imm = 7;
	tp(&T, INSN(cls | op | BPF_K, dst, 0, off, imm));
}

static int rnd_size(void)
{
	static const int sz[] = { BPF_B, BPF_H, BPF_W, BPF_DW };

	return sz[below(4)];
}

static int16_t aligned_off(int lo, int hi, int size)
{
	int bytes = ref_size_bytes(size);
	int v = lo + (int)below((uint32_t)(hi - lo));

	return (int16_t)(v & ~(bytes - 1));
}

static void gen_stack(void)
{
	int size = rnd_size();
	int16_t off = aligned_off(-512, -8, size);

	switch (below(4)) {
	case 0:
		tp(&T, STX(size, BPF_REG_10, below(NGEN), off));
		break;
	case 1:
		tp(&T, ST(size, BPF_REG_10, off, rnd_imm()));
		break;
	case 2:
		tp(&T, LDX(size, below(NGEN), BPF_REG_10, off));
		break;
	default:
		if (size == BPF_DW)
			size = BPF_W;
		tp(&T, LDXSX(size, below(NGEN), BPF_REG_10, off));
		break;
	}
}

static void gen_arena(void)
{
	int size = rnd_size();
	int16_t off = aligned_off(-64, 3 * 4096, size);
	static const int32_t atomics[] = { BPF_ADD, BPF_AND, BPF_OR, BPF_XOR, BPF_ADD | BPF_FETCH,
					   BPF_AND | BPF_FETCH, BPF_OR | BPF_FETCH, BPF_XOR | BPF_FETCH, BPF_XCHG,
					   BPF_CMPXCHG };

	switch (below(9)) {
	case 0: case 1:
		tp_arena(&T, STX(size, PTR, below(NGEN), off));
		break;
	case 2:
		tp_arena(&T, ST(size, PTR, off, rnd_imm()));
		break;
	case 3: case 4: case 5:
		tp_arena(&T, LDX(size, below(NGEN), PTR, off));
		break;
	case 6:
		tp_arena(&T, LDXSX(size == BPF_DW ? BPF_W : size, below(NGEN), PTR, off));
		break;
	case 7: {
		int asz = below(2) ? BPF_DW : BPF_W;

		tp_arena(&T, ATOMIC(asz, atomics[below(10)], PTR, below(NGEN), aligned_off(-64, 3 * 4096, asz)));
		break;
	}
	default:
		/* move the pointer: 64-bit arithmetic dirties nothing the index uses but defeats the zext proof,
		 * 32-bit arithmetic and a cast keep it provably 32-bit */
		switch (below(4)) {
		case 0:
			tp(&T, ALU64_IMM(BPF_ADD, PTR, (int32_t)(below(2048) * 8) - 8192));
			break;
		case 1:
			tp_ld64(&T, BPF_REG_8, (rnd() & ~0xffffffffull) | (below(16) * 4096));
			tp(&T, ALU64_REG(BPF_ADD, PTR, BPF_REG_8)); /* dirty upper half, same low page */
			break;
		case 2:
			tp(&T, ALU32_IMM(BPF_ADD, PTR, (int32_t)(below(1024) * 8) - 4096));
			break;
		default:
			tp(&T, CAST_KERN(PTR, PTR));
			break;
		}
		break;
	}
}

static void gen_jump(uint32_t unit, uint32_t nunits, uint32_t *njumps)
{
	static const uint8_t ops[] = { BPF_JEQ, BPF_JNE, BPF_JSET, BPF_JGT, BPF_JGE, BPF_JLT, BPF_JLE, BPF_JSGT,
				       BPF_JSGE, BPF_JSLT, BPF_JSLE, BPF_JA };
	uint8_t op = ops[below(sizeof(ops))];
	uint8_t cls = below(2) ? BPF_JMP : BPF_JMP32;
	uint32_t at;

	if (op == BPF_JA)
		cls = BPF_JMP;
	if (op == BPF_JA || below(2))
		at = tp(&T, INSN(cls | op | BPF_K, below(NGEN), 0, 0, op == BPF_JA ? 0 : rnd_imm()));
	else
		at = tp(&T, INSN(cls | op | BPF_X, below(NGEN), below(NGEN), 0, 0));
	/* mostly short hops, sometimes far (rel32) */
	uint32_t span = below(4) ? 1 + below(8) : 1 + below(nunits);

	jumps[(*njumps)++] = (struct pending_jump){ at, unit + 1 + span > nunits ? nunits : unit + 1 + span };
}

static void gen_call(void)
{
	tp_call_helper(&T, &proto_mix);
	for (int r = 1; r <= 5; r++)
		if (r != PTR)
			tp_ld64(&T, r, rnd_value()); /* the verifier treats r1..r5 as clobbered */
}

static uint64_t helper_mix(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
	return (a * 0x9e3779b97f4a7c15ull) ^ (b + (c << 7)) ^ (d * 31) ^ (e >> 3);
}

static const struct ukern_func_proto proto_mix = { .name = "mix", .fn = helper_mix };

static void gen_seed(uint64_t seed)
{
	rng = seed * 0x9e3779b97f4a7c15ull | 1;
}

static void gen_program(uint32_t nunits)
{
	uint32_t njumps = 0;

	T.n = 0;
	for (int i = 1; i <= 64; i++)
		tp(&T, ST(BPF_DW, BPF_REG_10, -8 * i, 0)); /* the reference's stack starts zeroed: so does ours */
	for (int r = 0; r < NGEN; r++)
		tp_ld64(&T, r, rnd_value());
	tp(&T, MOV64_IMM(PTR, (int32_t)(below(6) * 4096 + below(512) * 8)));
	tp(&T, CAST_KERN(PTR, PTR));
	for (uint32_t u = 0; u < nunits; u++) {
		unit_start[u] = T.n;
		switch (below(16)) {
		case 0: case 1: case 2: case 3: case 4: case 5:
			gen_alu();
			break;
		case 6: case 7:
			gen_stack();
			break;
		case 8: case 9: case 10: case 11:
			gen_arena();
			break;
		case 12: case 13:
			gen_jump(u, nunits, &njumps);
			break;
		case 14:
			if (below(4) == 0) {
				gen_call();
				break;
			}
			/* fall through */
		default:
			tp_ld64(&T, below(NGEN), rnd_value());
			break;
		}
	}
	unit_start[nunits] = T.n;
	for (int r = 1; r <= 9; r++) {
		tp(&T, ALU64_IMM(BPF_MUL, BPF_REG_0, 31));
		tp(&T, ALU64_REG(BPF_ADD, BPF_REG_0, r));
	}
	tp(&T, EXIT());
	for (uint32_t j = 0; j < njumps; j++) {
		struct bpf_insn *in = &T.insns[jumps[j].at];
		int64_t off = (int64_t)unit_start[jumps[j].target_unit] - (jumps[j].at + 1);

		in->off = (int16_t)off;
	}
}

#endif /* UKERN_JIT_GEN_H */
