/* Unit tests of the x86-64 JIT (kernel/jit/): one directed case per behaviour, each program built by hand and
 * its expected result computed in C from the BPF semantics; the random differential test is test_jit_diff.c.
 *
 * Output: one "ok"/"FAIL" line per case, then "jit: N passed, M failed"; exit status 1 on any failure.
 */
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "jit_testlib.h"

static int passed, failed;
static struct fake_arena fa;
#define USER_VM 0x7f1200000000ull

static void check(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("%s %s", ok ? "ok  " : "FAIL", name);
	if (!ok && fmt) {
		printf(": ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	printf("\n");
	if (ok)
		passed++;
	else
		failed++;
}

/* Compiles t with the fake arena and runs it once; err gets the compile error. */
static uint64_t run(struct tprog *t, const char *name, void *ctx, int *err)
{
	struct ukern_prog *p = tp_prog(t, name);
	uint64_t r;

	*err = ukern_jit_compile_view(p, &fa.view);
	if (*err)
		return 0;
	r = p->jit_entry(ctx);
	ukern_jit_free(p);
	return r;
}

/* Runs the program on the JIT and on the reference evaluator; both must give want. */
static uint8_t snapshot[FA_PAGES][4096];

static void arena_copy(bool save)
{
	for (uint32_t pg = 0; pg < FA_PAGES; pg++)
		if (fa.present[pg])
			memcpy(save ? snapshot[pg] : fa_page(&fa, pg), save ? fa_page(&fa, pg) : snapshot[pg], 4096);
}

static void expect(struct tprog *t, const char *name, uint64_t want)
{
	int err, rerr;
	uint64_t got, ref;

	arena_copy(true);
	got = run(t, name, NULL, &err);
	arena_copy(false); /* the reference starts from the same arena contents */
	ref = ref_run(&t->prog, &fa, NULL, &rerr);

	if (err) {
		check(false, name, "compile failed: %d", err);
		return;
	}
	check(got == want && (rerr || ref == want), name, "jit 0x%llx, reference 0x%llx (err %d), want 0x%llx",
	      (unsigned long long)got, (unsigned long long)ref, rerr, (unsigned long long)want);
}

static struct tprog T;
static void reset(void)
{
	T.n = 0;
}

/* r0 = op(a, b) in 64 or 32 bits, register and immediate forms checked separately */
static void alu_case(const char *name, uint8_t op, bool is64, int16_t off, uint64_t a, uint64_t b, uint64_t want)
{
	char nm[96];

	reset();
	tp_ld64(&T, BPF_REG_0, a);
	tp_ld64(&T, BPF_REG_4, b); /* r4 is rcx: also exercises the shift-count shuffle */
	tp(&T, INSN((is64 ? BPF_ALU64 : BPF_ALU) | op | BPF_X, BPF_REG_0, BPF_REG_4, off, 0));
	tp(&T, EXIT());
	snprintf(nm, sizeof(nm), "alu-%s-reg", name);
	expect(&T, nm, want);
	if ((int64_t)b == (int32_t)b && !(op == BPF_DIV && b == 0) && !(op == BPF_MOD && b == 0)) {
		reset();
		tp_ld64(&T, BPF_REG_3, a); /* rdx: division must keep it */
		tp(&T, INSN((is64 ? BPF_ALU64 : BPF_ALU) | op | BPF_K, BPF_REG_3, 0, off, (int32_t)b));
		tp(&T, MOV64_REG(BPF_REG_0, BPF_REG_3));
		tp(&T, EXIT());
		snprintf(nm, sizeof(nm), "alu-%s-imm", name);
		expect(&T, nm, want);
	}
}

static void test_alu(void)
{
	alu_case("add64", BPF_ADD, true, 0, 0xffffffffffffffffull, 2, 1);
	alu_case("add32-zext", BPF_ADD, false, 0, 0x1ffffffffull, 1, 0);
	alu_case("sub64", BPF_SUB, true, 0, 5, 7, (uint64_t)-2);
	alu_case("mul64", BPF_MUL, true, 0, 0x100000001ull, 3, 0x300000003ull);
	alu_case("mul32", BPF_MUL, false, 0, 0x100000003ull, -1, 0xfffffffdull);
	alu_case("div64-by-zero", BPF_DIV, true, 0, 1234, 0, 0);
	alu_case("mod64-by-zero-keeps", BPF_MOD, true, 0, 0xabcdef0123ull, 0, 0xabcdef0123ull);
	alu_case("mod32-by-zero-zext", BPF_MOD, false, 0, 0xabcdef0123ull, 0x100000000ull, 0xcdef0123ull);
	alu_case("div32-by-zero", BPF_DIV, false, 0, 77, 0, 0);
	alu_case("div64", BPF_DIV, true, 0, 1000000007ull * 3, 3, 1000000007ull);
	alu_case("udiv64-negative", BPF_DIV, true, 0, (uint64_t)-10, 3, (uint64_t)-10 / 3);
	alu_case("sdiv64", BPF_DIV, true, 1, (uint64_t)-7, 2, (uint64_t)-3);
	alu_case("smod64", BPF_MOD, true, 1, (uint64_t)-7, 2, (uint64_t)-1);
	alu_case("sdiv64-min-by-minus1", BPF_DIV, true, 1, 0x8000000000000000ull, -1, 0x8000000000000000ull);
	alu_case("smod64-by-minus1", BPF_MOD, true, 1, 0x8000000000000000ull, -1, 0);
	alu_case("sdiv32-min-by-minus1", BPF_DIV, false, 1, 0x80000000ull, 0xffffffffull, 0x80000000ull);
	alu_case("sdiv32", BPF_DIV, false, 1, 0xfffffff9ull, 2, 0xfffffffdull);
	alu_case("smod32-by-zero", BPF_MOD, false, 1, 0x1fffffff9ull, 0, 0xfffffff9ull);
	alu_case("lsh64-by-rcx", BPF_LSH, true, 0, 1, 63, 0x8000000000000000ull);
	alu_case("lsh64-count-masked", BPF_LSH, true, 0, 1, 65, 2);
	alu_case("rsh32", BPF_RSH, false, 0, 0xf00000000ull | 0x80000000ull, 31, 1);
	alu_case("arsh64", BPF_ARSH, true, 0, 0x8000000000000000ull, 4, 0xf800000000000000ull);
	alu_case("arsh32", BPF_ARSH, false, 0, 0x80000000ull, 4, 0xf8000000ull);
	alu_case("xor32", BPF_XOR, false, 0, 0xffffffff00000000ull, 0x00000000ffffffffull, 0xffffffffull);
	alu_case("and64", BPF_AND, true, 0, 0xff00ff00ff00ff00ull, -256, 0xff00ff00ff00ff00ull);
	alu_case("or32", BPF_OR, false, 0, 0xffffffff00000001ull, 2, 3);

	/* shifts where the shifted register is rcx itself */
	reset();
	tp(&T, MOV64_IMM(BPF_REG_4, 3));
	tp(&T, MOV64_IMM(BPF_REG_2, 4));
	tp(&T, ALU64_REG(BPF_LSH, BPF_REG_4, BPF_REG_2));
	tp(&T, MOV64_REG(BPF_REG_0, BPF_REG_4));
	tp(&T, EXIT());
	expect(&T, "lsh-dst-is-rcx", 48);
	reset();
	tp(&T, MOV64_IMM(BPF_REG_4, 5));
	tp(&T, ALU64_REG(BPF_LSH, BPF_REG_4, BPF_REG_4));
	tp(&T, MOV64_REG(BPF_REG_0, BPF_REG_4));
	tp(&T, EXIT());
	expect(&T, "lsh-rcx-by-itself", 160);
	/* division where dst is rdx / rax and the divisor is rax */
	reset();
	tp(&T, MOV64_IMM(BPF_REG_0, 7));
	tp(&T, MOV64_IMM(BPF_REG_3, 100));
	tp(&T, ALU64_REG(BPF_DIV, BPF_REG_3, BPF_REG_0));
	tp(&T, ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_3));
	tp(&T, EXIT());
	expect(&T, "div-dst-rdx-src-rax", 7 + 14);
	reset();
	tp(&T, MOV64_IMM(BPF_REG_0, 100));
	tp(&T, MOV64_IMM(BPF_REG_3, 9));
	tp(&T, ALU64_REG(BPF_MOD, BPF_REG_0, BPF_REG_3));
	tp(&T, ALU64_REG(BPF_MUL, BPF_REG_3, BPF_REG_3));
	tp(&T, ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_3));
	tp(&T, EXIT());
	expect(&T, "mod-dst-rax-keeps-rdx", 1 + 81);

	/* byte swaps, movsx, neg */
	static const struct { const char *n; struct bpf_insn in; uint64_t want; } un[] = {
		{ "be16", INSN(BPF_ALU | BPF_END | BPF_TO_BE, 0, 0, 0, 16), 0xefcd },
		{ "be32", INSN(BPF_ALU | BPF_END | BPF_TO_BE, 0, 0, 0, 32), 0xefcdab89 },
		{ "be64", INSN(BPF_ALU | BPF_END | BPF_TO_BE, 0, 0, 0, 64), 0xefcdab8967452301ull },
		{ "le16", INSN(BPF_ALU | BPF_END | BPF_TO_LE, 0, 0, 0, 16), 0xcdef },
		{ "le32", INSN(BPF_ALU | BPF_END | BPF_TO_LE, 0, 0, 0, 32), 0x89abcdef },
		{ "le64", INSN(BPF_ALU | BPF_END | BPF_TO_LE, 0, 0, 0, 64), 0x0123456789abcdefull },
		{ "bswap64", INSN(BPF_ALU64 | BPF_END, 0, 0, 0, 64), 0xefcdab8967452301ull },
		{ "bswap16", INSN(BPF_ALU64 | BPF_END, 0, 0, 0, 16), 0xefcd },
		{ "movsx64-8", INSN(BPF_ALU64 | BPF_MOV | BPF_X, 0, 2, 8, 0), 0xffffffffffffffefull },
		{ "movsx64-16", INSN(BPF_ALU64 | BPF_MOV | BPF_X, 0, 2, 16, 0), 0xffffffffffffcdefull },
		{ "movsx64-32", INSN(BPF_ALU64 | BPF_MOV | BPF_X, 0, 2, 32, 0), 0xffffffff89abcdefull },
		{ "movsx32-8", INSN(BPF_ALU | BPF_MOV | BPF_X, 0, 2, 8, 0), 0xffffffefull },
		{ "movsx32-16", INSN(BPF_ALU | BPF_MOV | BPF_X, 0, 2, 16, 0), 0xffffcdefull },
		{ "mov32-zext", INSN(BPF_ALU | BPF_MOV | BPF_X, 0, 2, 0, 0), 0x89abcdefull },
		{ "neg64", INSN(BPF_ALU64 | BPF_NEG, 0, 0, 0, 0), 0xfedcba9876543211ull },
		{ "neg32", INSN(BPF_ALU | BPF_NEG, 0, 0, 0, 0), 0x76543211ull },
		{ "mov64-imm-negative", INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, -2), (uint64_t)-2 },
		{ "mov32-imm-negative", INSN(BPF_ALU | BPF_MOV | BPF_K, 0, 0, 0, -2), 0xfffffffeull },
	};
	for (size_t i = 0; i < sizeof(un) / sizeof(un[0]); i++) {
		char nm[64];

		reset();
		tp_ld64(&T, BPF_REG_0, 0x0123456789abcdefull);
		tp_ld64(&T, BPF_REG_2, 0x0123456789abcdefull);
		tp(&T, un[i].in);
		tp(&T, EXIT());
		snprintf(nm, sizeof(nm), "alu-%s", un[i].n);
		expect(&T, nm, un[i].want);
	}
	/* movsx from a byte register that needs a REX prefix (sil = BPF r2, dil = BPF r1) */
	reset();
	tp(&T, MOV64_IMM(BPF_REG_1, 0x80));
	tp(&T, INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_1, 8, 0));
	tp(&T, MOV64_REG(BPF_REG_0, BPF_REG_2));
	tp(&T, EXIT());
	expect(&T, "movsx-from-dil", (uint64_t)-128);
}

