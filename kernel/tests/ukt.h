/* Shared helpers for ukern's C unit tests: raw instruction macros, and one "backend" interface over the
 * live kernel (syscall/mmap) and the user-space kernel (ukern_bpf/ukern_mmap), so each test runs the same
 * scenario on both and compares. The kernel half is skipped (and says so) when this process cannot create
 * an arena on the running kernel; the user half always runs.
 */
#ifndef UKT_H
#define UKT_H

#define _GNU_SOURCE
#include <errno.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/btf.h>

#include "bpf_arena_uapi.h"
#include "ukern.h"

#define I(code, d, s, o, i) ((struct bpf_insn){ (code), (d), (s), (o), (i) })
#define MOV64I(d, i) I(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOV64R(d, s) I(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define ALU64I(op, d, i) I(BPF_ALU64 | (op) | BPF_K, d, 0, 0, i)
#define ALU64R(op, d, s) I(BPF_ALU64 | (op) | BPF_X, d, s, 0, 0)
#define LDMAP(d, fd) I(BPF_LD | BPF_DW | BPF_IMM, d, BPF_PSEUDO_MAP_FD, 0, fd), I(0, 0, 0, 0, 0)
#define LD64(d, v) I(BPF_LD | BPF_DW | BPF_IMM, d, 0, 0, (int32_t)(uint32_t)(uint64_t)(v)), \
		   I(0, 0, 0, 0, (int32_t)(uint32_t)((uint64_t)(v) >> 32))
#define CASTK(d, s) I(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 1, 1)
#define CASTU(d, s) I(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 1, 1 << 16)
#define EXIT I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define ATOM(sz, d, s, o, op) I(BPF_STX | (sz) | BPF_ATOMIC, d, s, o, op)
#define LDX(sz, d, s, o) I(BPF_LDX | BPF_MEM | (sz), d, s, o, 0)
#define STX(sz, d, s, o) I(BPF_STX | BPF_MEM | (sz), d, s, o, 0)
#define STI(sz, d, o, v) I(BPF_ST | BPF_MEM | (sz), d, 0, o, v)
#define JMPI(op, d, i, o) I(BPF_JMP | (op) | BPF_K, d, 0, o, i)
#define JA(o) I(BPF_JMP | BPF_JA, 0, 0, o, 0)
#define CALL(id) I(BPF_JMP | BPF_CALL, 0, 0, 0, id)
#define KCALL(id) I(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, id)
#define PCALL(rel) I(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, rel)
#define NINSN(a) ((int)(sizeof(a) / sizeof((a)[0])))

struct ukt_backend {
	const char *name;
	long (*bpf)(int cmd, union bpf_attr *attr, unsigned int size);
	void *(*mmap)(void *addr, size_t len, int prot, int flags, int fd, off_t off);
	uint64_t arena_base; /* map_extra used for this backend's arenas (they coexist in one process) */
};

static long ukt_kernel_bpf(int cmd, union bpf_attr *attr, unsigned int size)
{
	long r = syscall(__NR_bpf, cmd, attr, size);

	return r < 0 ? -errno : r;
}

static void *ukt_kernel_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return mmap(addr, len, prot, flags, fd, off);
}

static struct ukt_backend ukt_kernel = { "kernel", ukt_kernel_bpf, ukt_kernel_mmap, 0x100000000ull };
static struct ukt_backend ukt_user = { "user", ukern_bpf, ukern_mmap, 0x300000000ull };

static int ukt_failures;

/* Selects a user-backend engine for what follows and names the backend after it ("user:interp"). */
static inline int ukt_use_engine(const char *engine)
{
	static char name[32];
	int err = ukern_set_engine(engine);

	snprintf(name, sizeof(name), "user:%s", engine);
	ukt_user.name = name;
	return err;
}

#define CHECK(cond, ...) do {                                                        \
	if (!(cond)) {                                                               \
		ukt_failures++;                                                      \
		fprintf(stdout, "FAIL %s:%d: ", __FILE__, __LINE__);                 \
		fprintf(stdout, __VA_ARGS__);                                        \
		fputc('\n', stdout);                                                 \
	}                                                                            \
} while (0)

static char ukt_log[1 << 16];

static int ukt_arena_create(struct ukt_backend *b, uint32_t pages, uint64_t extra, uint32_t flags)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARENA;
	a.max_entries = pages;
	a.map_flags = BPF_F_MMAPABLE | flags;
	a.map_extra = extra;
	return (int)b->bpf(BPF_MAP_CREATE, &a, sizeof(a));
}

static inline int ukt_map_create(struct ukt_backend *b, uint32_t type, uint32_t ks, uint32_t vs, uint32_t n, uint32_t flags)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_type = type;
	a.key_size = ks;
	a.value_size = vs;
	a.max_entries = n;
	a.map_flags = flags;
	return (int)b->bpf(BPF_MAP_CREATE, &a, sizeof(a));
}

static int ukt_load(struct ukt_backend *b, const struct bpf_insn *insns, int n, uint32_t type)
{
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.prog_type = type;
	a.insns = (uintptr_t)insns;
	a.insn_cnt = n;
	a.license = (uintptr_t)"GPL";
	a.log_buf = (uintptr_t)ukt_log;
	a.log_size = sizeof(ukt_log);
	a.log_level = 1;
	if (type == BPF_PROG_TYPE_SYSCALL)
		a.prog_flags = BPF_F_SLEEPABLE;
	ukt_log[0] = 0;
	fd = (int)b->bpf(BPF_PROG_LOAD, &a, sizeof(a));
	if (fd == -ENOSPC) { /* the log did not fit: the program itself may be fine */
		a.log_buf = 0;
		a.log_size = 0;
		a.log_level = 0;
		fd = (int)b->bpf(BPF_PROG_LOAD, &a, sizeof(a));
	}
	if (fd < 0)
		printf("[%s] load failed: %s\n%s\n", b->name, strerror(-fd), ukt_log);
	return fd;
}

/* Runs a syscall program with ctx (in/out); returns the run's error, *ret gets retval. */
static int ukt_run(struct ukt_backend *b, int fd, void *ctx, uint32_t ctx_size, uint32_t *ret)
{
	union bpf_attr a;
	int err;

	memset(&a, 0, sizeof(a));
	a.test.prog_fd = fd;
	a.test.ctx_in = (uintptr_t)ctx;
	a.test.ctx_size_in = ctx_size;
	err = (int)b->bpf(BPF_PROG_TEST_RUN, &a, sizeof(a));
	if (ret)
		*ret = a.test.retval;
	return err;
}

/* Type id of a kernel function in the running kernel's BTF (what libbpf puts in a kfunc call's imm). */
static inline int32_t ukt_kfunc_id(const char *name)
{
	static struct btf *vmlinux;
	int id;

	if (!vmlinux)
		vmlinux = btf__load_vmlinux_btf();
	if (!vmlinux)
		return -1;
	id = btf__find_by_name_kind(vmlinux, name, BTF_KIND_FUNC);
	return id;
}

/* True when the running kernel gives this process arenas (root, 6.9+). */
static inline bool ukt_kernel_has_arena(void)
{
	int fd = ukt_arena_create(&ukt_kernel, 1, 0, 0);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* A test that hangs fails instead: SIGALRM's default action ends the process. */
static inline void ukt_deadline(unsigned int seconds)
{
	alarm(seconds);
}

static int ukt_finish(const char *name)
{
	if (ukt_failures) {
		printf("%s: %d failure(s)\n", name, ukt_failures);
		return 1;
	}
	printf("%s: all passed\n", name);
	return 0;
}

#endif /* UKT_H */
