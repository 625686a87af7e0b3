/* The arena's program-side window keeps absent pages as read-only zero memory (docs/jit.md's proposal,
 * kernel/arena.c): a program's load from an absent page reads 0 without a fault, a store or an atomic
 * still faults (the JIT's exception table drops it; the interpreter tests the present bitmap first), and
 * nothing ever reads a hole of the memfd (a read fault on a shmem hole would allocate a page, so page
 * accounting would drift). Checked here directly on the window, without a program:
 *   - reads of absent pages inside and outside the arena's size give 0 and allocate nothing (memfd blocks);
 *   - a write to an absent page, and a read of either 32 KiB guard, die by SIGSEGV (in a child);
 *   - an allocated page is read-write and shared with the user mapping; freed, it reads 0 again, writes
 *     fault again, and the memfd holds no block; the user side still faults pages in as before.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"

static int ukt_failures;
#define CHECK(cond, ...) do {                                                        \
	if (!(cond)) {                                                               \
		ukt_failures++;                                                      \
		printf("FAIL %s:%d: ", __FILE__, __LINE__);                          \
		printf(__VA_ARGS__);                                                 \
		putchar('\n');                                                       \
	}                                                                            \
} while (0)

#define PG 4096ull
#define PAGES 64u
#define USER 0x320000000000ull

static long memfd_blocks(struct ukern_map *m)
{
	struct stat st;

	return fstat(m->memfd, &st) ? -1 : (long)st.st_blocks;
}

/* 0 when the child survived the access, else the signal that killed it. */
static int child_access(volatile uint64_t *p, bool write)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (!pid) {
		signal(SIGSEGV, SIG_DFL);
		if (write)
			*p = 1;
		else
			(void)*p;
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

int main(void)
{
	union bpf_attr attr;
	struct ukern_arena_view v;
	struct ukern_map *m;
	volatile uint64_t *k, *u;
	uint64_t sum = 0;
	long fd;

	alarm(60);
	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_ARENA;
	attr.max_entries = PAGES;
	attr.map_flags = BPF_F_MMAPABLE;
	attr.map_extra = USER;
	fd = ukern_bpf(BPF_MAP_CREATE, &attr, sizeof(attr));
	m = fd >= 0 ? ukern_map_from_fd((int)fd) : NULL;
	if (!m || ukern_arena_view(m, &v))
		return printf("FAIL cannot create a ukern arena (%ld)\n", fd), 1;
	u = ukern_mmap((void *)USER, PAGES * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, (int)fd, 0);
	CHECK(u != MAP_FAILED, "user mmap: %s", strerror(errno));
	k = (volatile uint64_t *)(uintptr_t)(v.kern_vm_start + (uint32_t)USER);

	/* absent pages, in the arena and past its end, read 0 and allocate nothing */
	for (uint32_t pg = 0; pg < 2 * PAGES; pg += 3)
		sum += k[pg * PG / 8] + k[pg * PG / 8 + 511];
	sum += *(volatile uint64_t *)(uintptr_t)(v.kern_vm_start + (1ull << 32) - 8);
	CHECK(sum == 0, "absent pages read %llu", (unsigned long long)sum);
	CHECK(memfd_blocks(m) == 0, "reading absent pages allocated %ld blocks", memfd_blocks(m));
	CHECK(ukern_arena_present_pages(m) == 0, "present pages %llu", (unsigned long long)ukern_arena_present_pages(m));

	CHECK(child_access(k + 512, true) == SIGSEGV, "a write to an absent page did not fault");
	CHECK(child_access((volatile uint64_t *)(uintptr_t)(v.kern_vm_start - 8), false) == SIGSEGV,
	      "the guard below the window is readable");
	CHECK(child_access((volatile uint64_t *)(uintptr_t)(v.kern_vm_start + (1ull << 32)), false) == SIGSEGV,
	      "the guard above the window is readable");

	/* allocate page 1: read-write on the program side, shared with the user side */
	CHECK(ukern_arena_alloc_pages(m, USER + PG, 1, -1, 0) == USER + PG, "alloc of page 1 failed");
	k[512] = 0x1122334455667788ull;
	CHECK(u[512] == 0x1122334455667788ull, "user side reads %llx", (unsigned long long)u[512]);
	CHECK(child_access(k + 512, true) == 0, "a write to an allocated page faulted");
	CHECK(memfd_blocks(m) > 0, "an allocated, written page holds no block");

	/* free it: zero again, writes fault again, the memfd block is gone */
	ukern_arena_free_pages(m, USER + PG, 1);
	CHECK(k[512] == 0, "a freed page reads %llx", (unsigned long long)k[512]);
	CHECK(child_access(k + 512, true) == SIGSEGV, "a write to a freed page did not fault");
	CHECK(memfd_blocks(m) == 0, "a freed page left %ld blocks", memfd_blocks(m));

	/* the user side is unchanged: a user access faults a zeroed page in, visible to the program */
	u[3 * 512 + 1] = 42;
	CHECK(k[3 * 512 + 1] == 42, "program side reads %llu after a user fault-in", (unsigned long long)k[3 * 512 + 1]);
	CHECK(ukern_arena_present_pages(m) == 1, "present pages %llu after fault-in",
	      (unsigned long long)ukern_arena_present_pages(m));
	CHECK(child_access(k + 3 * 512, true) == 0, "a faulted-in page is not writable from the program side");

	if (ukt_failures)
		return printf("arena_zeropage: %d failure(s)\n", ukt_failures), 1;
	printf("arena_zeropage: all passed\n");
	return 0;
}
