/* Unit tests of the verifier's outputs other than the verdict, which the lit corpus (test/verifier/)
 * already compares with the kernel: the aux[] marks (PROBE_MEM32, CAST_KERN/USER, SEEN), the rewrites
 * (cast_user -> mov32 under BPF_F_NO_USER_CONV, 64-bit arena arithmetic -> 32-bit), stack_depth, the
 * kernel's words for the arena refusals, the rotating log, and pruning of may_goto loops.
 *
 * Programs are built by hand against internal.h with a stand-in arena map: no other part of ukern runs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define I(code, d, s, o, i) ((struct bpf_insn){ (code), (d), (s), (o), (i) })
#define MOV64I(d, i) I(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOV64R(d, s) I(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define ALU64I(op, d, i) I(BPF_ALU64 | (op) | BPF_K, d, 0, 0, i)
#define ALU64R(op, d, s) I(BPF_ALU64 | (op) | BPF_X, d, s, 0, 0)
#define LDMAP(d) I(BPF_LD | BPF_DW | BPF_IMM, d, BPF_PSEUDO_MAP_FD, 0, 0), I(0, 0, 0, 0, 0)
#define CAST(d, s, imm) I(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 1, imm)
#define LDX(sz, d, s, o) I(BPF_LDX | BPF_MEM | (sz), d, s, o, 0)
#define STX(sz, d, s, o) I(BPF_STX | BPF_MEM | (sz), d, s, o, 0)
#define STI(sz, d, o, v) I(BPF_ST | BPF_MEM | (sz), d, 0, o, v)
#define ATOM(sz, d, s, o, op) I(BPF_STX | (sz) | BPF_ATOMIC, d, s, o, op)
#define MAY_GOTO(o) I(BPF_JMP | BPF_JCOND, 0, 0, o, 0)
#define JA(o) I(BPF_JMP | BPF_JA, 0, 0, o, 0)
#define EXIT I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define N(a) (sizeof(a) / sizeof((a)[0]))

static int failures;
static char logbuf[1 << 16];

#define EXPECT(cond, ...)                                                                          \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			printf("FAIL %s:%d: ", __func__, __LINE__);                                \
			printf(__VA_ARGS__);                                                       \
			printf("\n--- log ---\n%s\n", logbuf);                                     \
			failures++;                                                                \
			return;                                                                    \
		}                                                                                  \
	} while (0)

static struct ukern_map arena_map = { .type = BPF_MAP_TYPE_ARENA, .flags = BPF_F_MMAPABLE, .max_entries = 16,
				      .name = "arena" };

struct run {
	struct ukern_prog prog;
	struct bpf_insn insns[64];
	struct ukern_insn_aux aux[64];
	int rc;
};

static void run(struct run *r, const struct bpf_insn *insns, size_t n, struct ukern_map *arena, uint32_t level,
		uint32_t logsize)
{
	struct ukern_vlog log = { logbuf, logsize, level, 0 };

	memset(r, 0, sizeof(*r));
	memcpy(r->insns, insns, n * sizeof(*insns));
	r->prog.type = BPF_PROG_TYPE_SYSCALL;
	r->prog.insns = r->insns;
	r->prog.insn_cnt = (uint32_t)n;
	r->prog.aux = r->aux;
	r->prog.arena = arena;
	for (size_t i = 0; i < n; i++)
		if (insns[i].code == (BPF_LD | BPF_DW | BPF_IMM) && insns[i].src_reg == BPF_PSEUDO_MAP_FD) {
			r->aux[i].flags = UKERN_AUX_LDIMM_MAP;
			r->aux[i].map = arena;
			r->insns[i].src_reg = 0;
			i++;
		}
	logbuf[0] = 0;
	r->rc = ukern_verify(&r->prog, &log);
}

static void test_cast_kern_marks(void)
{
	const struct bpf_insn p[] = {
		LDMAP(1),
		MOV64I(1, 4096),
		CAST(1, 1, 1),                        /* 3: cast_kern -> PTR_TO_ARENA */
		STI(BPF_DW, 1, 8, 7),                 /* 4: store through it */
		LDX(BPF_DW, 0, 1, 8),                 /* 5: load through it: scalar */
		MOV64I(2, 1),
		ATOM(BPF_DW, 1, 2, 0, BPF_ADD),       /* 7: atomic through it */
		ALU64I(BPF_ADD, 1, 16),               /* 8: 64-bit arithmetic on arena: narrowed */
		LDX(BPF_W, 3, 1, 0),                  /* 9 */
		EXIT,
	};
	struct run r;

	run(&r, p, N(p), &arena_map, 2, sizeof(logbuf));
	EXPECT(r.rc == 0, "rc %d", r.rc);
	EXPECT(r.aux[3].flags & UKERN_AUX_CAST_KERN, "cast_kern not marked");
	EXPECT(r.aux[4].flags & UKERN_AUX_PROBE_MEM32, "store not PROBE_MEM32");
	EXPECT(r.aux[5].flags & UKERN_AUX_PROBE_MEM32, "load not PROBE_MEM32");
	EXPECT(r.aux[7].flags & UKERN_AUX_PROBE_MEM32, "atomic not PROBE_MEM32");
	EXPECT(r.aux[9].flags & UKERN_AUX_PROBE_MEM32, "load after arithmetic not PROBE_MEM32");
	EXPECT(!(r.aux[6].flags & UKERN_AUX_PROBE_MEM32), "mov marked PROBE_MEM32");
	EXPECT(r.aux[10].flags & UKERN_AUX_SEEN, "exit not SEEN");
	EXPECT(BPF_CLASS(r.insns[8].code) == BPF_ALU, "arena add not narrowed to 32 bits (code %#x)", r.insns[8].code);
	EXPECT(strstr(logbuf, "R1=arena"), "log lacks R1=arena");
	EXPECT(strstr(logbuf, "R10=fp0"), "log lacks R10=fp0");
	printf("ok cast_kern_marks\n");
}

