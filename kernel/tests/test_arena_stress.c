/* Concurrency stress: program threads allocate, fill, check and free arena pages (1 or 2 at a time) while
 * user threads fault pages in through the user mapping. Pages [128, 256) are reserved up front, so programs
 * allocate only below 128 and user faults land only above (a user fault on a reserved page maps it, as on
 * the kernel). At the end the accounting must be exact: every page a user thread touched is present, no
 * other page is, and the allocator hands out exactly the 128 low pages again. A page given to two program
 * runs at once shows up as a pattern mismatch. Runs on the user backend, and on the kernel when available
 * (there only the allocator count can be observed).
 */
#include <pthread.h>

#include "internal.h"
#include "ukt.h"

#define PAGES 256
#define LOW 128
#define PROG_THREADS 3
#define USER_THREADS 2
#define RUNS 5000
#define TOUCHES 60

struct ctx {
	uint64_t tag, cnt, bad;
};

struct shared {
	struct ukt_backend *b;
	int arena, p_cycle;
	char *user;
	int failures;
	unsigned char touched[PAGES];
};

static int load_cycle(struct shared *s)
{
	int32_t id_alloc = ukt_kfunc_id("bpf_arena_alloc_pages"), id_free = ukt_kfunc_id("bpf_arena_free_pages");
	/* r6 = ctx; r7 = alloc(NULL, cnt); store tag at both ends; read both back; free; ret 0/2/3 */
	struct bpf_insn p[] = {
		MOV64R(6, 1),
		LDMAP(1, s->arena), MOV64I(2, 0), LDX(BPF_DW, 3, 6, 8), MOV64I(4, -1), MOV64I(5, 0), KCALL(id_alloc),
		JMPI(BPF_JNE, 0, 0, 2), MOV64I(0, 2), EXIT,
		MOV64R(7, 0), CASTK(8, 0), LDX(BPF_DW, 2, 6, 0),
		LDX(BPF_DW, 3, 8, 0), STX(BPF_DW, 6, 3, 16),          /* a fresh page reads 0: report otherwise */
		STX(BPF_DW, 8, 2, 0), STX(BPF_DW, 8, 2, 4096 - 8),
		LDX(BPF_DW, 3, 8, 0), LDX(BPF_DW, 4, 8, 4096 - 8), LDX(BPF_DW, 5, 6, 8),
		MOV64I(9, 0),
		I(BPF_JMP | BPF_JNE | BPF_X, 3, 2, 2, 0), I(BPF_JMP | BPF_JNE | BPF_X, 4, 2, 1, 0), JA(1), MOV64I(9, 3),
		LDMAP(1, s->arena), MOV64R(2, 7), LDX(BPF_DW, 3, 6, 8), KCALL(id_free),
		MOV64R(0, 9), EXIT,
	};

	s->p_cycle = ukt_load(s->b, p, NINSN(p), BPF_PROG_TYPE_SYSCALL);
	return s->p_cycle < 0 ? -1 : 0;
}

struct targ {
	struct shared *s;
	int id;
};

static void *prog_thread(void *v)
{
	struct targ *t = v;
	struct shared *s = t->s;

	for (int i = 0; i < RUNS; i++) {
		struct ctx c = { ((uint64_t)t->id << 32) | (uint32_t)i, 1 + (i & 1), 0 };
		uint32_t ret = 0;
		int err = ukt_run(s->b, s->p_cycle, &c, sizeof(c), &ret);

		if (err || ret || c.bad) {
			__atomic_add_fetch(&s->failures, 1, __ATOMIC_RELAXED);
			printf("[%s] program thread %d run %d: err %d ret %u stale %#llx\n", s->b->name, t->id, i, err,
			       ret, (unsigned long long)c.bad);
			break;
		}
	}
	return NULL;
}

