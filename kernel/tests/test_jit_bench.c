/* Benchmark of the JIT (bench/jit/run.sh runs it): the same BPF instructions on the kernel's JIT (real arena
 * map, BPF_PROG_TEST_RUN with repeat), on our JIT and on our interpreter (a ukern arena), in one process and
 * one run, printing time per run and the ratios. It does not need the loader: the programs are built as
 * instructions here, the arena contents written from user space, so the three engines run identical code
 * over identical data (results are checked equal before any time is printed).
 *
 *   htab_lookup  the anchor: 256 lookups in an open-addressing (linear probing) hash table of 4096
 *                keys in 8192 16-byte slots, in the arena.
 *   absent_read  64 loads from arena pages nobody allocated (each reads 0): the absent-page path. Our JIT
 *                is measured twice: on the core's arena (absent pages are a read-only zero page on the
 *                program side: loads need no fault, stores still fault and are dropped by the exception
 *                table) and on a hand-built arena laid out the same way.
 *
 * Usage: unit-jit_bench [repeat] (default 20000). With --check, only the result agreement is tested (quick,
 * for lit). Without a kernel arena (no privilege, old kernel) the kernel column is skipped and said so.
 */
#include <capstone/capstone.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "jit_testlib.h"

#define NSLOTS 8192u
#define NKEYS 4096u
#define NLOOKUPS 256u
#define NABSENT 64u
#define ARENA_PAGES 256u            /* table: 32 pages; absent reads start at page 128 */
#define TABLE_PAGES (NSLOTS * 16 / 4096)
#define ABSENT_PAGE 128u
#define BATCHES 9                   /* see time_jit() */
#define KUSER 0x100000000000ull     /* kernel arena's user address (16 TiB, low 32 bits 0) */
#define UUSER 0x110000000000ull     /* ukern arena's user address */

static uint64_t key_of(uint32_t i)
{
	return (uint64_t)i * 2654435761u + 1;
}

static uint64_t hash64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	return k;
}

static void table_fill(uint64_t *t)
{
	memset(t, 0, NSLOTS * 16);
	for (uint32_t i = 0; i < NKEYS; i++) {
		uint64_t k = key_of(i);
		uint32_t h = hash64(k) & (NSLOTS - 1);

		while (t[2 * h])
			h = (h + 1) & (NSLOTS - 1);
		t[2 * h] = k;
		t[2 * h + 1] = i;
	}
}

static uint64_t expected_htab(void)
{
	uint64_t sum = 0;

	for (uint32_t i = 0; i < NLOOKUPS; i++)
		sum += (i * 13) % NKEYS;
	return sum & 0x7fffffff;
}

/* ld_imm64 of the arena map: the kernel takes the fd, ukern the struct ukern_map * (aux marks it). */
static void ld_map(struct tprog *t, int dst, int kfd, struct ukern_map *umap)
{
	uint32_t i = t->n;

	if (umap) {
		tp_ld64(t, dst, (uint64_t)(uintptr_t)umap);
		t->aux[i].flags |= UKERN_AUX_LDIMM_MAP;
		t->aux[i].map = umap;
	} else {
		tp(t, INSN(BPF_LD | BPF_IMM | BPF_DW, dst, BPF_PSEUDO_MAP_FD, 0, kfd));
		tp(t, INSN(0, 0, 0, 0, 0));
	}
}

