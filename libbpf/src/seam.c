/* The seam between libbpf and a kernel: every bpf(2) call of the process lands here.
 *
 * libbpf 1.1 is linked statically and the link uses --wrap=syscall, so its syscall(__NR_bpf, ...) calls
 * (and ours) come to __wrap_syscall. They go to the running kernel or, when the user backend is selected,
 * to the user-space kernel (kernel/ukern.h), which takes the same command ABI. One process uses one
 * backend at a time; it is chosen before the first object is opened.
 *
 * The seam also associates programs with the object's arena. The kernel refuses a program that uses
 * addr_space_cast without naming the arena map ("... can only be used in a program that has an associated
 * arena"), which happens when the program reaches the arena only through pointers kept elsewhere. Since
 * 6.14 BPF_PROG_LOAD takes fd_array_cnt: every map in fd_array[0..cnt) is bound to the program. libbpf 1.1
 * knows nothing of it, so the seam adds the arena there for programs that contain addr_space_cast.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bpf_arena_uapi.h"
#include "loader_internal.h"

#ifdef ARENA_HAVE_UKERN
#include "ukern.h"
#endif

long __real_syscall(long nr, ...);

static enum arena_backend backend = ARENA_BACKEND_KERNEL;
static int arena_fd = -1;

int seam_have_user_backend(void)
{
#ifdef ARENA_HAVE_UKERN
	return 1;
#else
	return 0;
#endif
}

int seam_set_backend(enum arena_backend b)
{
	if (b == ARENA_BACKEND_USER && !seam_have_user_backend())
		return -EOPNOTSUPP;
	if (b != ARENA_BACKEND_KERNEL && b != ARENA_BACKEND_USER)
		return -EINVAL;
	backend = b;
	return 0;
}

enum arena_backend seam_backend(void)
{
	return backend;
}

int seam_set_engine(const char *engine)
{
#ifdef ARENA_HAVE_UKERN
	return ukern_set_engine(engine);
#else
	return -EOPNOTSUPP;
#endif
}

int seam_jit_listing(int prog_fd, FILE *out)
{
#ifdef ARENA_HAVE_UKERN
	return ukern_prog_jit_listing(prog_fd, out);
#else
	return -EOPNOTSUPP;
#endif
}

const char *const *arena_user_engines(void)
{
#ifdef ARENA_HAVE_UKERN
	return ukern_engine_list();
#else
	return NULL;
#endif
}

void seam_set_arena_fd(int fd)
{
	arena_fd = fd;
}

static long raw_bpf(int cmd, void *attr, unsigned int size)
{
#ifdef ARENA_HAVE_UKERN
	if (backend == ARENA_BACKEND_USER) {
		long ret = ukern_bpf(cmd, attr, size);

		if (ret < 0) {
			errno = (int)-ret;
			return -1;
		}
		return ret;
	}
#endif
	return __real_syscall(__NR_bpf, cmd, attr, size);
}

static int insns_use_arena_cast(const struct bpf_insn *insns, uint32_t cnt)
{
	for (uint32_t i = 0; i < cnt; i++) {
		if (insns[i].code == (BPF_ALU64 | BPF_MOV | BPF_X) && insns[i].off == BPF_ADDR_SPACE_CAST)
			return 1;
	}
	return 0;
}

/* union bpf_attr's prog_load as of Linux 6.14: Debian's 6.1 UAPI header ends at core_relo_rec_size. */
#define PROG_LOAD_LOG_TRUE_SIZE_OFF (offsetof(union bpf_attr, core_relo_rec_size) + 4)
#define PROG_LOAD_FD_ARRAY_CNT_OFF (PROG_LOAD_LOG_TRUE_SIZE_OFF + 8)
#define PROG_LOAD_ATTR_SIZE (PROG_LOAD_FD_ARRAY_CNT_OFF + 4)

static long prog_load_with_arena(union bpf_attr *attr, unsigned int size)
{
	unsigned char big[PROG_LOAD_ATTR_SIZE > sizeof(union bpf_attr) ? PROG_LOAD_ATTR_SIZE : sizeof(union bpf_attr)];
	const struct bpf_insn *insns = (const struct bpf_insn *)(uintptr_t)attr->insns;
	int fds[1] = { arena_fd };
	uint32_t cnt = 1;
	long ret;

	if (arena_fd < 0 || attr->fd_array || size > sizeof(big) ||
	    !insns_use_arena_cast(insns, attr->insn_cnt))
		return raw_bpf(BPF_PROG_LOAD, attr, size);

	memset(big, 0, sizeof(big));
	memcpy(big, attr, size);
	((union bpf_attr *)big)->fd_array = (uint64_t)(uintptr_t)fds;
	memcpy(big + PROG_LOAD_FD_ARRAY_CNT_OFF, &cnt, sizeof(cnt));
	ret = raw_bpf(BPF_PROG_LOAD, big, PROG_LOAD_ATTR_SIZE);
	/* The kernel reports back into the attr (log_true_size); libbpf reads what fits its size. */
	memcpy(attr, big, size);
	attr->fd_array = 0;
	return ret;
}

/* A load whose only fault is a verifier log too long for its buffer fails with ENOSPC even though the
 * program is safe. The log already holds what fitted (since 6.4 the kernel keeps the tail: the verdict and
 * the summary), so load once more without a log and let the verdict decide. */
static long prog_load(union bpf_attr *attr, unsigned int size)
{
	long ret = prog_load_with_arena(attr, size);
	uint32_t level = attr->log_level, log_size = attr->log_size;
	uint64_t log_buf = attr->log_buf;

	if (ret >= 0 || errno != ENOSPC || !level || !log_buf)
		return ret;
	attr->log_level = 0;
	attr->log_buf = 0;
	attr->log_size = 0;
	ret = prog_load_with_arena(attr, size);
	attr->log_level = level;
	attr->log_buf = log_buf;
	attr->log_size = log_size;
	return ret;
}

long seam_bpf(int cmd, void *attr, unsigned int size)
{
	if (cmd == BPF_PROG_LOAD && attr)
		return prog_load(attr, size);
	return raw_bpf(cmd, attr, size);
}

void *seam_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
#ifdef ARENA_HAVE_UKERN
	if (ukern_owns_fd(fd))
		return ukern_mmap(addr, len, prot, flags, fd, off);
#endif
	return mmap(addr, len, prot, flags, fd, off);
}

long __wrap_syscall(long nr, ...)
{
	long a[6];
	va_list ap;

	va_start(ap, nr);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (nr == __NR_bpf)
		return seam_bpf((int)a[0], (void *)a[1], (unsigned int)a[2]);
	return __real_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}
