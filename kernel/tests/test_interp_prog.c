/* Programs beyond plain ALU, on both backends with the same results: stack and sign-extending loads,
 * atomics on stack and map values, bpf-to-bpf calls (callee-saved registers, nested frames), bpf_loop with a
 * callback, may_goto (bounded, and unbounded cut by the kernel's time budget), hash and array map helpers,
 * global data (ld_imm64 of a map value), xdp test runs (packet in/out, repeat, duration) and the test-run
 * argument rules, object info (names, types, xlated length, map ids), freeze and mmap of an array.
 */
#include <signal.h>
#include <sys/wait.h>

#include "ukt.h"

#define FUNC(d, rel) I(BPF_LD | BPF_DW | BPF_IMM, d, BPF_PSEUDO_FUNC, 0, rel), I(0, 0, 0, 0, 0)
#define MAPVAL(d, fd, off) I(BPF_LD | BPF_DW | BPF_IMM, d, BPF_PSEUDO_MAP_VALUE, 0, fd), I(0, 0, 0, 0, off)
#define MAY_GOTO(o) I(BPF_JMP | 0xe0, 0, 0, o, 0)

static int64_t run_sys(struct ukt_backend *b, const struct bpf_insn *p, int n)
{
	int fd = ukt_load(b, p, n, BPF_PROG_TYPE_SYSCALL);
	uint32_t ret = 0;
	int err;

	if (fd < 0)
		return -100000 + fd;
	err = ukt_run(b, fd, NULL, 0, &ret);
	close(fd);
	return err ? -200000 + err : (int64_t)ret;
}

/* Loads p with BTF func_info for two functions (main at 0, a static callback at cb_off) and runs it. */
static int64_t run_with_funcs(struct ukt_backend *b, const struct bpf_insn *p, int n, uint32_t cb_off)
{
	struct btf *btf = btf__new_empty();
	int t_long = btf__add_int(btf, "long", 8, BTF_INT_SIGNED), t_ptr = btf__add_ptr(btf, 0);
	int proto_main = btf__add_func_proto(btf, t_long), f_main, proto_cb, f_cb, btf_fd, fd, err;
	struct bpf_func_info fi[2];
	union bpf_attr a;
	const void *raw;
	uint32_t raw_size, ret = 0;

	btf__add_func_param(btf, "ctx", t_ptr);
	f_main = btf__add_func(btf, "main_prog", BTF_FUNC_GLOBAL, proto_main);
	proto_cb = btf__add_func_proto(btf, t_long);
	btf__add_func_param(btf, "idx", t_long);
	btf__add_func_param(btf, "ctx", t_ptr);
	f_cb = btf__add_func(btf, "cb", BTF_FUNC_STATIC, proto_cb);
	raw = btf__raw_data(btf, &raw_size);
	memset(&a, 0, sizeof(a));
	a.btf = (uintptr_t)raw;
	a.btf_size = raw_size;
	btf_fd = (int)b->bpf(BPF_BTF_LOAD, &a, sizeof(a));
	btf__free(btf);
	if (btf_fd < 0)
		return -300000 + btf_fd;
	fi[0] = (struct bpf_func_info){ 0, (uint32_t)f_main };
	fi[1] = (struct bpf_func_info){ cb_off, (uint32_t)f_cb };
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_SYSCALL;
	a.prog_flags = BPF_F_SLEEPABLE;
	a.insns = (uintptr_t)p;
	a.insn_cnt = n;
	a.license = (uintptr_t)"GPL";
	a.prog_btf_fd = btf_fd;
	a.func_info = (uintptr_t)fi;
	a.func_info_rec_size = sizeof(fi[0]);
	a.func_info_cnt = 2;
	fd = (int)b->bpf(BPF_PROG_LOAD, &a, sizeof(a));
	close(btf_fd);
	if (fd < 0)
		return -100000 + fd;
	err = ukt_run(b, fd, NULL, 0, &ret);
	close(fd);
	return err ? -200000 + err : (int64_t)ret;
}

