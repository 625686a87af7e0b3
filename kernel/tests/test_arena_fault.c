/* Arena fault semantics on both backends, compared with each other and with the kernel results recorded
 * here: loads from an absent page read 0, stores to it are dropped (the page stays absent), atomics on it
 * leave every register unchanged, the s16 guard below the arena reads 0; addr_space_cast both ways (and the
 * 32-bit move under BPF_F_NO_USER_CONV); user-space access to an absent page faults in a zeroed page, or
 * kills the process by SIGSEGV with BPF_F_SEGV_ON_FAULT (checked in a child); map creation and mmap rules.
 */
#include <signal.h>
#include <sys/wait.h>

#include "ukt.h"

#define P 4096ull

struct setup {
	struct ukt_backend *b;
	int arena;
	char *user;
};

static int setup(struct setup *s, struct ukt_backend *b, uint32_t pages, uint32_t flags)
{
	s->b = b;
	s->arena = ukt_arena_create(b, pages, b->arena_base, flags);
	if (s->arena < 0)
		return -1;
	s->user = b->mmap((void *)(uintptr_t)b->arena_base, pages * P, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_FIXED, s->arena, 0);
	return s->user == MAP_FAILED ? -1 : 0;
}

static void teardown(struct setup *s, uint32_t pages)
{
	munmap(s->user, pages * P);
	close(s->arena);
}

/* Loads and runs prog (a syscall program), returns r0 as the run's retval (u32), or a marker on failure. */
static int64_t run_prog(struct setup *s, const struct bpf_insn *insns, int n)
{
	int fd = ukt_load(s->b, insns, n, BPF_PROG_TYPE_SYSCALL);
	uint32_t ret = 0;
	int err;

	if (fd < 0)
		return -100000 + fd;
	err = ukt_run(s->b, fd, NULL, 0, &ret);
	close(fd);
	return err ? -200000 + err : (int64_t)ret;
}

