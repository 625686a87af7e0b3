/* User-space access to arena pages, through the loader's API, on whichever backend the arguments name.
 *
 *   unit-loader_fault OBJ fault-in [--backend kernel|user [--engine E]]
 *     OBJ: test/loader/Inputs/user-fault.c. A page no program allocated reads as zero from user space and
 *     is faulted in; what user space writes there, the program reads (one page, two views).
 *   unit-loader_fault OBJ segv [--backend ...]
 *     OBJ: test/loader/Inputs/segv-on-fault.c (BPF_F_SEGV_ON_FAULT). A page the program allocated is usable
 *     from user space; touching one it did not kills a child process with SIGSEGV.
 * Prints one line per check and exits non-zero on the first failure.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arena_loader.h"

static struct arena_obj *load(const char *path, int argc, char **argv)
{
	struct arena_open_opts opts = { .sz = sizeof(opts) };
	struct arena_obj *obj;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--backend") && i + 1 < argc)
			opts.backend = !strcmp(argv[++i], "user") ? ARENA_BACKEND_USER : ARENA_BACKEND_KERNEL;
		else if (!strcmp(argv[i], "--engine") && i + 1 < argc)
			opts.engine = argv[++i];
	}
	obj = arena_obj__open(path, &opts);
	if (!obj || arena_obj__load(obj)) {
		fprintf(stderr, "FAIL: cannot load %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return obj;
}

static int run(struct arena_obj *obj, const char *name)
{
	struct bpf_program *p = bpf_object__find_program_by_name(arena_obj__bpf(obj), name);
	struct arena_run_result res;

	if (!p || arena_prog__run(obj, p, NULL, &res)) {
		fprintf(stderr, "FAIL: running %s\n", name);
		exit(1);
	}
	return res.retval;
}

#define CHECK(cond, ...)                                                                            \
	do {                                                                                        \
		if (!(cond)) {                                                                      \
			printf("FAIL: " __VA_ARGS__);                                               \
			printf("\n");                                                               \
			exit(1);                                                                    \
		}                                                                                   \
		printf("ok: " __VA_ARGS__);                                                         \
		printf("\n");                                                                       \
	} while (0)

static void fault_in(struct arena_obj *obj)
{
	char *base = arena_obj__arena_base(obj);
	volatile int *page5 = (volatile int *)(base + 5 * 4096 + 8);
	uint64_t *target = arena_obj__global(obj, "target");

	CHECK(base && arena_obj__arena_size(obj) == 8 * 4096, "arena of 8 pages mapped at %s", base ? "an address" : "NULL");
	CHECK(target != NULL, "arena global 'target' found through BTF");
	CHECK(run(obj, "read_target") == -1, "the program sees no target yet");
	CHECK(*page5 == 0, "a never-allocated page reads as zero from user space");
	*page5 = 4242;
	*target = arena_obj__value(obj, (const void *)page5);
	CHECK(run(obj, "read_target") == 4242, "the program reads what user space wrote in the faulted-in page");
	CHECK(run(obj, "write_target") == 0 && *page5 == 777, "user space sees the program's store");
}

static void segv(struct arena_obj *obj)
{
	char *base = arena_obj__arena_base(obj);
	int status, value = run(obj, "alloc_one");
	uint64_t *where;
	size_t sz;
	pid_t pid;
	char *page;

	CHECK(value == 0, "the program allocated a page");
	{
		struct bpf_map *m;

		where = NULL;
		bpf_object__for_each_map(m, arena_obj__bpf(obj))
			if (strstr(bpf_map__name(m), ".bss"))
				where = (uint64_t *)bpf_map__initial_value(m, &sz);
	}
	CHECK(where && *where, "its address is published in .bss");
	page = arena_obj__ptr(obj, *where);
	CHECK(arena_obj__contains(obj, page, 4096), "the address lies inside the arena");
	CHECK(*(volatile int *)page == 31337, "user space reads the allocated page");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		/* A page nobody allocated: with BPF_F_SEGV_ON_FAULT this must kill us. */
		volatile char *other = base + ((page - base + 4096) % (4 * 4096));

		(void)*other;
		_exit(0);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid, "child ran");
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV,
	      "touching an unallocated page under BPF_F_SEGV_ON_FAULT dies by SIGSEGV (status 0x%x)", status);
}

int main(int argc, char **argv)
{
	struct arena_obj *obj;

	if (argc < 3) {
		fprintf(stderr, "usage: %s OBJ fault-in|segv [--backend kernel|user [--engine E]]\n", argv[0]);
		return 2;
	}
	obj = load(argv[1], argc - 3, argv + 3);
	if (!strcmp(argv[2], "fault-in"))
		fault_in(obj);
	else if (!strcmp(argv[2], "segv"))
		segv(obj);
	else
		return 2;
	arena_obj__close(obj);
	return 0;
}