static void test_jumps(void)
{
	static const struct { const char *n; uint8_t op; bool j32; uint64_t a, b; bool taken; } j[] = {
		{ "jgt-unsigned", BPF_JGT, false, (uint64_t)-1, 1, true },
		{ "jsgt-signed", BPF_JSGT, false, (uint64_t)-1, 1, false },
		{ "jlt32-ignores-upper", BPF_JLT, true, 0x100000001ull, 2, true },
		{ "jlt64", BPF_JLT, false, 0x100000001ull, 2, false },
		{ "jsle32", BPF_JSLE, true, 0x80000000ull, 0, true },
		{ "jset", BPF_JSET, false, 0x100000000ull, 0x100000000ull, true },
		{ "jset32", BPF_JSET, true, 0x100000000ull, 0x100000000ull, false },
		{ "jeq", BPF_JEQ, false, 5, 5, true },
		{ "jne32", BPF_JNE, true, 0x500000005ull, 5, false },
		{ "jge", BPF_JGE, false, 5, 5, true },
		{ "jle", BPF_JLE, false, 6, 5, false },
		{ "jsge", BPF_JSGE, false, (uint64_t)-5, (uint64_t)-6, true },
		{ "jslt", BPF_JSLT, false, (uint64_t)-5, (uint64_t)-6, false },
	};
	for (size_t i = 0; i < sizeof(j) / sizeof(j[0]); i++) {
		for (int form = 0; form < 2; form++) {
			char nm[64];

			if (form == 1 && (int64_t)j[i].b != (int32_t)j[i].b && !j[i].j32)
				continue;
			reset();
			tp_ld64(&T, BPF_REG_1, j[i].a);
			tp_ld64(&T, BPF_REG_2, j[i].b);
			tp(&T, MOV64_IMM(BPF_REG_0, 1));
			if (form == 0)
				tp(&T, INSN((j[i].j32 ? BPF_JMP32 : BPF_JMP) | j[i].op | BPF_X, 1, 2, 1, 0));
			else
				tp(&T, INSN((j[i].j32 ? BPF_JMP32 : BPF_JMP) | j[i].op | BPF_K, 1, 0, 1, (int32_t)j[i].b));
			tp(&T, MOV64_IMM(BPF_REG_0, 0));
			tp(&T, EXIT());
			snprintf(nm, sizeof(nm), "jmp-%s-%s", j[i].n, form ? "imm" : "reg");
			expect(&T, nm, j[i].taken);
		}
	}
	/* far jumps (rel32) forward and backward, and gotol */
	reset();
	tp(&T, MOV64_IMM(BPF_REG_0, 0));
	tp(&T, MOV64_IMM(BPF_REG_1, 3));
	uint32_t loop = tp(&T, ALU64_IMM(BPF_ADD, BPF_REG_0, 1));
	for (int i = 0; i < 100; i++)
		tp(&T, ALU64_IMM(BPF_ADD, BPF_REG_0, 0x12345));
	tp(&T, ALU64_IMM(BPF_SUB, BPF_REG_1, 1));
	tp(&T, JMP_IMM(BPF_JNE, BPF_REG_1, 0, (int16_t)(loop - (T.n + 1))));
	tp(&T, INSN(BPF_JMP32 | BPF_JA, 0, 0, 0, 200));
	for (int i = 0; i < 200; i++)
		tp(&T, MOV64_IMM(BPF_REG_0, -1));
	tp(&T, EXIT());
	expect(&T, "jmp-far-loop-and-gotol", 3 * (1 + 100 * 0x12345ull));
}

