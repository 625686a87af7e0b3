/* Compiling arena C to a BPF object: clang-19 natively, or clang-14 followed by our address-space lowering
 * (build/bin/arena-lower, from llvm/). Shared by `arena cc` and by `run`/`verify`/`jit`/`dump` when they
 * are handed a .c file.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

#ifndef ARENA_INCLUDE_DIR
#define ARENA_INCLUDE_DIR "/usr/local/include/bpf-arena"
#endif
#ifndef ARENA_CLANG19
#define ARENA_CLANG19 "clang-19"
#endif
#ifndef ARENA_CLANG14
#define ARENA_CLANG14 "clang-14"
#endif

/* Debian keeps <asm/types.h> under the multiarch directory, which clang does not search for -target bpf. */
#define MULTIARCH_INCLUDE "/usr/include/x86_64-linux-gnu"

int compile_is_source(const char *path)
{
	size_t n = strlen(path);

	return n > 2 && !strcmp(path + n - 2, ".c");
}

static int run_argv(char **argv, int verbose)
{
	pid_t pid;
	int status;

	if (verbose) {
		for (char **a = argv; *a; a++)
			fprintf(stderr, "%s%s", a == argv ? "" : " ", *a);
		fputc('\n', stderr);
	}
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "arena cc: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	return -ECHILD;
}

/* The directory of this executable: arena-lower is built beside it. */
static int self_dir(char *buf, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);
	char *slash;

	if (n < 0)
		return -errno;
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	if (slash)
		*slash = '\0';
	return 0;
}

/* The runtime headers: installed beside this executable (PREFIX/include/bpf-arena), else the source tree
 * this build came from. */
static const char *include_dir(void)
{
	static char dir[PATH_MAX + 64];
	char self[PATH_MAX];

	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "%s", ARENA_INCLUDE_DIR);
		if (!self_dir(self, sizeof(self))) {
			char installed[PATH_MAX + 64];

			snprintf(installed, sizeof(installed), "%s/../include/bpf-arena/bpf_arena.h", self);
			if (!access(installed, R_OK))
				snprintf(dir, sizeof(dir), "%s/../include/bpf-arena", self);
		}
	}
	return dir;
}

int compile_bpf(const struct compile_opts *o)
{
	const char *argv[64 + 4 * COMPILE_MAX_FLAGS];
	char lower[PATH_MAX], bc[PATH_MAX];
	int n = 0, err, old = o->compiler && !strcmp(o->compiler, "clang-14");

	if (o->compiler && !old && strcmp(o->compiler, "clang-19")) {
		fprintf(stderr, "arena cc: unknown compiler '%s' (use clang-19 or clang-14)\n", o->compiler);
		return -EINVAL;
	}
	if (access(o->src, R_OK)) {
		fprintf(stderr, "arena cc: cannot read '%s': %s\n", o->src, strerror(errno));
		return -errno;
	}
	argv[n++] = old ? ARENA_CLANG14 : ARENA_CLANG19;
	argv[n++] = "-g";
	argv[n++] = "-O2";
	argv[n++] = "-target";
	argv[n++] = "bpf";
	argv[n++] = "-mcpu=v3";
	argv[n++] = "-Wall";
	argv[n++] = "-I";
	argv[n++] = include_dir();
	argv[n++] = "-idirafter";
	argv[n++] = MULTIARCH_INCLUDE;
	for (int i = 0; i < o->nr_flags; i++)
		argv[n++] = o->flags[i];
	if (old) {
		/* Sources written for clang-19 build unchanged: the lowering supplies what the macro promises. */
		argv[n++] = "-D__BPF_FEATURE_ADDR_SPACE_CAST";
		argv[n++] = "-emit-llvm";
		snprintf(bc, sizeof(bc), "%s.bc", o->out);
	}
	argv[n++] = "-c";
	argv[n++] = o->src;
	argv[n++] = "-o";
	argv[n++] = old ? bc : o->out;
	argv[n] = NULL;
	err = run_argv((char **)argv, o->verbose);
	if (err) {
		fprintf(stderr, "arena cc: %s failed to compile '%s'\n", argv[0], o->src);
		return err;
	}
	if (!old)
		return 0;

	err = self_dir(lower, sizeof(lower));
	if (err)
		return err;
	strncat(lower, "/arena-lower", sizeof(lower) - strlen(lower) - 1);
	if (access(lower, X_OK)) {
		fprintf(stderr, "arena cc: the clang-14 path needs %s (the address-space lowering), which is not "
				"built\n", lower);
		unlink(bc);
		return -ENOENT;
	}
	n = 0;
	argv[n++] = lower;
	argv[n++] = bc;
	argv[n++] = "-o";
	argv[n++] = o->out;
	argv[n] = NULL;
	err = run_argv((char **)argv, o->verbose);
	unlink(bc);
	if (err)
		fprintf(stderr, "arena cc: lowering '%s' for clang-14 failed\n", o->src);
	return err;
}

int compile_to_temp(const char *src, const char *compiler, char *out, size_t out_sz)
{
	struct compile_opts o = { .src = src, .compiler = compiler, .out = out };
	const char *tmp = getenv("TMPDIR");
	int fd, err;

	snprintf(out, out_sz, "%s/arena-XXXXXX.o", tmp && *tmp ? tmp : "/tmp");
	fd = mkstemps(out, 2);
	if (fd < 0)
		return -errno;
	close(fd);
	err = compile_bpf(&o);
	if (err)
		unlink(out);
	return err;
}