static void *user_thread(void *v)
{
	struct targ *t = v;
	struct shared *s = t->s;
	uint32_t r = 12345u * (t->id + 1);

	for (int i = 0; i < TOUCHES; i++) {
		uint32_t pg;
		volatile uint64_t *q;

		r = r * 1103515245u + 12345u;
		pg = LOW + (r >> 16) % (PAGES - LOW);
		q = (volatile uint64_t *)(s->user + (uint64_t)pg * 4096 + 8 * t->id);
		if (*q != 0 && *q != ((uint64_t)t->id << 40 | pg)) {
			__atomic_add_fetch(&s->failures, 1, __ATOMIC_RELAXED);
			printf("[%s] user thread %d: page %u holds %#llx\n", s->b->name, t->id, pg, (unsigned long long)*q);
			break;
		}
		*q = (uint64_t)t->id << 40 | pg;
		__atomic_store_n(&s->touched[pg], 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

/* Single-page allocations until NULL, one program run each. */
static int64_t alloc_all(struct shared *s)
{
	int32_t id_alloc = ukt_kfunc_id("bpf_arena_alloc_pages");
	struct bpf_insn p[] = {
		LDMAP(1, s->arena), MOV64I(2, 0), MOV64I(3, 1), MOV64I(4, -1), MOV64I(5, 0), KCALL(id_alloc),
		JMPI(BPF_JEQ, 0, 0, 2), MOV64I(0, 1), EXIT, MOV64I(0, 0), EXIT,
	};
	int fd = ukt_load(s->b, p, NINSN(p), BPF_PROG_TYPE_SYSCALL);
	uint32_t ret = 1;
	int64_t n = 0;

	if (fd < 0)
		return -1;
	while (n <= PAGES && !ukt_run(s->b, fd, NULL, 0, &ret) && ret)
		n++;
	close(fd);
	return n;
}

static void stress(struct ukt_backend *b)
{
	int32_t id_res = ukt_kfunc_id("bpf_arena_reserve_pages");
	struct shared s = { .b = b };
	pthread_t th[PROG_THREADS + USER_THREADS];
	struct targ ta[PROG_THREADS + USER_THREADS];
	int touched = 0;

	s.arena = ukt_arena_create(b, PAGES, b->arena_base, 0);
	s.user = b->mmap((void *)(uintptr_t)b->arena_base, PAGES * 4096ull, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED, s.arena, 0);
	if (s.arena < 0 || s.user == MAP_FAILED || load_cycle(&s)) {
		CHECK(0, "[%s] setup failed", b->name);
		return;
	}
	{
		struct bpf_insn p[] = { LDMAP(1, s.arena), LD64(2, b->arena_base + LOW * 4096ull),
					MOV64I(3, PAGES - LOW), KCALL(id_res), EXIT };
		int fd = ukt_load(b, p, NINSN(p), BPF_PROG_TYPE_SYSCALL);
		uint32_t ret = 1;

		ukt_run(b, fd, NULL, 0, &ret);
		close(fd);
		CHECK(ret == 0, "[%s] reserving the upper half: %u", b->name, ret);
	}
	for (int i = 0; i < PROG_THREADS + USER_THREADS; i++) {
		ta[i] = (struct targ){ &s, i };
		pthread_create(&th[i], NULL, i < PROG_THREADS ? prog_thread : user_thread, &ta[i]);
	}
	for (int i = 0; i < PROG_THREADS + USER_THREADS; i++)
		pthread_join(th[i], NULL);
	CHECK(!s.failures, "[%s] %d thread(s) saw a wrong page", b->name, s.failures);
	for (int i = 0; i < PAGES; i++)
		touched += s.touched[i];
	if (b == &ukt_user) {
		struct ukern_map *m = ukern_map_from_fd(s.arena);
		struct ukern_arena_view v;
		uint64_t present = ukern_arena_present_pages(m);
		int wrong = 0;

		ukern_arena_view(m, &v);
		for (int i = 0; i < PAGES; i++)
			wrong += ukern_arena_page_present(m, (uint32_t)(v.user_vm_start + i * 4096ull)) != s.touched[i];
		CHECK(present == (uint64_t)touched, "[user] %llu pages present, %d touched by user threads",
		      (unsigned long long)present, touched);
		CHECK(!wrong, "[user] %d pages present/absent against the user threads' record", wrong);
	}
	{
		int64_t got = alloc_all(&s);

		CHECK(got == LOW, "[%s] %lld pages allocatable after the run, expected %d", b->name, (long long)got, LOW);
	}
	printf("[%s] %d program runs, %d user touches on %d pages: checked\n", b->name, PROG_THREADS * RUNS,
	       USER_THREADS * TOUCHES, touched);
	munmap(s.user, PAGES * 4096ull);
	close(s.p_cycle);
	close(s.arena);
}

int main(void)
{
	ukt_use_engine("interp"); /* the arena semantics of the interpreter; jit/ tests its own */
	ukt_deadline(300);
	setvbuf(stdout, NULL, _IOLBF, 0);
	stress(&ukt_user);
	if (ukt_kernel_has_arena())
		stress(&ukt_kernel);
	else
		printf("note: no kernel arena for this process: user backend only\n");
	return ukt_finish("arena_stress");
}
