/* `arena`: the command-line door to the toolkit. main() only dispatches; each subcommand lives in its own
 * cmd_*.c file and parses its own options.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct arena_cmd commands[] = {
	{ "cc", "compile arena C to a BPF object (clang-19, or clang-14 with our lowering)", cmd_cc, usage_cc },
	{ "run", "load an object (or .bpf.c) and run its programs through BPF_PROG_TEST_RUN", cmd_run, usage_run },
	{ "jit", "show a program's JITed x86-64 image, arena accesses marked", cmd_jit, usage_jit },
	{ "verify", "load a program and print the verifier's verdict and log", cmd_verify, usage_verify },
	{ "dump", "print each program's BPF instructions, arena casts and accesses marked", cmd_dump, usage_dump },
	{ "features", "list what this machine and build support (kernel arena, backends, compilers)",
	  cmd_features, usage_features },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

void cli_err(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "arena %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(FILE *out)
{
	fprintf(out, "usage: arena <command> [options]\n\n"
		     "BPF arena toolkit: compile arena C, load it on the kernel or our user-space kernel,\n"
		     "run it, and inspect what the verifier and the JIT made of it.\n\ncommands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'arena <command> --help' describes a command's options.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < N_COMMANDS; i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		for (int a = 2; a < argc; a++) {
			if (!strcmp(argv[a], "--help") || !strcmp(argv[a], "-h")) {
				commands[i].usage();
				return 0;
			}
			if (!strcmp(argv[a], "--"))
				break;
		}
		return commands[i].main(argc - 1, argv + 1);
	}
	fprintf(stderr, "arena: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}
