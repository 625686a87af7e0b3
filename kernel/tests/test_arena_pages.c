/* Arena page allocation against the live kernel: bpf_arena_alloc_pages / free_pages / reserve_pages called
 * from syscall programs, plus user-space fault-in, on both backends; every result (address as a page
 * offset, or NULL, or the error) must be the same. Fixed scenarios pin the behaviours by name (placement,
 * reuse after free, hint, exhaustion, reservation, bad arguments, zeroed pages), then a seeded random
 * sequence of operations compares the two step by step. Without a kernel arena only the user backend runs,
 * and its results are checked against the expectations written here.
 */
#include "ukt.h"

struct ctx {
	uint64_t addr, cnt, node, flags, ret;
};

struct env {
	struct ukt_backend *b;
	int arena, p_alloc, p_free, p_reserve, p_read;
	uint32_t pages;
	char *user;
};

static int load_ops(struct env *e)
{
	int32_t id_alloc = ukt_kfunc_id("bpf_arena_alloc_pages"), id_free = ukt_kfunc_id("bpf_arena_free_pages"),
		id_res = ukt_kfunc_id("bpf_arena_reserve_pages");
	struct bpf_insn alloc[] = {
		MOV64R(6, 1), LDMAP(1, e->arena), LDX(BPF_DW, 2, 6, 0), LDX(BPF_DW, 3, 6, 8), LDX(BPF_DW, 4, 6, 16),
		LDX(BPF_DW, 5, 6, 24), KCALL(id_alloc), STX(BPF_DW, 6, 0, 32), MOV64I(0, 0), EXIT,
	};
	struct bpf_insn fr[] = {
		MOV64R(6, 1), LDMAP(1, e->arena), LDX(BPF_DW, 2, 6, 0), LDX(BPF_DW, 3, 6, 8), KCALL(id_free),
		MOV64I(0, 0), EXIT,
	};
	struct bpf_insn res[] = {
		MOV64R(6, 1), LDMAP(1, e->arena), LDX(BPF_DW, 2, 6, 0), LDX(BPF_DW, 3, 6, 8), KCALL(id_res),
		STX(BPF_DW, 6, 0, 32), MOV64I(0, 0), EXIT,
	};
	/* ret = *(u64 *)addr through the program side (0 when absent) */
	struct bpf_insn rd[] = {
		MOV64R(6, 1), LDMAP(1, e->arena), LDX(BPF_DW, 2, 6, 0), CASTK(2, 2), LDX(BPF_DW, 3, 2, 0),
		STX(BPF_DW, 6, 3, 32), MOV64I(0, 0), EXIT,
	};

	e->p_alloc = ukt_load(e->b, alloc, NINSN(alloc), BPF_PROG_TYPE_SYSCALL);
	e->p_free = ukt_load(e->b, fr, NINSN(fr), BPF_PROG_TYPE_SYSCALL);
	e->p_reserve = id_res > 0 ? ukt_load(e->b, res, NINSN(res), BPF_PROG_TYPE_SYSCALL) : -1;
	e->p_read = ukt_load(e->b, rd, NINSN(rd), BPF_PROG_TYPE_SYSCALL);
	return e->p_alloc < 0 || e->p_free < 0 || e->p_read < 0 ? -1 : 0;
}

static int env_init(struct env *e, struct ukt_backend *b, uint32_t pages, uint32_t flags)
{
	memset(e, 0, sizeof(*e));
	e->b = b;
	e->pages = pages;
	e->arena = ukt_arena_create(b, pages, b->arena_base, flags);
	if (e->arena < 0) {
		printf("[%s] arena create: %s\n", b->name, strerror(-e->arena));
		return -1;
	}
	e->user = b->mmap((void *)(uintptr_t)b->arena_base, (size_t)pages * 4096, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_FIXED, e->arena, 0);
	if (e->user == MAP_FAILED) {
		printf("[%s] arena mmap: %s\n", b->name, strerror(errno));
		return -1;
	}
	return load_ops(e);
}

static void env_fini(struct env *e)
{
	munmap(e->user, (size_t)e->pages * 4096);
	close(e->p_alloc);
	close(e->p_free);
	if (e->p_reserve >= 0)
		close(e->p_reserve);
	close(e->p_read);
	close(e->arena);
}

/* Page offset of an arena address, -1 for NULL. */
static int64_t off_of(struct env *e, uint64_t a)
{
	if (!a)
		return -1;
	return (int64_t)(a - (uintptr_t)e->user) / 4096;
}

static uint64_t addr_of(struct env *e, int64_t page)
{
	return page < 0 ? 0 : (uintptr_t)e->user + (uint64_t)page * 4096;
}

static int64_t op_alloc(struct env *e, int64_t hint, uint64_t cnt, int64_t node, uint64_t flags)
{
	struct ctx c = { hint < 0 ? 0 : addr_of(e, hint), cnt, (uint64_t)node, flags, 0 };
	int err = ukt_run(e->b, e->p_alloc, &c, sizeof(c), NULL);

	if (err)
		return -1000 + err;
	return off_of(e, c.ret);
}