/* Each program returns one u32; run on one backend, results in out[]. */
static int absent_cases(struct setup *s, int64_t *out)
{
	const int32_t id_alloc = ukt_kfunc_id("bpf_arena_alloc_pages");
	const uint64_t absent = s->b->arena_base + 3 * P, present = s->b->arena_base + 1 * P;
	const int a = s->arena;
	int n = 0;
#define RUN(...) do { struct bpf_insn p_[] = { __VA_ARGS__ }; out[n++] = run_prog(s, p_, NINSN(p_)); } while (0)
#define ABS LDMAP(3, a), LD64(1, absent), CASTK(1, 1)
	/* make page 1 present with a known value, through user space */
	*(volatile uint64_t *)(s->user + 1 * P) = 0x1111111100000005ull;

	RUN(ABS, MOV64I(2, 7), LDX(BPF_W, 2, 1, 0), MOV64R(0, 2), EXIT);                  /* load: 0 */
	RUN(ABS, MOV64I(2, 7), I(BPF_LDX | 0x80 | BPF_W, 2, 1, 0, 0), MOV64R(0, 2), EXIT);  /* ldsx: 0 */
	RUN(ABS, MOV64I(2, 7), LDX(BPF_DW, 2, 1, -8), MOV64R(0, 2), EXIT);                /* into page 2's end */
	RUN(LDMAP(3, a), LD64(1, s->b->arena_base), CASTK(1, 1), MOV64I(2, 7), LDX(BPF_DW, 2, 1, -8), MOV64R(0, 2),
	    EXIT);                                                                          /* guard below: 0 */
	RUN(ABS, MOV64I(2, 7), ATOM(BPF_DW, 1, 2, 0, BPF_ADD | BPF_FETCH), MOV64R(0, 2), EXIT);   /* 7 */
	RUN(ABS, MOV64I(2, 7), ATOM(BPF_DW, 1, 2, 0, BPF_XCHG), MOV64R(0, 2), EXIT);              /* 7 */
	RUN(ABS, MOV64I(0, 5), MOV64I(2, 7), ATOM(BPF_DW, 1, 2, 0, BPF_CMPXCHG), EXIT);           /* 5 */
	RUN(ABS, LD64(2, 0xffffffff00000007ull), ATOM(BPF_W, 1, 2, 0, BPF_ADD | BPF_FETCH), MOV64R(0, 2),
	    ALU64I(BPF_RSH, 0, 32), EXIT);                                                  /* upper half kept */
	RUN(ABS, LD64(0, 0xffffffff00000005ull), MOV64I(2, 7), ATOM(BPF_W, 1, 2, 0, BPF_CMPXCHG),
	    ALU64I(BPF_RSH, 0, 32), EXIT);
	RUN(ABS, LD64(2, 0xffffffff00000007ull), ATOM(BPF_W, 1, 2, 0, BPF_XCHG), MOV64R(0, 2),
	    ALU64I(BPF_RSH, 0, 32), EXIT);
	/* a store to an absent page is dropped: the page is still free for a hinted allocation, and zero */
	RUN(ABS, MOV64I(2, 9), STX(BPF_DW, 1, 2, 0), STI(BPF_W, 1, 8, 9), LDMAP(1, a), LD64(2, absent),
	    MOV64I(3, 1), MOV64I(4, -1), MOV64I(5, 0), KCALL(id_alloc), JMPI(BPF_JEQ, 0, 0, 3), CASTK(0, 0),
	    LDX(BPF_DW, 0, 0, 0), EXIT, MOV64I(0, 77), EXIT);
	/* present page: the usual semantics */
	RUN(LDMAP(3, a), LD64(1, present), CASTK(1, 1), MOV64I(2, 3), ATOM(BPF_DW, 1, 2, 0, BPF_ADD | BPF_FETCH),
	    LDX(BPF_DW, 0, 1, 0), ALU64R(BPF_ADD, 0, 2), EXIT);                            /* 5+3 + 5 */
	RUN(LDMAP(3, a), LD64(1, present), CASTK(1, 1), LD64(2, 0xabcdef0100000000ull),
	    ATOM(BPF_W, 1, 2, 4, BPF_ADD | BPF_FETCH), MOV64R(0, 2), ALU64I(BPF_RSH, 0, 32), EXIT); /* 0 */
	RUN(LDMAP(3, a), LD64(1, present), CASTK(1, 1), MOV64I(0, 8), MOV64I(2, 42),
	    ATOM(BPF_DW, 1, 2, 0, BPF_CMPXCHG), LDX(BPF_DW, 3, 1, 0), ALU64I(BPF_LSH, 0, 8), ALU64R(BPF_OR, 0, 3),
	    EXIT);                     /* 64-bit compare with 0x1111111100000008 fails: (old << 8) | old */
	/* user form and kernel form */
	RUN(LDMAP(3, a), LD64(1, 0x1234567800000010ull), CASTU(0, 1), ALU64I(BPF_RSH, 0, 32), EXIT);
	RUN(LDMAP(3, a), LD64(1, 0x1234567800000000ull), CASTU(0, 1), ALU64I(BPF_RSH, 0, 32), EXIT);
	RUN(LDMAP(3, a), LD64(1, 0x1234567800000010ull), CASTU(0, 1), EXIT);
	/* the kfunc returns the user form: upper half of user_vm_start */
	RUN(LDMAP(1, a), MOV64I(2, 0), MOV64I(3, 1), MOV64I(4, -1), MOV64I(5, 0), KCALL(id_alloc),
	    ALU64I(BPF_RSH, 0, 32), EXIT);
#undef ABS
#undef RUN
	/* the upper halves depend on where the backend's arena is: compare them with user_vm_start's */
	out[14] = out[14] == (int64_t)(s->b->arena_base >> 32);
	out[17] = out[17] == (int64_t)(s->b->arena_base >> 32);
	/* the user sees the program's writes, the program the user's */
	out[n++] = *(volatile uint64_t *)(s->user + 1 * P) == 42; /* 0: the cmpxchg above failed */
	/* user fault-in of an absent page: zero, then shared with the program */
	out[n++] = *(volatile uint64_t *)(s->user + 6 * P);
	*(volatile uint32_t *)(s->user + 6 * P + 8) = 0xfeed;
	{
		struct bpf_insn p_[] = { LDMAP(3, a), LD64(1, s->b->arena_base + 6 * P), CASTK(1, 1),
					 LDX(BPF_W, 0, 1, 8), EXIT };

		out[n++] = run_prog(s, p_, NINSN(p_));
	}
	return n;
}