static void build_htab(struct tprog *t, uint64_t user, int kfd, struct ukern_map *umap)
{
	uint32_t outer, inner, j_done, j_out_mg, j_found, j_empty, j_next_mg;

	t->n = 0;
	ld_map(t, BPF_REG_1, kfd, umap); /* names the arena: the program is associated with it */
	tp_ld64(t, BPF_REG_6, user);
	tp(t, CAST_KERN(BPF_REG_6, BPF_REG_6));
	tp(t, MOV64_IMM(BPF_REG_7, 0));
	tp(t, MOV64_IMM(BPF_REG_8, 0));
	tp_ld64(t, BPF_REG_9, 0xff51afd7ed558ccdull);
	outer = t->n;
	j_out_mg = tp(t, MAY_GOTO(0));
	j_done = tp(t, JMP_IMM(BPF_JGE, BPF_REG_7, NLOOKUPS, 0));
	/* k = ((i * 13) & 4095) * 2654435761 + 1 */
	tp(t, MOV64_REG(BPF_REG_1, BPF_REG_7));
	tp(t, ALU64_IMM(BPF_MUL, BPF_REG_1, 13));
	tp(t, ALU64_IMM(BPF_AND, BPF_REG_1, NKEYS - 1));
	tp_ld64(t, BPF_REG_2, 2654435761u);
	tp(t, ALU64_REG(BPF_MUL, BPF_REG_1, BPF_REG_2));
	tp(t, ALU64_IMM(BPF_ADD, BPF_REG_1, 1));
	/* h = hash64(k) & (NSLOTS - 1) */
	tp(t, MOV64_REG(BPF_REG_2, BPF_REG_1));
	tp(t, MOV64_REG(BPF_REG_3, BPF_REG_2));
	tp(t, ALU64_IMM(BPF_RSH, BPF_REG_3, 33));
	tp(t, ALU64_REG(BPF_XOR, BPF_REG_2, BPF_REG_3));
	tp(t, ALU64_REG(BPF_MUL, BPF_REG_2, BPF_REG_9));
	tp(t, MOV64_REG(BPF_REG_3, BPF_REG_2));
	tp(t, ALU64_IMM(BPF_RSH, BPF_REG_3, 33));
	tp(t, ALU64_REG(BPF_XOR, BPF_REG_2, BPF_REG_3));
	tp(t, ALU32_IMM(BPF_AND, BPF_REG_2, NSLOTS - 1));
	inner = t->n;
	j_next_mg = tp(t, MAY_GOTO(0));
	tp(t, MOV64_REG(BPF_REG_4, BPF_REG_2));
	tp(t, ALU64_IMM(BPF_LSH, BPF_REG_4, 4));
	tp(t, MOV64_REG(BPF_REG_3, BPF_REG_6));
	tp(t, ALU32_REG(BPF_ADD, BPF_REG_3, BPF_REG_4)); /* arena pointer arithmetic in 32 bits */
	tp_arena(t, LDX(BPF_DW, BPF_REG_5, BPF_REG_3, 0));
	j_found = tp(t, JMP_REG(BPF_JEQ, BPF_REG_5, BPF_REG_1, 0));
	j_empty = tp(t, JMP_IMM(BPF_JEQ, BPF_REG_5, 0, 0));
	tp(t, ALU32_IMM(BPF_ADD, BPF_REG_2, 1));
	tp(t, ALU32_IMM(BPF_AND, BPF_REG_2, NSLOTS - 1));
	tp(t, JA((int16_t)(inner - (t->n + 1))));
	t->insns[j_found].off = (int16_t)(t->n - (j_found + 1));
	tp_arena(t, LDX(BPF_DW, BPF_REG_5, BPF_REG_3, 8));
	tp(t, ALU64_REG(BPF_ADD, BPF_REG_8, BPF_REG_5));
	t->insns[j_empty].off = (int16_t)(t->n - (j_empty + 1));
	t->insns[j_next_mg].off = (int16_t)(t->n - (j_next_mg + 1));
	tp(t, ALU64_IMM(BPF_ADD, BPF_REG_7, 1));
	tp(t, JA((int16_t)(outer - (t->n + 1))));
	t->insns[j_done].off = (int16_t)(t->n - (j_done + 1));
	t->insns[j_out_mg].off = (int16_t)(t->n - (j_out_mg + 1));
	tp(t, MOV64_REG(BPF_REG_0, BPF_REG_8));
	tp(t, ALU64_IMM(BPF_AND, BPF_REG_0, 0x7fffffff));
	tp(t, EXIT());
}