static int cases(struct ukt_backend *b, int64_t *out)
{
	int n = 0, hash = ukt_map_create(b, BPF_MAP_TYPE_HASH, 4, 8, 16, 0);
	int arr = ukt_map_create(b, BPF_MAP_TYPE_ARRAY, 4, 16, 1, BPF_F_MMAPABLE);
#define RUN(...) do { struct bpf_insn p_[] = { __VA_ARGS__ }; out[n++] = run_sys(b, p_, NINSN(p_)); } while (0)

	/* stack, sizes, sign extension */
	RUN(MOV64I(1, -2), STX(BPF_B, 10, 1, -1), STX(BPF_H, 10, 1, -4), STX(BPF_W, 10, 1, -8),
	    I(BPF_LDX | 0x80 | BPF_B, 2, 10, -1, 0), I(BPF_LDX | 0x80 | BPF_H, 3, 10, -4, 0),
	    I(BPF_LDX | 0x80 | BPF_W, 4, 10, -8, 0), LDX(BPF_B, 5, 10, -1), MOV64R(0, 2), ALU64R(BPF_ADD, 0, 3),
	    ALU64R(BPF_ADD, 0, 4), ALU64R(BPF_ADD, 0, 5), EXIT); /* -6 + 254 = 248 */
	/* atomics on the stack: and/or/xor with fetch are fine outside the arena */
	RUN(STI(BPF_DW, 10, -8, 0xf0), MOV64I(1, 0x3c), ATOM(BPF_DW, 10, 1, -8, BPF_AND | BPF_FETCH),
	    MOV64I(2, 1), ATOM(BPF_DW, 10, 2, -8, BPF_OR | BPF_FETCH), MOV64I(3, 0xff),
	    ATOM(BPF_DW, 10, 3, -8, BPF_XOR | BPF_FETCH), LDX(BPF_DW, 0, 10, -8), ALU64I(BPF_LSH, 0, 8),
	    ALU64R(BPF_OR, 0, 1), ALU64I(BPF_LSH, 0, 8), ALU64R(BPF_OR, 0, 2), ALU64I(BPF_LSH, 0, 8),
	    ALU64R(BPF_OR, 0, 3), EXIT);
	RUN(STI(BPF_W, 10, -4, 10), MOV64I(0, 10), MOV64I(1, 20), ATOM(BPF_W, 10, 1, -4, BPF_CMPXCHG),
	    LDX(BPF_W, 2, 10, -4), ALU64I(BPF_LSH, 2, 8), ALU64R(BPF_OR, 0, 2), EXIT);
	/* bpf-to-bpf: callee-saved registers survive, r10 is per frame, nested depth 3 */
	RUN(MOV64I(6, 5), STI(BPF_DW, 10, -8, 1000), MOV64I(1, 7), PCALL(4), ALU64R(BPF_ADD, 0, 6),
	    LDX(BPF_DW, 1, 10, -8), ALU64R(BPF_ADD, 0, 1), EXIT,
	    /* sub1 */ MOV64I(6, 100), STI(BPF_DW, 10, -8, 1), ALU64I(BPF_MUL, 1, 3), PCALL(2), ALU64R(BPF_ADD, 0, 6),
	    EXIT,
	    /* sub2 */ MOV64R(0, 1), ALU64I(BPF_ADD, 0, 1), EXIT); /* 7*3+1 + 100 + 5 + 1000 */
	/* bpf_loop: the callback adds the index into the caller's stack and stops the loop at index 4. The
	 * kernel wants BTF func_info for a program with callbacks. */
	{
		struct bpf_insn p_[] = {
			STI(BPF_DW, 10, -8, 0), MOV64I(1, 10), FUNC(2, 9), MOV64R(3, 10), ALU64I(BPF_ADD, 3, -8),
			MOV64I(4, 0), CALL(BPF_FUNC_loop), ALU64I(BPF_MUL, 0, 1000), LDX(BPF_DW, 1, 10, -8),
			ALU64R(BPF_ADD, 0, 1), EXIT,
			/* cb(idx, ctx) */ LDX(BPF_DW, 3, 2, 0), ALU64R(BPF_ADD, 3, 1), STX(BPF_DW, 2, 3, 0),
			MOV64I(0, 0), JMPI(BPF_JNE, 1, 4, 1), MOV64I(0, 1), EXIT,
		};

		out[n++] = run_with_funcs(b, p_, NINSN(p_), 12);
	}
	/* may_goto: a bounded loop counts exactly; an unbounded one is cut by the budget */
	RUN(MOV64I(0, 0), MAY_GOTO(2), ALU64I(BPF_ADD, 0, 1), JMPI(BPF_JLT, 0, 1000, -3), EXIT);
	{
		/* An unbounded loop (the start value is unknown, so states prune): more than 4 * 65536 iterations
		 * before the 250 ms budget runs out. In a child with a deadline: a load
		 * or run that never ends is reported as such instead of hanging the test. */
		struct bpf_insn p_[] = { CALL(BPF_FUNC_get_prandom_u32), MOV64R(6, 0), MAY_GOTO(2),
					 ALU64I(BPF_ADD, 0, 1), JA(-3), ALU64R(BPF_SUB, 0, 6), MOV64I(1, 65536 * 4),
					 MOV64I(2, 1), I(BPF_JMP | BPF_JGT | BPF_X, 0, 1, 1, 0), MOV64I(2, 0), MOV64R(0, 2),
					 EXIT };
		pid_t pid = fork();
		int st = 0;

		if (pid == 0) {
			alarm(20);
			_exit((int)run_sys(b, p_, NINSN(p_)) == 1 ? 0 : 1);
		}
		waitpid(pid, &st, 0);
		out[n] = WIFEXITED(st) && WEXITSTATUS(st) == 0;
		if (!out[n])
			printf("[%s] unbounded may_goto loop: %s\n", b->name,
			       WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM ? "load or run did not finish in 20 s"
									 : "wrong result");
		n++;
	}
	/* hash map helpers */
	RUN(STI(BPF_W, 10, -4, 7), STI(BPF_DW, 10, -16, 70), LDMAP(1, hash), MOV64R(2, 10), ALU64I(BPF_ADD, 2, -4),
	    MOV64R(3, 10), ALU64I(BPF_ADD, 3, -16), MOV64I(4, BPF_NOEXIST), CALL(BPF_FUNC_map_update_elem),
	    MOV64R(6, 0), LDMAP(1, hash), MOV64R(2, 10), ALU64I(BPF_ADD, 2, -4), MOV64R(3, 10),
	    ALU64I(BPF_ADD, 3, -16), MOV64I(4, BPF_NOEXIST), CALL(BPF_FUNC_map_update_elem), MOV64R(7, 0),
	    LDMAP(1, hash), MOV64R(2, 10), ALU64I(BPF_ADD, 2, -4), CALL(BPF_FUNC_map_lookup_elem),
	    JMPI(BPF_JEQ, 0, 0, 3), LDX(BPF_DW, 1, 0, 0), ALU64I(BPF_ADD, 1, 1), STX(BPF_DW, 0, 1, 0),
	    MOV64R(0, 7), ALU64I(BPF_LSH, 0, 8), ALU64R(BPF_OR, 0, 6), EXIT); /* (-EEXIST << 8) | 0 */
	/* global data: ld_imm64 of an array value */
	RUN(MAPVAL(1, arr, 8), STI(BPF_DW, 1, 0, 99), LDMAP(1, arr), STI(BPF_W, 10, -4, 0), MOV64R(2, 10),
	    ALU64I(BPF_ADD, 2, -4), CALL(BPF_FUNC_map_lookup_elem), JMPI(BPF_JEQ, 0, 0, 2), LDX(BPF_DW, 0, 0, 8),
	    EXIT, MOV64I(0, 1), EXIT);
#undef RUN
	/* the hash value as the program left it, through the syscall */
	{
		union bpf_attr a;
		uint32_t key = 7;
		uint64_t val = 0;

		memset(&a, 0, sizeof(a));
		a.map_fd = hash;
		a.key = (uintptr_t)&key;
		a.value = (uintptr_t)&val;
		out[n++] = b->bpf(BPF_MAP_LOOKUP_ELEM, &a, sizeof(a));
		out[n++] = (int64_t)val;
		key = 8;
		out[n++] = b->bpf(BPF_MAP_LOOKUP_ELEM, &a, sizeof(a));
		out[n++] = b->bpf(BPF_MAP_GET_NEXT_KEY, &(union bpf_attr){ .map_fd = hash, .key = 0,
							.next_key = (uintptr_t)&key }, sizeof(a));
		out[n++] = key;
	}
	/* mmap of the array shows the program's store; freeze refuses later writable mmaps and updates */
	{
		uint64_t *m = b->mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, arr, 0);
		uint32_t key = 0;
		uint64_t val[2] = { 1, 2 };

		out[n++] = m == MAP_FAILED ? -errno : (int64_t)m[1];
		out[n++] = b->bpf(BPF_MAP_FREEZE, &(union bpf_attr){ .map_fd = arr }, sizeof(union bpf_attr));
		if (m != MAP_FAILED)
			munmap(m, 4096);
		out[n++] = b->bpf(BPF_MAP_FREEZE, &(union bpf_attr){ .map_fd = arr }, sizeof(union bpf_attr));
		out[n++] = b->bpf(BPF_MAP_FREEZE, &(union bpf_attr){ .map_fd = arr }, sizeof(union bpf_attr));
		out[n++] = b->bpf(BPF_MAP_UPDATE_ELEM, &(union bpf_attr){ .map_fd = arr, .key = (uintptr_t)&key,
							 .value = (uintptr_t)val }, sizeof(union bpf_attr));
		m = b->mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, arr, 0);
		out[n++] = m == MAP_FAILED ? -errno : 0;
		m = b->mmap(NULL, 4096, PROT_READ, MAP_SHARED, arr, 0);
		out[n++] = m == MAP_FAILED ? -errno : (int64_t)m[1];
		if (m != MAP_FAILED)
			munmap(m, 4096);
	}
	/* object info */
	{
		struct bpf_insn p_[] = { LDMAP(1, hash), MOV64I(0, 0), EXIT };
		union bpf_attr a;
		struct bpf_prog_info pi;
		struct bpf_map_info mi;
		uint32_t ids[4] = { 0 };
		char name[] = "info_prog";
		int fd;

		memset(&a, 0, sizeof(a));
		a.prog_type = BPF_PROG_TYPE_SYSCALL;
		a.insns = (uintptr_t)p_;
		a.insn_cnt = NINSN(p_);
		a.license = (uintptr_t)"GPL";
		a.prog_flags = BPF_F_SLEEPABLE;
		memcpy(a.prog_name, name, sizeof(name));
		fd = (int)b->bpf(BPF_PROG_LOAD, &a, sizeof(a));
		memset(&pi, 0, sizeof(pi));
		pi.nr_map_ids = 4;
		pi.map_ids = (uintptr_t)ids;
		memset(&a, 0, sizeof(a));
		a.info.bpf_fd = fd;
		a.info.info_len = sizeof(pi);
		a.info.info = (uintptr_t)&pi;
		out[n++] = b->bpf(BPF_OBJ_GET_INFO_BY_FD, &a, sizeof(a));
		out[n++] = pi.type;
		out[n++] = !strcmp(pi.name, "info_prog");
		out[n++] = pi.nr_map_ids;
		out[n++] = pi.xlated_prog_len / 8;
		memset(&mi, 0, sizeof(mi));
		a.info.bpf_fd = hash;
		a.info.info_len = sizeof(mi);
		a.info.info = (uintptr_t)&mi;
		out[n++] = b->bpf(BPF_OBJ_GET_INFO_BY_FD, &a, sizeof(a));
		out[n++] = mi.type;
		out[n++] = mi.key_size * 1000 + mi.value_size;
		out[n++] = mi.max_entries;
		out[n++] = mi.id == ids[0];
		close(fd);
	}
	close(hash);
	close(arr);
	return n;
}