static const int64_t expect_absent[] = {
	0, 0, 0, 0, 7, 7, 5, 0xffffffff, 0xffffffff, 0xffffffff, 0, 13, 0, 0x0808, 1, 0, 0x10, 1, 0, 0, 0xfeed,
};

static int64_t no_user_conv_cases(struct setup *s, int64_t *out)
{
	const int32_t id_alloc = ukt_kfunc_id("bpf_arena_alloc_pages");
	int n = 0;
	struct bpf_insn cu[] = { LDMAP(3, s->arena), LD64(1, 0x1234567800000010ull), CASTU(0, 1),
				 ALU64I(BPF_RSH, 0, 32), EXIT };
	struct bpf_insn al[] = { LDMAP(1, s->arena), MOV64I(2, 0), MOV64I(3, 1), MOV64I(4, -1), MOV64I(5, 0),
				 KCALL(id_alloc), ALU64I(BPF_RSH, 0, 32), EXIT };

	out[n++] = run_prog(s, cu, NINSN(cu)); /* 32-bit move: 0 */
	out[n++] = run_prog(s, al, NINSN(al)); /* alloc still returns the user form */
	return n;
}

/* In a child: touch an absent page of an arena; returns the child's fate (signal number, or 100 + exit). */
static int child_touch(struct ukt_backend *b, uint32_t flags, bool alloc_first, bool free_after)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		struct setup s;
		const int32_t id_alloc = ukt_kfunc_id("bpf_arena_alloc_pages");
		const int32_t id_free = ukt_kfunc_id("bpf_arena_free_pages");

		if (setup(&s, b, 8, flags))
			_exit(3);
		if (alloc_first) {
			struct bpf_insn p_[] = { LDMAP(1, s.arena), LD64(2, b->arena_base + 2 * P), MOV64I(3, 1),
						 MOV64I(4, -1), MOV64I(5, 0), KCALL(id_alloc), EXIT };

			if (run_prog(&s, p_, NINSN(p_)) < 0)
				_exit(4);
			*(volatile char *)(s.user + 2 * P) = 1; /* allocated: no fault */
		}
		if (free_after) {
			struct bpf_insn p_[] = { LDMAP(1, s.arena), LD64(2, b->arena_base + 2 * P), MOV64I(3, 1),
						 KCALL(id_free), MOV64I(0, 0), EXIT };

			if (run_prog(&s, p_, NINSN(p_)) < 0)
				_exit(5);
			_exit(10 + *(volatile char *)(s.user + 2 * P)); /* freed: faults again */
		}
		_exit(20 + *(volatile char *)(s.user + 5 * P));
	}
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFSIGNALED(st) ? WTERMSIG(st) : 100 + WEXITSTATUS(st);
}

static int fates(struct ukt_backend *b, int64_t *out)
{
	int n = 0;

	out[n++] = child_touch(b, 0, false, false);                   /* fault-in: exits 20 */
	out[n++] = child_touch(b, BPF_F_SEGV_ON_FAULT, false, false); /* SIGSEGV */
	out[n++] = child_touch(b, BPF_F_SEGV_ON_FAULT, true, false);  /* allocated page: exits 20 after */
	out[n++] = child_touch(b, BPF_F_SEGV_ON_FAULT, true, true);   /* freed page: SIGSEGV */
	out[n++] = child_touch(b, 0, true, true);                     /* freed page, no flag: zero page, 10 */
	return n;
}

static const int64_t expect_fates[] = { 120, SIGSEGV, SIGSEGV, SIGSEGV, 110 };