static void test_memory(void)
{
	/* stack: every size, ldsx, store immediates */
	reset();
	tp_ld64(&T, BPF_REG_1, 0x8182838485868788ull);
	tp(&T, STX(BPF_DW, BPF_REG_10, BPF_REG_1, -8));
	tp(&T, ST(BPF_W, BPF_REG_10, -16, -3));
	tp(&T, ST(BPF_H, BPF_REG_10, -18, 0x8001));
	tp(&T, ST(BPF_B, BPF_REG_10, -19, 0x90));
	tp(&T, LDXSX(BPF_B, BPF_REG_0, BPF_REG_10, -8));            /* 0x88 -> -120 */
	tp(&T, LDXSX(BPF_H, BPF_REG_2, BPF_REG_10, -18));           /* 0x8001 -> -32767 */
	tp(&T, ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_2));
	tp(&T, LDXSX(BPF_W, BPF_REG_2, BPF_REG_10, -16));           /* -3 */
	tp(&T, ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_2));
	tp(&T, LDX(BPF_B, BPF_REG_2, BPF_REG_10, -19));             /* 0x90 */
	tp(&T, ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_2));
	tp(&T, LDX(BPF_W, BPF_REG_2, BPF_REG_10, -4));              /* 0x81828384 */
	tp(&T, ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_2));
	tp(&T, EXIT());
	expect(&T, "stack-sizes-and-ldsx", (uint64_t)(-120 - 32767 - 3 + 0x90) + 0x81828384ull);

	/* byte store from sil/dil (needs REX) */
	reset();
	tp(&T, MOV64_IMM(BPF_REG_2, 0x1ab));
	tp(&T, MOV64_IMM(BPF_REG_1, 0x1cd));
	tp(&T, ST(BPF_DW, BPF_REG_10, -8, 0));
	tp(&T, STX(BPF_B, BPF_REG_10, BPF_REG_2, -8));
	tp(&T, STX(BPF_B, BPF_REG_10, BPF_REG_1, -7));
	tp(&T, LDX(BPF_DW, BPF_REG_0, BPF_REG_10, -8));
	tp(&T, EXIT());
	expect(&T, "stack-byte-store-sil-dil", 0xcdab);

	/* atomics on the stack, including r0 as the operand and cmpxchg both ways */
	static const struct { const char *n; int sz; int32_t op; uint64_t mem, src, r0; uint64_t want_mem, want_src, want_r0; } a[] = {
		{ "add", BPF_DW, BPF_ADD, 10, 5, 0, 15, 5, 0 },
		{ "fetch-add", BPF_DW, BPF_ADD | BPF_FETCH, 10, 5, 0, 15, 10, 0 },
		{ "fetch-add32", BPF_W, BPF_ADD | BPF_FETCH, 0xffffffff, 0x100000001ull, 0, 0, 0xffffffff, 0 },
		{ "fetch-and", BPF_DW, BPF_AND | BPF_FETCH, 0xff0, 0x0ff, 7, 0xf0, 0xff0, 7 },
		{ "fetch-or32", BPF_W, BPF_OR | BPF_FETCH, 0xf0, 0x10000000full, 7, 0xff, 0xf0, 7 },
		{ "fetch-xor", BPF_DW, BPF_XOR | BPF_FETCH, 0xff, 0x0f, 7, 0xf0, 0xff, 7 },
		{ "or", BPF_DW, BPF_OR, 0xf0, 0x0f, 7, 0xff, 0x0f, 7 },
		{ "and32", BPF_W, BPF_AND, 0xf0, 0x30, 7, 0x30, 0x30, 7 },
		{ "xor", BPF_DW, BPF_XOR, 0xff, 0xf, 7, 0xf0, 0xf, 7 },
		{ "xchg", BPF_DW, BPF_XCHG, 1, 2, 7, 2, 1, 7 },
		{ "xchg32", BPF_W, BPF_XCHG, 1, 0x500000002ull, 7, 2, 1, 7 },
		{ "cmpxchg-hit", BPF_DW, BPF_CMPXCHG, 5, 9, 5, 9, 9, 5 },
		{ "cmpxchg-miss", BPF_DW, BPF_CMPXCHG, 5, 9, 6, 5, 9, 5 },
		{ "cmpxchg32-hit-zext", BPF_W, BPF_CMPXCHG, 5, 9, 0x700000005ull, 9, 9, 5 },
	};
	for (size_t i = 0; i < sizeof(a) / sizeof(a[0]); i++) {
		char nm[64];

		/* r3 = operand, result: r0 + mem * 3 + src * 7 (all three checked via distinct weights... but
		 * values are small, so compare each separately with three programs) */
		for (int what = 0; what < 3; what++) {
			reset();
			tp_ld64(&T, BPF_REG_1, a[i].mem);
			tp(&T, STX(BPF_DW, BPF_REG_10, BPF_REG_1, -8));
			tp_ld64(&T, BPF_REG_3, a[i].src);
			tp_ld64(&T, BPF_REG_0, a[i].r0);
			tp(&T, MOV64_REG(BPF_REG_2, BPF_REG_10));
			tp(&T, ATOMIC(a[i].sz, a[i].op, BPF_REG_2, BPF_REG_3, -8));
			if (what == 0)
				tp(&T, LDX(a[i].sz, BPF_REG_0, BPF_REG_10, -8));
			else if (what == 1)
				tp(&T, MOV64_REG(BPF_REG_0, BPF_REG_3));
			tp(&T, EXIT());
			snprintf(nm, sizeof(nm), "atomic-%s-%s", a[i].n, what == 0 ? "mem" : what == 1 ? "src" : "r0");
			expect(&T, nm, what == 0 ? a[i].want_mem : what == 1 ? a[i].want_src : a[i].want_r0);
		}
	}
	/* fetch-and with r0 as the operand (it is the cmpxchg loop's comparand) */
	reset();
	tp(&T, ST(BPF_DW, BPF_REG_10, -8, 0x0ff0));
	tp(&T, MOV64_IMM(BPF_REG_0, 0x00ff));
	tp(&T, ATOMIC(BPF_DW, BPF_AND | BPF_FETCH, BPF_REG_10, BPF_REG_0, -8));
	tp(&T, LDX(BPF_DW, BPF_REG_1, BPF_REG_10, -8));
	tp(&T, ALU64_IMM(BPF_LSH, BPF_REG_1, 16));
	tp(&T, ALU64_REG(BPF_OR, BPF_REG_0, BPF_REG_1));
	tp(&T, EXIT());
	expect(&T, "atomic-fetch-and-r0-operand", 0x0ff0 | (0xf0ull << 16));
}