static int xdp_cases(struct ukt_backend *b, int64_t *out)
{
	/* swap the first two bytes, return XDP_TX; drop packets shorter than 20 */
	struct bpf_insn p[] = {
		LDX(BPF_W, 2, 1, 0), LDX(BPF_W, 3, 1, 4), MOV64R(4, 2), ALU64I(BPF_ADD, 4, 20),
		I(BPF_JMP | BPF_JGT | BPF_X, 4, 3, 6, 0), LDX(BPF_B, 5, 2, 0), LDX(BPF_B, 6, 2, 1), STX(BPF_B, 2, 6, 0),
		STX(BPF_B, 2, 5, 1), MOV64I(0, 3), EXIT, MOV64I(0, 1), EXIT,
	};
	unsigned char pkt[64], outp[64];
	union bpf_attr a;
	int n = 0, fd = ukt_load(b, p, NINSN(p), BPF_PROG_TYPE_XDP);

	for (int i = 0; i < 64; i++)
		pkt[i] = i;
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = fd;
	a.test.data_in = (uintptr_t)pkt;
	a.test.data_size_in = sizeof(pkt);
	a.test.data_out = (uintptr_t)outp;
	a.test.data_size_out = sizeof(outp);
	a.test.repeat = 3; /* odd: the bytes end swapped */
	out[n++] = b->bpf(BPF_PROG_TEST_RUN, &a, sizeof(a));
	out[n++] = a.test.retval;
	out[n++] = a.test.data_size_out;
	out[n++] = outp[0] * 256 + outp[1];
	out[n++] = a.test.duration > 0;
	a.test.data_size_in = 16;
	a.test.repeat = 0;
	out[n++] = b->bpf(BPF_PROG_TEST_RUN, &a, sizeof(a));
	out[n++] = a.test.retval;
	a.test.data_size_in = 10; /* shorter than an Ethernet header */
	out[n++] = b->bpf(BPF_PROG_TEST_RUN, &a, sizeof(a));
	close(fd);
	/* syscall programs: no packet, no repeat */
	{
		struct bpf_insn q[] = { MOV64I(0, 1), EXIT };

		fd = ukt_load(b, q, NINSN(q), BPF_PROG_TYPE_SYSCALL);
		memset(&a, 0, sizeof(a));
		a.test.prog_fd = fd;
		a.test.repeat = 2;
		out[n++] = b->bpf(BPF_PROG_TEST_RUN, &a, sizeof(a));
		a.test.repeat = 0;
		a.test.data_in = (uintptr_t)pkt;
		a.test.data_size_in = sizeof(pkt);
		out[n++] = b->bpf(BPF_PROG_TEST_RUN, &a, sizeof(a));
		close(fd);
		/* and they must be sleepable */
		memset(&a, 0, sizeof(a));
		a.prog_type = BPF_PROG_TYPE_SYSCALL;
		a.insns = (uintptr_t)q;
		a.insn_cnt = NINSN(q);
		a.license = (uintptr_t)"GPL";
		out[n++] = b->bpf(BPF_PROG_LOAD, &a, sizeof(a));
	}
	return n;
}