static void build_absent(struct tprog *t, uint64_t user, uint32_t page, int kfd, struct ukern_map *umap)
{
	t->n = 0;
	ld_map(t, BPF_REG_1, kfd, umap);
	tp_ld64(t, BPF_REG_6, user + page * 4096ull);
	tp(t, CAST_KERN(BPF_REG_6, BPF_REG_6));
	tp(t, MOV64_IMM(BPF_REG_0, 0));
	for (uint32_t i = 0; i < NABSENT; i++) {
		/* 16 distinct absent pages, 4 loads each (offsets fit the s16 field via pointer steps) */
		if (i % 4 == 0 && i)
			tp(t, ALU32_IMM(BPF_ADD, BPF_REG_6, 4096));
		tp_arena(t, LDX(BPF_DW, BPF_REG_2, BPF_REG_6, (int16_t)(8 * (i % 4))));
		tp(t, ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_2));
	}
	tp(t, EXIT());
}

/* ---- kernel side --------------------------------------------------------------------------------- */

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static int kernel_arena(void)
{
	union bpf_attr a;
	long fd;

	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARENA;
	a.max_entries = ARENA_PAGES;
	a.map_flags = BPF_F_MMAPABLE;
	a.map_extra = KUSER;
	fd = sys_bpf(BPF_MAP_CREATE, &a);
	if (fd < 0)
		return -errno;
	if (mmap((void *)KUSER, ARENA_PAGES * 4096ull, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, (int)fd, 0) ==
	    MAP_FAILED)
		return -errno;
	return (int)fd;
}

static char klog[1 << 20];

static int kernel_load(struct tprog *t, const char *name)
{
	union bpf_attr a;
	long fd;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_XDP;
	a.insns = (uint64_t)(uintptr_t)t->insns;
	a.insn_cnt = t->n;
	a.license = (uint64_t)(uintptr_t)"GPL";
	a.log_buf = (uint64_t)(uintptr_t)klog;
	a.log_size = sizeof(klog);
	a.log_level = 1;
	snprintf(a.prog_name, sizeof(a.prog_name), "%s", name);
	fd = sys_bpf(BPF_PROG_LOAD, &a);
	if (fd < 0) {
		int e = errno;
		size_t n = strlen(klog);

		fprintf(stderr, "kernel refused %s (%d): %s\n", name, -e, n > 2000 ? klog + n - 2000 : klog);
		return -e;
	}
	return (int)fd;
}

/* Prints the kernel's JITed image of prog fd (bpf_prog_info.jited_prog_insns), for comparison. */
static void kernel_show(int fd)
{
	static uint8_t img[1 << 16];
	struct bpf_prog_info info;
	union bpf_attr a;
	csh cs;
	cs_insn *in;
	size_t n;

	memset(&info, 0, sizeof(info));
	info.jited_prog_len = sizeof(img);
	info.jited_prog_insns = (uint64_t)(uintptr_t)img;
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = fd;
	a.info.info_len = sizeof(info);
	a.info.info = (uint64_t)(uintptr_t)&info;
	if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a) || cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK)
		return;
	n = cs_disasm(cs, img, info.jited_prog_len, 0, 0, &in);
	printf("kernel JIT image: %u bytes\n", info.jited_prog_len);
	for (size_t i = 0; i < n; i++)
		printf("  %4llx:  %-7s %s\n", (unsigned long long)in[i].address, in[i].mnemonic, in[i].op_str);
	cs_free(in, n);
	cs_close(&cs);
}

/* Mean ns per run over repeat runs, r0 in *ret. */
static int kernel_run(int fd, uint32_t repeat, uint64_t *ret, double *ns)
{
	unsigned char pkt[64] = { 0 };
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.test.prog_fd = fd;
	a.test.data_in = (uint64_t)(uintptr_t)pkt;
	a.test.data_size_in = sizeof(pkt);
	*ns = 1e30;
	for (int b = 0; b < BATCHES; b++) {
		a.test.repeat = repeat / BATCHES ? repeat / BATCHES : 1;
		a.test.duration = 0;
		if (sys_bpf(BPF_PROG_TEST_RUN, &a))
			return -errno;
		*ret = a.test.retval;
		*ns = a.test.duration < *ns ? a.test.duration : *ns;
	}
	return 0;
}