/* Creation and mmap rules: the errno of each attempt. */
static int rules(struct ukt_backend *b, int64_t *out)
{
	union bpf_attr a;
	int n = 0, fd;
	void *p;

#define CREATE(pages, extra, flags, ks) do {                                    \
	memset(&a, 0, sizeof(a));                                                 \
	a.map_type = BPF_MAP_TYPE_ARENA; a.max_entries = (pages);                 \
	a.map_extra = (extra); a.map_flags = (flags); a.key_size = (ks);         \
	fd = (int)b->bpf(BPF_MAP_CREATE, &a, sizeof(a));                          \
	out[n++] = fd < 0 ? fd : 0;                                               \
	if (fd >= 0) close(fd);                                                   \
} while (0)
	CREATE(1, 0, 0, 0);                                            /* no BPF_F_MMAPABLE */
	CREATE(0, 0, BPF_F_MMAPABLE, 0);
	CREATE(1, 0, BPF_F_MMAPABLE, 4);
	CREATE(1, b->arena_base + 8, BPF_F_MMAPABLE, 0);              /* unaligned map_extra */
	CREATE(2, b->arena_base - P, BPF_F_MMAPABLE, 0);              /* crosses 4 GiB */
	CREATE(1u << 20, 0, BPF_F_MMAPABLE, 0);                        /* exactly 4 GiB: fine */
	CREATE((1u << 20) + 1, 0, BPF_F_MMAPABLE, 0);
	CREATE(1, 0, BPF_F_MMAPABLE | BPF_F_RDONLY_PROG, 0);
#undef CREATE
	fd = ukt_arena_create(b, 4, b->arena_base, 0);