static const int64_t expect_cases[] = {
	248, 0xcef03031, 0x140a, 1127, 5010, 1000, 1, (uint32_t)(-EEXIST * 256), 99,
	0, 71, -ENOENT, 0, 7, 99, -EBUSY, 0, -EPERM, -EPERM, -EPERM, 99,
	0, BPF_PROG_TYPE_SYSCALL, 1, 1, 4, 0, BPF_MAP_TYPE_HASH, 4008, 16, 1,
};
static const int64_t expect_xdp[] = { 0, 3, 64, 0x0100, 1, 0, 1, -EINVAL, -EINVAL, -EINVAL, -EINVAL };

static void compare(const char *what, bool kernel, const int64_t *k, int nk, const int64_t *u, int nu,
		    const int64_t *rec, int nrec)
{
	CHECK(nu == nrec, "%s: user gave %d results, %d recorded", what, nu, nrec);
	for (int i = 0; i < nu && i < nrec; i++)
		CHECK(u[i] == rec[i], "%s case %d: user %lld, recorded kernel result %lld", what, i, (long long)u[i],
		      (long long)rec[i]);
	if (!kernel)
		return;
	for (int i = 0; getenv("UKT_DUMP") && i < nk; i++)
		printf("%lld,%s", (long long)k[i], i + 1 == nk ? "\n" : " ");
	CHECK(nk == nu, "%s: kernel gave %d results, user %d", what, nk, nu);
	for (int i = 0; i < nk && i < nu; i++)
		CHECK(k[i] == u[i], "%s case %d: kernel %lld, user %lld", what, i, (long long)k[i], (long long)u[i]);
}

int main(void)
{
	bool kernel = ukt_kernel_has_arena();
	int64_t k[64], u[64];
	int nk = 0, nu;
	ukt_deadline(120);

	if (!kernel)
		printf("note: no kernel BPF for this process: comparing with the recorded kernel results only\n");
	if (kernel)
		nk = cases(&ukt_kernel, k);
	for (const char *const *e = ukern_engine_list(); *e; e++) {
		ukt_use_engine(*e);
		nu = cases(&ukt_user, u);
		compare(ukt_user.name, kernel, k, nk, u, nu, expect_cases, NINSN(expect_cases));
	}
	if (kernel)
		nk = xdp_cases(&ukt_kernel, k);
	for (const char *const *e = ukern_engine_list(); *e; e++) {
		ukt_use_engine(*e);
		nu = xdp_cases(&ukt_user, u);
		compare(ukt_user.name, kernel, k, nk, u, nu, expect_xdp, NINSN(expect_xdp));
	}
	return ukt_finish("interp_prog");
}