static void test_cast_user_rewrite(void)
{
	const struct bpf_insn p[] = {
		LDMAP(1),
		MOV64I(1, 4096),
		CAST(2, 1, 1 << 16), /* 3: cast_user */
		MOV64R(0, 2),
		EXIT,
	};
	struct ukern_map noconv = arena_map;
	struct run r;

	run(&r, p, N(p), &arena_map, 1, sizeof(logbuf));
	EXPECT(r.rc == 0, "rc %d", r.rc);
	EXPECT(r.aux[3].flags & UKERN_AUX_CAST_USER, "cast_user not marked");
	EXPECT(r.insns[3].code == (BPF_ALU64 | BPF_MOV | BPF_X) && r.insns[3].off == 1, "cast_user rewritten");

	noconv.flags |= BPF_F_NO_USER_CONV;
	run(&r, p, N(p), &noconv, 1, sizeof(logbuf));
	EXPECT(r.rc == 0, "rc %d", r.rc);
	EXPECT(r.insns[3].code == (BPF_ALU | BPF_MOV | BPF_X) && r.insns[3].off == 0 && r.insns[3].imm == 0 &&
		       r.insns[3].dst_reg == 2 && r.insns[3].src_reg == 1,
	       "cast_user not rewritten to w2 = w1 under NO_USER_CONV");
	EXPECT(!(r.aux[3].flags & UKERN_AUX_CAST_USER), "rewritten insn still marked CAST_USER");
	printf("ok cast_user_rewrite\n");
}

static void test_cast_refusals(void)
{
	const struct bpf_insn bad_imm[] = { LDMAP(1), MOV64I(1, 0), CAST(1, 1, 2), MOV64I(0, 0), EXIT };
	const struct bpf_insn no_arena[] = { MOV64I(1, 0), CAST(1, 1, 1), MOV64I(0, 0), EXIT };
	const struct bpf_insn uncast[] = { LDMAP(1), MOV64I(1, 4096), LDX(BPF_DW, 0, 1, 0), EXIT };
	struct run r;

	run(&r, bad_imm, N(bad_imm), &arena_map, 1, sizeof(logbuf));
	EXPECT(r.rc == -EINVAL && strstr(logbuf, "addr_space_cast insn can only convert between address space 1 and 0"),
	       "bad imm: rc %d", r.rc);
	run(&r, no_arena, N(no_arena), NULL, 1, sizeof(logbuf));
	EXPECT(r.rc == -EINVAL &&
		       strstr(logbuf, "addr_space_cast insn can only be used in a program that has an associated arena"),
	       "no arena: rc %d", r.rc);
	run(&r, uncast, N(uncast), &arena_map, 1, sizeof(logbuf));
	EXPECT(r.rc == -EACCES && strstr(logbuf, "3: (79) r0 = *(u64 *)(r1 +0)") &&
		       strstr(logbuf, "R1 invalid mem access 'scalar'"),
	       "uncast deref: rc %d", r.rc);
	printf("ok cast_refusals\n");
}