#define MMAP(addr, len, flags, off) do {                                          \
	p = b->mmap((void *)(uintptr_t)(addr), (len), PROT_READ | PROT_WRITE, (flags), fd, (off)); \
	out[n++] = p == MAP_FAILED ? -errno : 0;                                  \
	if (p != MAP_FAILED) munmap(p, (len));                                    \
} while (0)
	MMAP(b->arena_base, 4 * P, MAP_SHARED | MAP_FIXED, P);         /* offset */
	MMAP(b->arena_base, 2 * P, MAP_SHARED | MAP_FIXED, 0);         /* shorter */
	MMAP(b->arena_base, 8 * P, MAP_SHARED | MAP_FIXED, 0);         /* longer */
	MMAP(b->arena_base + 4 * P, 4 * P, MAP_SHARED | MAP_FIXED, 0); /* elsewhere */
	MMAP(0, 4 * P, MAP_SHARED, 0);                                 /* anywhere: must be map_extra */
	MMAP(b->arena_base, 4 * P, MAP_PRIVATE | MAP_FIXED, 0);
	MMAP(b->arena_base, 4 * P, MAP_SHARED | MAP_FIXED, 0);         /* fine */
	{
		uint32_t key = 0;
		uint64_t val = 0;
		union bpf_attr e = { .map_fd = fd, .key = (uintptr_t)&key, .value = (uintptr_t)&val };

		out[n++] = b->bpf(BPF_MAP_LOOKUP_ELEM, &e, sizeof(e));
		out[n++] = b->bpf(BPF_MAP_UPDATE_ELEM, &e, sizeof(e));
		out[n++] = b->bpf(BPF_MAP_DELETE_ELEM, &e, sizeof(e));
		e.next_key = (uintptr_t)&key;
		out[n++] = b->bpf(BPF_MAP_GET_NEXT_KEY, &e, sizeof(e));
		p = b->mmap((void *)(uintptr_t)b->arena_base, 4 * P, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
		out[n++] = b->bpf(BPF_MAP_FREEZE, &(union bpf_attr){ .map_fd = fd }, sizeof(e)); /* mapped writable */
		munmap(p, 4 * P);
	}
	close(fd);
	/* no map_extra: the first mmap decides, never across 4 GiB; the next must be identical */
	fd = ukt_arena_create(b, 16, 0, 0);
	p = b->mmap(NULL, 16 * P, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	out[n++] = p == MAP_FAILED ? -errno : ((uintptr_t)p >> 32) == (((uintptr_t)p + 16 * P - 1) >> 32);
	if (p != MAP_FAILED) {
		void *q = b->mmap(NULL, 16 * P, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

		out[n++] = q == MAP_FAILED ? -errno : 0;
		if (q != MAP_FAILED)
			munmap(q, 16 * P);
		{
			struct bpf_map_info mi;
			union bpf_attr ia;

			memset(&mi, 0, sizeof(mi));
			memset(&ia, 0, sizeof(ia));
			ia.info.bpf_fd = fd;
			ia.info.info_len = sizeof(mi);
			ia.info.info = (uintptr_t)&mi;
			b->bpf(BPF_OBJ_GET_INFO_BY_FD, &ia, sizeof(ia));
			out[n++] = (int64_t)mi.map_extra; /* the creation value, not the address mmap chose */
		}
		munmap(p, 16 * P);
	}
	close(fd);
	/* a program naming an arena without a user address is refused */
	fd = ukt_arena_create(b, 4, 0, 0);
	{
		struct bpf_insn p_[] = { LDMAP(1, fd), MOV64I(0, 0), EXIT };
		int pfd = ukt_load(b, p_, NINSN(p_), BPF_PROG_TYPE_SYSCALL);

		out[n++] = pfd < 0 ? pfd : 0;
		out[n++] = strstr(ukt_log, "arena's user address must be set via map_extra or mmap()") != NULL;
		if (pfd >= 0)
			close(pfd);
	}
	close(fd);
#undef MMAP
	return n;
}

static const int64_t expect_rules[] = {
	-EINVAL, -EINVAL, -EINVAL, -EINVAL, -ERANGE, 0, -E2BIG, -EINVAL,
	-EINVAL, -EINVAL, -E2BIG, -EINVAL, -EINVAL, -EINVAL, 0, -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EBUSY,
	1, -EINVAL, 0, -EINVAL, 1,
};

static void compare(const char *what, bool kernel, const int64_t *k, int nk, const int64_t *u, int nu,
		    const int64_t *rec, int nrec)
{
	CHECK(nu == nrec, "%s: user gave %d results, %d recorded", what, nu, nrec);
	for (int i = 0; i < nu && i < nrec; i++)
		CHECK(u[i] == rec[i], "%s case %d: user %lld, recorded kernel result %lld", what, i, (long long)u[i],
		      (long long)rec[i]);
	if (!kernel)
		return;
	CHECK(nk == nu, "%s: kernel gave %d results, user %d", what, nk, nu);
	for (int i = 0; i < nk && i < nu; i++)
		CHECK(k[i] == u[i], "%s case %d: kernel %lld, user %lld", what, i, (long long)k[i], (long long)u[i]);
	for (int i = 0; getenv("UKT_DUMP") && i < nk; i++)
		printf("%lld,%s", (long long)k[i], i + 1 == nk ? "\n" : " ");
}

int main(void)
{
	bool kernel = ukt_kernel_has_arena();
	int64_t k[64], u[64];
	int nk = 0, nu;
	struct setup s;
	ukt_use_engine("interp"); /* the arena semantics of the interpreter; jit/ tests its own */
	ukt_deadline(120);

	if (!kernel)
		printf("note: no kernel arena for this process: comparing with the recorded kernel results only\n");
	if (setup(&s, &ukt_user, 16, 0))
		return printf("user setup failed\n"), 1;
	nu = absent_cases(&s, u);
	teardown(&s, 16);
	if (kernel) {
		if (setup(&s, &ukt_kernel, 16, 0))
			return printf("kernel setup failed\n"), 1;
		nk = absent_cases(&s, k);
		teardown(&s, 16);
	}
	compare("absent", kernel, k, nk, u, nu, expect_absent, NINSN(expect_absent));

	if (setup(&s, &ukt_user, 16, BPF_F_NO_USER_CONV))
		return 1;
	nu = no_user_conv_cases(&s, u);
	teardown(&s, 16);
	{
		const int64_t rec[] = { 0, ukt_user.arena_base >> 32 };

		CHECK(nu == 2 && u[0] == rec[0] && u[1] == rec[1], "no_user_conv: user %lld %lld", (long long)u[0],
		      (long long)u[1]);
	}
	if (kernel) {
		if (setup(&s, &ukt_kernel, 16, BPF_F_NO_USER_CONV))
			return 1;
		nk = no_user_conv_cases(&s, k);
		teardown(&s, 16);
		CHECK(nk == 2 && k[0] == 0 && k[1] == (int64_t)(ukt_kernel.arena_base >> 32),
		      "no_user_conv: kernel %lld %lld", (long long)k[0], (long long)k[1]);
	}

	nu = fates(&ukt_user, u);
	if (kernel)
		nk = fates(&ukt_kernel, k);
	compare("fates", kernel, k, nk, u, nu, expect_fates, NINSN(expect_fates));

	nu = rules(&ukt_user, u);
	if (kernel)
		nk = rules(&ukt_kernel, k);
	compare("rules", kernel, k, nk, u, nu, expect_rules, NINSN(expect_rules));
	return ukt_finish("arena_fault");
}
