/* Differential test of the interpreter's ALU and branch semantics against the live kernel: seeded random
 * straight-line programs with forward branches (ALU32/ALU64, signed division and modulo, shifts by
 * registers, sign-extending moves, byte swaps, 32- and 64-bit compares, gotol), registers loaded from the
 * syscall context and stored back to it. Every register must come out identical. Without a kernel arena the
 * test still runs every program on the user backend (no crash, deterministic) and says the comparison was
 * skipped.
 */
#include "ukt.h"

#define NREGS 10
static const uint8_t regs[] = { 0, 1, 2, 3, 4, 5, 7, 8, 9 }; /* r6 holds ctx */

static uint64_t rs;
static uint32_t rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (uint32_t)rs;
}

static uint8_t rreg(void)
{
	return regs[rnd() % sizeof(regs)];
}

static int32_t rimm(void)
{
	static const int32_t special[] = { 0, 1, -1, 2, 31, 32, 63, INT32_MIN, INT32_MAX, 0x8000, -0x8000, 255 };

	return rnd() % 3 ? (int32_t)rnd() : special[rnd() % (sizeof(special) / sizeof(special[0]))];
}

static uint64_t rval(void)
{
	static const uint64_t special[] = { 0, 1, ~0ull, 0x8000000000000000ull, 0x7fffffffffffffffull, 0x80000000ull,
					    0xffffffffull, 0x100000000ull, 0xffffffff80000000ull, 2, 3 };

	return rnd() % 3 ? ((uint64_t)rnd() << 32 | rnd()) : special[rnd() % (sizeof(special) / sizeof(special[0]))];
}

/* One random program; returns its length. */
static int gen(struct bpf_insn *p, int body)
{
	static const uint8_t ops[] = { BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR, BPF_AND, BPF_LSH, BPF_RSH,
				       BPF_NEG, BPF_MOD, BPF_XOR, BPF_MOV, BPF_ARSH };
	static const uint8_t jops[] = { BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET, BPF_JNE, BPF_JSGT, BPF_JSGE,
					BPF_JLT, BPF_JLE, BPF_JSLT, BPF_JSLE };
	int n = 0, start[256], target[256];

	p[n++] = MOV64R(6, 1);
	for (int i = 0; i < (int)sizeof(regs); i++)
		p[n++] = LDX(BPF_DW, regs[i], 6, regs[i] * 8);
	for (int i = 0; i < body; i++) {
		uint32_t kind = rnd() % 16, left = body - i - 1;

		start[i] = n;
		target[i] = -1;
		uint8_t cls = rnd() % 2 ? BPF_ALU64 : BPF_ALU, d = rreg(), s = rreg();

		if (kind < 9) {
			uint8_t op = ops[rnd() % sizeof(ops)];
			bool x = rnd() % 2;
			int16_t off = 0;
			int32_t imm = rimm();

			if ((op == BPF_DIV || op == BPF_MOD) && rnd() % 2)
				off = 1; /* signed */
			if (!x && (op == BPF_DIV || op == BPF_MOD) && imm == 0)
				imm = 3;
			if (!x && (op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH))
				imm = (uint32_t)imm % (cls == BPF_ALU64 ? 64 : 32);
			if (op == BPF_NEG)
				x = false, imm = 0;
			p[n++] = I(cls | op | (x ? BPF_X : BPF_K), d, x ? s : 0, off, x ? 0 : imm);
		} else if (kind < 10) { /* sign-extending move */
			static const int16_t o64[] = { 8, 16, 32 }, o32[] = { 8, 16 };
			int16_t off = cls == BPF_ALU64 ? o64[rnd() % 3] : o32[rnd() % 2];

			p[n++] = I(cls | BPF_MOV | BPF_X, d, s, off, 0);
		} else if (kind < 11) { /* byte swaps */
			static const int32_t w[] = { 16, 32, 64 };

			if (cls == BPF_ALU64)
				p[n++] = I(BPF_ALU64 | BPF_END | BPF_TO_LE, d, 0, 0, w[rnd() % 3]);
			else
				p[n++] = I(BPF_ALU | BPF_END | (rnd() % 2 ? BPF_TO_BE : BPF_TO_LE), d, 0, 0, w[rnd() % 3]);
		} else if (kind < 12) { /* 64-bit constant */
			uint64_t v = rval();

			p[n++] = I(BPF_LD | BPF_DW | BPF_IMM, d, 0, 0, (int32_t)(uint32_t)v);
			p[n++] = I(0, 0, 0, 0, (int32_t)(uint32_t)(v >> 32));
		} else if (left > 0) { /* forward branch (offset fixed below, in slots); gotol to the next */
			uint8_t jcls = rnd() % 2 ? BPF_JMP : BPF_JMP32;

			if (kind == 15 && rnd() % 2) {
				p[n++] = I(BPF_JMP32 | BPF_JA, 0, 0, 0, 0); /* a longer one would leave code unreachable */
			} else {
				bool x = rnd() % 2;

				target[i] = i + 1 + rnd() % (left < 4 ? left : 4);
				p[n++] = I(jcls | jops[rnd() % sizeof(jops)] | (x ? BPF_X : BPF_K), d, x ? s : 0, 0,
					   x ? 0 : rimm());
			}
		} else {
			p[n++] = MOV64R(d, s);
		}
	}
	start[body] = n;
	for (int i = 0; i < body; i++)
		if (target[i] >= 0)
			p[start[i]].off = (int16_t)(start[target[i]] - start[i] - 1);
	for (int i = 0; i < (int)sizeof(regs); i++)
		p[n++] = STX(BPF_DW, 6, regs[i], regs[i] * 8);
	p[n++] = MOV64I(0, 0);
	p[n++] = EXIT;
	return n;
}