/* ---- our side ------------------------------------------------------------------------------------ */

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* The machine is shared (2 cores, other builds): every engine is timed in BATCHES batches of repeat/BATCHES
 * runs and the fastest batch's mean is reported, the same rule for the kernel's test runs. */

static double time_jit(struct ukern_prog *p, uint32_t repeat, uint64_t *ret)
{
	uint32_t n = repeat / BATCHES ? repeat / BATCHES : 1;
	double best = 1e30;

	for (int b = 0; b < BATCHES; b++) {
		double t0 = now_ns(), t;

		for (uint32_t i = 0; i < n; i++)
			*ret = p->jit_entry(NULL);
		t = (now_ns() - t0) / n;
		best = t < best ? t : best;
	}
	return best;
}

static double time_interp(struct ukern_prog *p, uint32_t repeat, uint64_t *ret)
{
	uint32_t n = repeat / BATCHES ? repeat / BATCHES : 1;
	double best = 1e30;

	for (int b = 0; b < BATCHES; b++) {
		double t0 = now_ns(), t;

		for (uint32_t i = 0; i < n; i++)
			*ret = ukern_interp_run(p, NULL);
		t = (now_ns() - t0) / n;
		best = t < best ? t : best;
	}
	return best;
}

static struct tprog tk, tu;