static void test_arena(void)
{
	uint8_t *p0 = fa_page(&fa, 0);

	for (int mode = 0; mode < 2; mode++) {
		const char *mn = mode ? "zeropage" : "protnone";
		char nm[96];

		fa_layout(&fa, 0x1 | 0x4, mode); /* pages 0 and 2 present, 1 absent */
		memset(p0, 0, 4096);
		*(uint64_t *)(p0 + 16) = 0x1122334455667788ull;

		/* present load through a cast pointer, one instruction */
		reset();
		tp(&T, MOV64_IMM(BPF_REG_1, 16));
		tp(&T, CAST_KERN(BPF_REG_1, BPF_REG_1));
		tp_arena(&T, LDX(BPF_DW, BPF_REG_0, BPF_REG_1, 0));
		tp(&T, EXIT());
		snprintf(nm, sizeof(nm), "arena-load-present-%s", mn);
		expect(&T, nm, 0x1122334455667788ull);

		/* absent load zeroes the destination (which held something) */
		reset();
		tp(&T, MOV64_IMM(BPF_REG_1, 4096 + 8));
		tp(&T, CAST_KERN(BPF_REG_1, BPF_REG_1));
		tp(&T, MOV64_IMM(BPF_REG_0, 77));
		tp(&T, MOV64_IMM(BPF_REG_6, 5));
		tp_arena(&T, LDX(BPF_W, BPF_REG_6, BPF_REG_1, 0));
		tp(&T, ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_6));
		tp(&T, EXIT());
		snprintf(nm, sizeof(nm), "arena-load-absent-reads-zero-%s", mn);
		expect(&T, nm, 77);

		/* absent store dropped, execution continues; present store lands */
		reset();
		tp(&T, MOV64_IMM(BPF_REG_1, 4096));
		tp(&T, CAST_KERN(BPF_REG_1, BPF_REG_1));
		tp(&T, MOV64_IMM(BPF_REG_2, 0x55));
		tp_arena(&T, STX(BPF_DW, BPF_REG_1, BPF_REG_2, 0));
		tp_arena(&T, ST(BPF_W, BPF_REG_1, 8, 0x66));
		tp_arena(&T, STX(BPF_DW, BPF_REG_1, BPF_REG_2, 4096)); /* page 2: present */
		tp_arena(&T, LDX(BPF_DW, BPF_REG_0, BPF_REG_1, 0));
		tp_arena(&T, LDX(BPF_DW, BPF_REG_3, BPF_REG_1, 4096));
		tp(&T, ALU64_IMM(BPF_LSH, BPF_REG_3, 8));
		tp(&T, ALU64_REG(BPF_OR, BPF_REG_0, BPF_REG_3));
		tp(&T, EXIT());
		snprintf(nm, sizeof(nm), "arena-store-absent-dropped-%s", mn);
		expect(&T, nm, 0x5500);

		/* atomics on an absent page: operand registers and r0 unchanged */
		static const int32_t ops[] = { BPF_ADD | BPF_FETCH, BPF_AND | BPF_FETCH, BPF_XCHG, BPF_CMPXCHG,
					       BPF_OR, BPF_XOR | BPF_FETCH };
		for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
			for (int sz = 0; sz < 2; sz++) {
				reset();
				tp(&T, MOV64_IMM(BPF_REG_1, 4096 + 64));
				tp(&T, CAST_KERN(BPF_REG_1, BPF_REG_1));
				tp_ld64(&T, BPF_REG_0, 0x1234567890ull);
				tp_ld64(&T, BPF_REG_3, 0xabcdef12345ull);
				tp_arena(&T, ATOMIC(sz ? BPF_DW : BPF_W, ops[k], BPF_REG_1, BPF_REG_3, 0));
				tp(&T, ALU64_IMM(BPF_LSH, BPF_REG_0, 20));
				tp(&T, ALU64_REG(BPF_XOR, BPF_REG_0, BPF_REG_3));
				tp(&T, EXIT());
				snprintf(nm, sizeof(nm), "arena-atomic-0x%x-%s-absent-keeps-regs-%s", ops[k],
					 sz ? "dw" : "w", mn);
				expect(&T, nm, (0x1234567890ull << 20) ^ 0xabcdef12345ull);
			}
		}
		/* atomics on a present page */
		*(uint64_t *)(p0 + 64) = 100;
		reset();
		tp(&T, MOV64_IMM(BPF_REG_1, 64));
		tp(&T, CAST_KERN(BPF_REG_1, BPF_REG_1));
		tp(&T, MOV64_IMM(BPF_REG_3, 5));
		tp_arena(&T, ATOMIC(BPF_DW, BPF_ADD | BPF_FETCH, BPF_REG_1, BPF_REG_3, 0));
		tp(&T, MOV64_IMM(BPF_REG_4, 0xf));
		tp_arena(&T, ATOMIC(BPF_DW, BPF_OR | BPF_FETCH, BPF_REG_1, BPF_REG_4, 0));
		tp_arena(&T, LDX(BPF_DW, BPF_REG_0, BPF_REG_1, 0));
		tp(&T, ALU64_IMM(BPF_LSH, BPF_REG_0, 16));
		tp(&T, ALU64_REG(BPF_OR, BPF_REG_0, BPF_REG_3));
		tp(&T, ALU64_IMM(BPF_LSH, BPF_REG_0, 16));
		tp(&T, ALU64_REG(BPF_OR, BPF_REG_0, BPF_REG_4));
		tp(&T, EXIT());
		snprintf(nm, sizeof(nm), "arena-atomic-present-%s", mn);
		expect(&T, nm, (111ull << 32) | (100ull << 16) | 105);

		/* the index is 32 bits: upper bits of a 64-bit-modified pointer are ignored */
		reset();
		tp(&T, MOV64_IMM(BPF_REG_1, 16));
		tp(&T, CAST_KERN(BPF_REG_1, BPF_REG_1));
		tp_ld64(&T, BPF_REG_2, 0x500000000ull);
		tp(&T, ALU64_REG(BPF_ADD, BPF_REG_1, BPF_REG_2)); /* upper half now non-zero */
		tp_arena(&T, LDX(BPF_DW, BPF_REG_0, BPF_REG_1, 0));
		tp(&T, EXIT());
		snprintf(nm, sizeof(nm), "arena-index-is-32-bit-%s", mn);
		expect(&T, nm, 0x1122334455667788ull);

		/* negative offset below the arena start lands in the guard: reads 0 */
		reset();
		tp(&T, MOV64_IMM(BPF_REG_1, 0));
		tp(&T, CAST_KERN(BPF_REG_1, BPF_REG_1));
		tp(&T, MOV64_IMM(BPF_REG_0, 9));
		tp_arena(&T, LDX(BPF_DW, BPF_REG_0, BPF_REG_1, -8));
		tp(&T, EXIT());
		snprintf(nm, sizeof(nm), "arena-guard-below-reads-zero-%s", mn);
		expect(&T, nm, 0);
	}

	/* casts */
	reset();
	tp_ld64(&T, BPF_REG_1, 0xdeadbeef00001000ull);
	tp(&T, CAST_KERN(BPF_REG_0, BPF_REG_1));
	tp(&T, EXIT());
	expect(&T, "cast-kern-truncates", 0x1000);
	reset();
	tp_ld64(&T, BPF_REG_1, 0xdeadbeef00001000ull);
	tp(&T, CAST_USER(BPF_REG_0, BPF_REG_1));
	tp(&T, EXIT());
	expect(&T, "cast-user-restores-upper", (USER_VM & ~0xffffffffull) | 0x1000);
	reset();
	tp_ld64(&T, BPF_REG_1, 0xdeadbeef00000000ull);
	tp(&T, CAST_USER(BPF_REG_0, BPF_REG_1));
	tp(&T, EXIT());
	expect(&T, "cast-user-null-stays-null", 0);
}

