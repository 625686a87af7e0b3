/* The demo's user side: load list.bpf.o, let the BPF program build the list, then walk it natively.
 *
 * The arena is mapped into this process at the address the BPF program's pointers carry, so `n->next` is an
 * ordinary pointer dereference: no syscall, no translation.
 */
#include <stdio.h>
#include <string.h>

#include "arena_loader.h"

struct node {
	struct node *next;
	unsigned long long value;
};

static int run(struct arena_obj *obj, const char *name, int *retval)
{
	struct bpf_program *p = bpf_object__find_program_by_name(arena_obj__bpf(obj), name);
	struct arena_run_result res;
	int err;

	if (!p)
		return -1;
	err = arena_prog__run(obj, p, NULL, &res);
	*retval = res.retval;
	return err;
}

int main(int argc, char **argv)
{
	struct arena_open_opts opts = { .sz = sizeof(opts) };
	struct node **head;
	struct arena_obj *obj;
	unsigned long long total = 0;
	int built, summed, count = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s list.bpf.o [--backend kernel|user] [--engine jit|interp]\n", argv[0]);
		return 2;
	}
	for (int i = 2; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--backend"))
			opts.backend = !strcmp(argv[i + 1], "user") ? ARENA_BACKEND_USER : ARENA_BACKEND_KERNEL;
		else if (!strcmp(argv[i], "--engine"))
			opts.engine = argv[i + 1];
	}
	obj = arena_obj__open(argv[1], &opts);
	if (!obj || arena_obj__load(obj)) {
		fprintf(stderr, "walk: cannot load %s\n", argv[1]);
		return 1;
	}
	printf("arena: %zu bytes mapped at %p\n", arena_obj__arena_size(obj), arena_obj__arena_base(obj));
	if (run(obj, "build", &built) || built < 0) {
		fprintf(stderr, "walk: the build program failed\n");
		return 1;
	}
	printf("BPF built %d nodes\nuser space walks the list natively:\n", built);
	head = arena_obj__global(obj, "head");
	for (struct node *n = head ? *head : NULL; n; n = n->next) {
		printf("  node %p: value %llu, next %p\n", (void *)n, n->value, (void *)n->next);
		total += n->value;
		count++;
	}
	if (run(obj, "sum", &summed)) {
		fprintf(stderr, "walk: the sum program failed\n");
		return 1;
	}
	printf("user space: %d nodes, sum %llu; BPF's sum: %d\n", count, total, summed);
	arena_obj__close(obj);
	return count == built && (long long)total == summed ? 0 : 1;
}