static int64_t op_alloc_raw(struct env *e, uint64_t addr, uint64_t cnt)
{
	struct ctx c = { addr, cnt, (uint64_t)-1, 0, 0 };

	ukt_run(e->b, e->p_alloc, &c, sizeof(c), NULL);
	return off_of(e, c.ret);
}

static void op_free_raw(struct env *e, uint64_t addr, uint64_t cnt)
{
	struct ctx c = { addr, cnt, 0, 0, 0 };

	ukt_run(e->b, e->p_free, &c, sizeof(c), NULL);
}

static void op_free(struct env *e, int64_t page, uint64_t cnt)
{
	op_free_raw(e, addr_of(e, page), cnt);
}

static int64_t op_reserve(struct env *e, uint64_t addr, uint64_t cnt)
{
	struct ctx c = { addr, cnt, 0, 0, 0 };

	if (e->p_reserve < 0)
		return -9999;
	ukt_run(e->b, e->p_reserve, &c, sizeof(c), NULL);
	return (int64_t)c.ret;
}

static uint64_t op_read(struct env *e, int64_t page, uint32_t in_page)
{
	struct ctx c = { addr_of(e, page) + in_page, 0, 0, 0, 0 };

	ukt_run(e->b, e->p_read, &c, sizeof(c), NULL);
	return c.ret;
}

/* One fixed scenario; results go to out[] so the two backends can be compared. */
static int scenario(struct env *e, int64_t *out)
{
	int n = 0;
	const uint64_t P = 4096;

	out[n++] = op_alloc(e, -1, 1, -1, 0);           /* 0: first page */
	out[n++] = op_alloc(e, -1, 1, -1, 0);           /* 1 */
	out[n++] = op_alloc(e, -1, 1, -1, 0);           /* 2 */
	op_free(e, 1, 1);
	out[n++] = op_alloc(e, -1, 1, -1, 0);           /* best fit: the hole at 1 */
	out[n++] = op_alloc(e, -1, 2, -1, 0);           /* 3..4 */
	op_free(e, 0, 1);
	op_free(e, 4, 1);                               /* two one-page holes: 0 and 4? (4 joins the tail) */
	out[n++] = op_alloc(e, -1, 1, -1, 0);
	out[n++] = op_alloc(e, -1, 1, -1, 0);
	out[n++] = op_alloc(e, 10, 1, -1, 0);           /* hint, free: exactly there */
	out[n++] = op_alloc(e, 10, 1, -1, 0);           /* hint, taken: NULL */
	out[n++] = op_alloc(e, 9, 2, -1, 0);            /* hint overlapping a taken page: NULL */
	out[n++] = op_alloc_raw(e, addr_of(e, 12) + 8, 1); /* unaligned hint: NULL */
	out[n++] = op_alloc(e, e->pages - 1, 2, -1, 0); /* hint running past the end: NULL */
	out[n++] = op_alloc(e, -1, 0, -1, 0);           /* zero pages: NULL */
	out[n++] = op_alloc(e, -1, 1, -1, 1);           /* flags: NULL */
	out[n++] = op_alloc(e, -1, 1, 0, 0);            /* node 0: fine */
	out[n++] = op_alloc(e, -1, 1, 5, 0);            /* node 5 (offline): ? */
	out[n++] = op_alloc(e, -1, e->pages + 1, -1, 0); /* more than the arena: NULL */
	/* zeroed pages: write through user space, free, allocate again, read through the program */
	{
		int64_t pg = op_alloc(e, 20, 1, -1, 0);

		out[n++] = pg;
		if (pg == 20) {
			*(volatile uint64_t *)(e->user + 20 * P) = 0x1122334455667788ull;
			out[n++] = op_read(e, 20, 0) == 0x1122334455667788ull;
			op_free(e, 20, 1);
			out[n++] = (int64_t)op_read(e, 20, 0); /* freed: reads 0 */
			out[n++] = op_alloc(e, 20, 1, -1, 0);
			out[n++] = (int64_t)op_read(e, 20, 0); /* new page: zero */
			out[n++] = *(volatile uint64_t *)(e->user + 20 * P) == 0;
		}
	}
	/* free with an address inside the page and a count past the end */
	op_free_raw(e, addr_of(e, 20) + 100, 1);
	out[n++] = op_alloc(e, 20, 1, -1, 0);
	op_free(e, e->pages - 2, 100);
	/* user fault-in takes the page out of the allocator */
	(void)*(volatile char *)(e->user + 30 * P);
	out[n++] = op_alloc(e, 30, 1, -1, 0);           /* NULL: user faulted it in */
	out[n++] = (int64_t)op_read(e, 30, 0);
	/* reservation */
	out[n++] = op_reserve(e, addr_of(e, 40), 2);    /* 0 */
	out[n++] = op_alloc(e, 40, 1, -1, 0);           /* NULL: reserved */
	out[n++] = op_reserve(e, addr_of(e, 41), 1);    /* -EBUSY */
	out[n++] = op_reserve(e, addr_of(e, e->pages - 1), 2); /* -EINVAL */
	out[n++] = op_reserve(e, addr_of(e, 44) + 8, 1); /* unaligned: 0, reserves nothing */
	out[n++] = op_alloc(e, 44, 1, -1, 0);           /* so 44 is still free */
	out[n++] = op_reserve(e, addr_of(e, 45), 0);    /* 0 */
	(void)*(volatile char *)(e->user + 40 * P);     /* a user fault on a reserved page maps it */
	out[n++] = (int64_t)op_read(e, 40, 0);
	op_free(e, 40, 2);                              /* free makes reserved pages allocatable */
	out[n++] = op_alloc(e, 41, 1, -1, 0);
	/* exhaustion */
	{
		int64_t got = 0, last = 0;

		while ((last = op_alloc(e, -1, 1, -1, 0)) >= 0)
			got++;
		out[n++] = got;
		out[n++] = last;
	}
	return n;
}