static uint64_t helper_mix(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
	return a * 1 + b * 10 + c * 100 + d * 1000 + e * 10000;
}

/* A helper taking a callback: calls it as C would (bpf_loop's shape). */
static uint64_t helper_call_cb(uint64_t fn, uint64_t arg, uint64_t c, uint64_t d, uint64_t e)
{
	uint64_t sum = 0;
	ukern_func_t f = (ukern_func_t)(uintptr_t)fn;

	for (uint64_t i = 0; i < 3; i++)
		sum += f(i, arg, 0, 0, 0);
	return sum;
}

static const struct ukern_func_proto proto_mix = { .name = "mix", .fn = helper_mix };
static const struct ukern_func_proto proto_cb = { .name = "call_cb", .fn = helper_call_cb };

static void test_calls(void)
{
	/* helper with 5 arguments, callee-saved registers kept */
	reset();
	tp(&T, MOV64_IMM(BPF_REG_6, 6));
	tp(&T, MOV64_IMM(BPF_REG_7, 7));
	tp(&T, MOV64_IMM(BPF_REG_8, 8));
	tp(&T, MOV64_IMM(BPF_REG_9, 9));
	for (int r = 1; r <= 5; r++)
		tp(&T, MOV64_IMM(r, r));
	tp_call_helper(&T, &proto_mix);
	tp(&T, ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_6));
	tp(&T, ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_7));
	tp(&T, ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_8));
	tp(&T, ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_9));
	tp(&T, EXIT());
	expect(&T, "call-helper-5-args", 54321 + 30);

	/* bpf-to-bpf: sub(a, b) = a * 2 + b with its own stack; the caller's stack and r6 survive */
	reset();
	tp(&T, MOV64_IMM(BPF_REG_6, 1000));
	tp(&T, ST(BPF_DW, BPF_REG_10, -8, 444));
	tp(&T, MOV64_IMM(BPF_REG_1, 20));
	tp(&T, MOV64_IMM(BPF_REG_2, 3));
	uint32_t c1 = tp_call_sub(&T, 0);
	tp(&T, ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_6));
	tp(&T, LDX(BPF_DW, BPF_REG_1, BPF_REG_10, -8));
	tp(&T, ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_1));
	tp(&T, EXIT());
	uint32_t sub = tp(&T, MOV64_IMM(BPF_REG_6, 1));
	tp(&T, STX(BPF_DW, BPF_REG_10, BPF_REG_1, -8));
	tp(&T, LDX(BPF_DW, BPF_REG_0, BPF_REG_10, -8));
	tp(&T, ALU64_IMM(BPF_LSH, BPF_REG_0, 1));
	tp(&T, ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_2));
	tp(&T, EXIT());
	T.aux[c1].target = sub;
	T.insns[c1].imm = sub - (c1 + 1);
	expect(&T, "call-bpf-to-bpf", 43 + 1000 + 444);

	/* ld_imm64 of a function, called back from C; the callback reads the arena (r12 reloaded) */
	fa_layout(&fa, 0x1, FA_ABSENT_NONE);
	*(uint64_t *)(fa_page(&fa, 0) + 8) = 1000;
	reset();
	uint32_t ld = tp(&T, INSN(BPF_LD | BPF_IMM | BPF_DW, BPF_REG_1, BPF_PSEUDO_FUNC, 0, 0));
	tp(&T, INSN(0, 0, 0, 0, 0));
	tp(&T, MOV64_IMM(BPF_REG_2, 7));
	tp_call_helper(&T, &proto_cb);
	tp(&T, EXIT());
	uint32_t cb = tp(&T, MOV64_IMM(BPF_REG_3, 8));
	tp(&T, CAST_KERN(BPF_REG_3, BPF_REG_3));
	tp_arena(&T, LDX(BPF_DW, BPF_REG_0, BPF_REG_3, 0));
	tp(&T, ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_1));
	tp(&T, ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_2));
	tp(&T, EXIT());
	T.aux[ld].flags |= UKERN_AUX_LDIMM_FUNC;
	T.aux[ld].target = cb;
	T.insns[ld].imm = cb - (ld + 1);
	{
		int err;
		uint64_t got = run(&T, "call-callback-from-c", NULL, &err);

		check(!err && got == 3 * 1007 + 0 + 1 + 2, "call-callback-from-c", "err %d got %llu", err,
		      (unsigned long long)got);
	}

	/* may_goto: a loop guarded only by may_goto runs exactly the budget */
	reset();
	tp(&T, MOV64_IMM(BPF_REG_0, 0));
	tp(&T, MAY_GOTO(2));
	tp(&T, ALU64_IMM(BPF_ADD, BPF_REG_0, 1));
	tp(&T, JA(-3));
	tp(&T, EXIT());
	{
		struct timespec t0, t1;
		int err;
		uint64_t got;
		double secs;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		got = run(&T, "may-goto-budget", NULL, &err);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
		/* the kernel's timed budget: batches of 0xffff between clock checks, cut after 250 ms */
		check(!err && got > 2 * UKERN_MAY_GOTO_BATCH && got % UKERN_MAY_GOTO_BATCH == 0 && secs >= 0.24 &&
		      secs < 5, "may-goto-budget", "err %d got %llu in %.3f s", err, (unsigned long long)got, secs);
	}
}