int main(int argc, char **argv)
{
	bool check_only = argc > 1 && !strcmp(argv[1], "--check");
	uint32_t repeat = check_only ? 3 : argc > 1 ? strtoul(argv[1], NULL, 0) : 20000;
	uint64_t want = expected_htab(), r_k = 0, r_j = 0, r_i = 0;
	double ns_k = 0, ns_j, ns_i;
	union bpf_attr attr;
	struct ukern_map *umap;
	struct ukern_arena_view view;
	int kfd, kprog = -1, err, bad = 0;
	long ufd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* ukern arena, table filled from user space (program side address) */
	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_ARENA;
	attr.max_entries = ARENA_PAGES;
	attr.map_flags = BPF_F_MMAPABLE;
	attr.map_extra = UUSER;
	ufd = ukern_bpf(BPF_MAP_CREATE, &attr, sizeof(attr));
	umap = ufd >= 0 ? ukern_map_from_fd((int)ufd) : NULL;
	if (!umap || ukern_arena_view(umap, &view) ||
	    ukern_arena_alloc_pages(umap, UUSER, TABLE_PAGES, -1, 0) != UUSER) {
		printf("FAIL cannot set up a ukern arena (%ld)\n", ufd);
		return 1;
	}
	table_fill((uint64_t *)(uintptr_t)view.kern_vm_start);

	kfd = kernel_arena();
	if (kfd >= 0) {
		table_fill((uint64_t *)(uintptr_t)KUSER);
		build_htab(&tk, KUSER, kfd, NULL);
		kprog = kernel_load(&tk, "htab_lookup");
	}
	if (kprog >= 0 && getenv("JIT_BENCH_SHOW"))
		kernel_show(kprog);
	if (kprog < 0)
		printf("note: no kernel arena here (%d): the kernel column is skipped\n", kfd < 0 ? kfd : kprog);

	build_htab(&tu, UUSER, -1, umap);
	struct ukern_prog *p = tp_prog(&tu, "htab_lookup");

	p->arena = umap;
	p->verified = true;
	err = ukern_jit_compile(p);
	if (err) {
		printf("FAIL jit compile: %d\n", err);
		return 1;
	}
	if (getenv("JIT_BENCH_SHOW"))
		ukern_jit_disasm(p, stdout);
	struct ukern_jit_stats st = { .sz = sizeof(st) };

	ukern_jit_stats(p, &st);
	ns_j = time_jit(p, repeat, &r_j);
	if (getenv("JIT_BENCH_TWICE"))
		printf("first %.0f, again %.0f, again %.0f\n", ns_j, time_jit(p, repeat, &r_j), time_jit(p, repeat, &r_j));
	ns_i = time_interp(p, repeat / 10 ? repeat / 10 : 1, &r_i);
	if (kprog >= 0 && kernel_run(kprog, repeat, &r_k, &ns_k))
		printf("FAIL kernel test run: %s\n", strerror(errno));
	bad |= r_j != want || r_i != want || (kprog >= 0 && r_k != want);
	printf("htab_lookup results: expected %llu, jit %llu, interp %llu, kernel %s%llu\n",
	       (unsigned long long)want, (unsigned long long)r_j, (unsigned long long)r_i, kprog >= 0 ? "" : "(skipped) ",
	       (unsigned long long)r_k);
	if (!check_only) {
		printf("htab_lookup (%u lookups among %u keys, %u BPF insns, %u x86 bytes, %u arena accesses): ns/run "
		       "kernel-jit %.0f, ukern-jit %.0f, ukern-interp %.0f\n", NLOOKUPS, NKEYS, tu.n, st.image_len,
		       st.arena_insns, ns_k, ns_j, ns_i);
		if (kprog >= 0)
			printf("ratio ukern-jit/kernel-jit %.2f\n", ns_j / ns_k);
		printf("ratio ukern-interp/ukern-jit %.1f\n", ns_i / ns_j);
	}
	ukern_jit_free(p);

	/* absent pages */
	build_absent(&tu, UUSER, ABSENT_PAGE, -1, umap);
	p = tp_prog(&tu, "absent_read");
	p->arena = umap;
	p->verified = true;
	err = ukern_jit_compile(p);
	if (err) {
		printf("FAIL jit compile: %d\n", err);
		return 1;
	}
	uint32_t rep_abs = repeat / 20 ? repeat / 20 : 1;
	double ns_fault = time_jit(p, rep_abs, &r_j);

	bad |= r_j != 0;
	ukern_jit_free(p);

	struct fake_arena fa;
	double ns_zero = 0;

	if (!fa_init(&fa, UUSER)) {
		fa_layout(&fa, 0, FA_ABSENT_ZERO);
		build_absent(&tu, 0, 32, -1, NULL); /* inside the fake arena's first 64 pages */
		p = tp_prog(&tu, "absent_read_zero_page");
		err = ukern_jit_compile_view(p, &fa.view);
		if (!err) {
			ns_zero = time_jit(p, repeat, &r_i);
			bad |= r_i != 0;
			ukern_jit_free(p);
		}
	}
	int kabs = -1;

	if (kfd >= 0) {
		build_absent(&tk, KUSER, ABSENT_PAGE, kfd, NULL);
		kabs = kernel_load(&tk, "absent_read");
		if (kabs >= 0 && !kernel_run(kabs, rep_abs, &r_k, &ns_k))
			bad |= r_k != 0;
	}
	printf("absent_read results: jit %llu, kernel %llu\n", (unsigned long long)r_j, (unsigned long long)r_k);
	if (!check_only) {
		/* The real arena maps absent pages to a read-only zero page on the program side (arena.c); the
		 * fake arena's row keeps the scheme measurable on its own. */
		printf("absent_read (%u loads from absent pages): ns per load kernel-jit %.1f, ukern-jit (ukern arena) "
		       "%.2f, ukern-jit (fake arena, zero page) %.2f\n", NABSENT, kabs >= 0 ? ns_k / NABSENT : 0,
		       ns_fault / NABSENT, ns_zero / NABSENT);
		if (kabs >= 0)
			printf("ratio absent load ukern-jit/kernel-jit: ukern arena %.5f, fake arena %.5f\n",
			       ns_fault / ns_k, ns_zero / ns_k);
	}
	printf("%s\n", bad ? "FAIL results differ" : "bench: results agree");
	return bad;
}