static void test_stack_depth(void)
{
	const struct bpf_insn p[] = { STI(BPF_DW, 10, -24, 1), LDX(BPF_DW, 0, 10, -24), EXIT };
	const struct bpf_insn oob[] = { STI(BPF_DW, 10, -520, 1), MOV64I(0, 0), EXIT };
	struct run r;

	run(&r, p, N(p), NULL, 1, sizeof(logbuf));
	EXPECT(r.rc == 0 && r.prog.stack_depth == 24, "rc %d depth %u", r.rc, r.prog.stack_depth);
	run(&r, oob, N(oob), NULL, 1, sizeof(logbuf));
	EXPECT(r.rc == -EACCES && strstr(logbuf, "invalid write to stack R10 off=-520 size=8"), "rc %d", r.rc);
	printf("ok stack_depth\n");
}

/* A may_goto loop counting in r6: the counter is imprecise, widened, and the loop head prunes. */
static void test_may_goto_prunes(void)
{
	const struct bpf_insn p[] = {
		MOV64I(6, 0),
		MAY_GOTO(2),            /* 1 */
		ALU64I(BPF_ADD, 6, 3),  /* 2 */
		JA(-3),                 /* 3 */
		MOV64R(0, 6),           /* 4 */
		EXIT,
	};
	struct run r;
	unsigned long processed = 0;
	const char *s;

	run(&r, p, N(p), NULL, 1, sizeof(logbuf));
	EXPECT(r.rc == 0, "rc %d", r.rc);
	s = strstr(logbuf, "processed ");
	EXPECT(s && sscanf(s, "processed %lu", &processed) == 1 && processed < 100, "processed %lu", processed);
	printf("ok may_goto_prunes (%lu insns)\n", processed);
}

/* Without may_goto the same loop has a back-edge that makes no progress in the verifier's eyes once the
 * counter is constant: here it is, so the state repeats exactly. */
static void test_infinite_loop(void)
{
	const struct bpf_insn p[] = { MOV64I(0, 0), I(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, -1, 0), EXIT };
	struct run r;

	run(&r, p, N(p), NULL, 1, sizeof(logbuf));
	EXPECT(r.rc == -EINVAL && strstr(logbuf, "infinite loop detected at insn 1"), "rc %d", r.rc);
	printf("ok infinite_loop\n");
}

/* A log too small for the whole text keeps its end (the reason), as the kernel's rotating log. */
static void test_log_rotates(void)
{
	struct bpf_insn p[40];
	struct run r;
	size_t n = 0;

	for (int i = 0; i < 30; i++)
		p[n++] = MOV64I(2, i);
	p[n++] = MOV64R(0, 7);
	p[n++] = EXIT;
	run(&r, p, n, NULL, 2, 256);
	EXPECT(r.rc == -EACCES, "rc %d", r.rc);
	EXPECT(strlen(logbuf) == 255 && strstr(logbuf, "R7 !read_ok"), "tail lost: len %zu", strlen(logbuf));
	printf("ok log_rotates\n");
}

int main(void)
{
	test_cast_kern_marks();
	test_cast_user_rewrite();
	test_cast_refusals();
	test_stack_depth();
	test_may_goto_prunes();
	test_infinite_loop();
	test_log_rotates();
	if (failures) {
		printf("%d verifier unit test(s) failed\n", failures);
		return 1;
	}
	printf("all verifier unit tests passed\n");
	return 0;
}