/* A fault outside the exception table (a plain load from an unmapped address) must kill the process. */
static void test_real_crash(void)
{
	pid_t pid;
	int status = 0;

	reset();
	tp(&T, LDX(BPF_DW, BPF_REG_0, BPF_REG_1, 0)); /* ctx = NULL */
	tp(&T, EXIT());
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int err;

		run(&T, "crash", NULL, &err);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	check(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV, "fault-outside-table-is-a-crash",
	      "child status 0x%x", status);

	/* an arena-marked load whose pc is in the table but whose data address is outside the window: also
	 * a crash (cannot happen with a real index; the check guards against a corrupt table) */
}

static void test_wx_and_disasm(void)
{
	struct ukern_prog *p;
	char line[512], path[64];
	bool rx = false, w = false;
	FILE *f;
	int err;

	reset();
	tp(&T, MOV64_IMM(BPF_REG_1, 8));
	tp(&T, CAST_KERN(BPF_REG_1, BPF_REG_1));
	tp_arena(&T, LDX(BPF_DW, BPF_REG_0, BPF_REG_1, 8));
	tp_arena(&T, STX(BPF_DW, BPF_REG_1, BPF_REG_0, 16));
	tp(&T, EXIT());
	p = tp_prog(&T, "wx");
	err = ukern_jit_compile_view(p, &fa.view);
	check(!err, "compile-wx", "%d", err);
	if (err)
		return;
	snprintf(path, sizeof(path), "/proc/%d/maps", getpid());
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		char perm[8];

		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perm) == 3 && lo <= (uintptr_t)p->jit_image &&
		    (uintptr_t)p->jit_image < hi) {
			rx = perm[0] == 'r' && perm[2] == 'x';
			w = perm[1] == 'w';
		}
	}
	if (f)
		fclose(f);
	check(rx && !w, "image-is-rx-not-w", "rx %d w %d", rx, w);

	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	err = ukern_jit_disasm(p, m);
	fclose(m);
	check(!err && strstr(buf, "r12") && strstr(buf, "arena load (absent page: rax = 0)") &&
	      strstr(buf, "arena store"), "disasm-marks-arena-accesses", "err %d:\n%s", err, buf);
	struct ukern_jit_stats st = { .sz = sizeof(st) };
	err = ukern_jit_stats(p, &st);
	check(!err && st.arena_insns == 2 && st.arena_zext == 0, "arena-access-is-one-insn",
	      "err %d arena %u zext %u", err, st.arena_insns, st.arena_zext);
	if (getenv("JIT_TEST_SHOW"))
		fputs(buf, stdout);
	free(buf);
	ukern_jit_free(p);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (fa_init(&fa, USER_VM)) {
		printf("FAIL cannot reserve the fake arena\n");
		return 1;
	}
	fa_layout(&fa, 0xff, FA_ABSENT_NONE);
	test_alu();
	test_jumps();
	test_memory();
	test_arena();
	test_calls();
	test_real_crash();
	test_wx_and_disasm();
	printf("jit: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