/* The live kernel's results for scenario() (Linux 6.18; UKT_DUMP=1 prints them again). */
static const int64_t expect_user[] = {
	0, 1, 2, 1, 3, 0, 4, 10, -1, -1, -1, -1, -1, -1, 5, -1, -1, 20, 1, 0, 20, 0, 1, 20, -1, 0, 0, -1,
	(uint32_t)-EBUSY, (uint32_t)-EINVAL, 0, 44, 0, 0, 41, 53, -1,
};

/* Random operations, compared step by step between the backends. */
static int random_ops(struct env *e, uint32_t seed, int64_t *out, int nops)
{
	uint32_t s = seed;
	int n = 0;

#define RND() (s = s * 1103515245u + 12345u, (s >> 16) & 0x7fff)
	for (int i = 0; i < nops; i++) {
		uint32_t op = RND() % 10, pg = RND() % e->pages, cnt = 1 + RND() % 4;

		if (op < 4)
			out[n++] = op_alloc(e, -1, cnt, -1, 0);
		else if (op < 6)
			out[n++] = op_alloc(e, pg, cnt, -1, 0);
		else if (op < 8)
			op_free(e, pg, cnt), out[n++] = -77;
		else if (op < 9)
			out[n++] = op_reserve(e, addr_of(e, pg), cnt);
		else
			out[n++] = (int64_t)*(volatile uint8_t *)(e->user + (uint64_t)pg * 4096);
	}
#undef RND
	return n;
}

int main(void)
{
	bool kernel = ukt_kernel_has_arena();
	struct env ek, eu;
	int64_t rk[256], ru[256];
	int nk = 0, nu;
	ukt_use_engine("interp"); /* the arena semantics of the interpreter; jit/ tests its own */
	ukt_deadline(120);

	if (env_init(&eu, &ukt_user, 64, 0)) {
		printf("user backend setup failed\n");
		return 1;
	}
	nu = scenario(&eu, ru);
	CHECK(nu == NINSN(expect_user), "user scenario produced %d results, expected %d", nu, NINSN(expect_user));
	if (kernel) {
		if (env_init(&ek, &ukt_kernel, 64, 0)) {
			printf("kernel backend setup failed\n");
			return 1;
		}
		nk = scenario(&ek, rk);
		for (int i = 0; getenv("UKT_DUMP") && i < nk; i++)
			printf("%lld,%s", (long long)rk[i], i + 1 == nk ? "\n" : " ");
		CHECK(nk == nu, "kernel gave %d results, user %d", nk, nu);
		for (int i = 0; i < nk && i < nu; i++)
			CHECK(rk[i] == ru[i], "scenario step %d: kernel %lld, user %lld", i, (long long)rk[i],
			      (long long)ru[i]);
		env_fini(&ek);
	} else {
		printf("note: no kernel arena for this process: comparing with the recorded kernel results only\n");
	}
	for (int i = 0; i < nu && i < NINSN(expect_user); i++)
		CHECK(ru[i] == expect_user[i], "scenario step %d: user %lld, recorded kernel result %lld", i,
		      (long long)ru[i], (long long)expect_user[i]);
	env_fini(&eu);

	for (uint32_t seed = 1; seed <= 6; seed++) {
		if (env_init(&eu, &ukt_user, 48, 0))
			return 1;
		nu = random_ops(&eu, seed, ru, 200);
		if (kernel) {
			if (env_init(&ek, &ukt_kernel, 48, 0))
				return 1;
			nk = random_ops(&ek, seed, rk, 200);
			for (int i = 0; i < nk && i < nu; i++)
				if (rk[i] != ru[i]) {
					CHECK(0, "random seed %u step %d: kernel %lld, user %lld", seed, i,
					      (long long)rk[i], (long long)ru[i]);
					break;
				}
			env_fini(&ek);
		}
		env_fini(&eu);
	}
	return ukt_finish("arena_pages");
}