static void run_all(bool kernel, int programs)
{
	int refused = 0, compared = 0;
	struct bpf_insn p[256];

	for (int seed = 1; seed <= programs; seed++) {
		uint64_t in[NREGS], ck[NREGS], cu[NREGS];
		int n, fk = -1, fu;

		rs = 0x9e3779b97f4a7c15ull * seed;
		n = gen(p, 40);
		for (int i = 0; i < NREGS; i++)
			in[i] = rval();
		memcpy(cu, in, sizeof(in));
		fu = ukt_load(&ukt_user, p, n, BPF_PROG_TYPE_SYSCALL);
		if (kernel) {
			memcpy(ck, in, sizeof(in));
			fk = ukt_load(&ukt_kernel, p, n, BPF_PROG_TYPE_SYSCALL);
			if (fk < 0) {
				refused++;
				if (fu >= 0)
					close(fu);
				continue;
			}
			ukt_run(&ukt_kernel, fk, ck, sizeof(ck), NULL);
			close(fk);
		}
		CHECK(fu >= 0, "[%s] seed %d: refused a program%s", ukt_user.name, seed,
		      kernel ? " the kernel accepts" : "");
		if (fu < 0)
			continue;
		CHECK(ukt_run(&ukt_user, fu, cu, sizeof(cu), NULL) == 0, "[%s] seed %d: run failed", ukt_user.name, seed);
		close(fu);
		if (!kernel)
			continue;
		compared++;
		for (int i = 0; i < NREGS; i++) {
			if (i == 6)
				continue;
			if (ck[i] != cu[i]) {
				CHECK(0, "[%s] seed %d: r%d kernel %#llx user %#llx (in %#llx)", ukt_user.name, seed, i,
				      (unsigned long long)ck[i], (unsigned long long)cu[i], (unsigned long long)in[i]);
				break;
			}
		}
	}
	if (kernel) {
		printf("[%s] %d programs compared with the kernel, %d refused by it\n", ukt_user.name, compared,
		       refused);
		CHECK(refused * 10 < programs, "the kernel refused %d of %d generated programs", refused, programs);
	}
}

int main(int argc, char **argv)
{
	bool kernel = ukt_kernel_has_arena();
	int programs = argc > 1 ? atoi(argv[1]) : 400;

	ukt_deadline(120);
	if (!kernel)
		printf("note: no kernel BPF for this process: running the user backend only, no comparison\n");
	for (const char *const *e = ukern_engine_list(); *e; e++) {
		ukt_use_engine(*e);
		run_all(kernel, programs);
	}
	return ukt_finish("interp_alu");
}
