/* arena-lower: the compiler-side step of `arena cc --compiler clang-14`.
 *
 *   arena-lower IN.(bc|ll) -o OUT.o [--emit-llvm OUT.ll] [--print-ir] [-O0|-O1|-O2|-O3] [--mcpu=CPU]
 *               [--cleanup] [--stats]
 *
 * Reads clang-14's IR for target bpf, lowers the arena address space (llvm/lower.c), optionally runs
 * cleanup passes, checks the module with LLVM's verifier and emits the object with LLVM 14's BPF
 * backend. Exit status: 0 success, 1 input that cannot be lowered or compiled (reported on stderr with
 * its source location), 2 usage error. The object is never written when anything was reported.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <llvm-c/Analysis.h>
#include <llvm-c/Core.h>
#include <llvm-c/ErrorHandling.h>
#include <llvm-c/IRReader.h>

#include "arena_lower.h"

static const char *in_path;

static void print_stderr(enum arena_lower_level level, const char *msg, void *cookie)
{
	(void)level;
	(void)cookie;
	fprintf(stderr, "arena-lower: %s\n", msg);
}

static void fatal_handler(const char *reason)
{
	fprintf(stderr, "arena-lower: error: LLVM 14 BPF backend gave up on '%s': %s\n", in_path ? in_path : "?",
		reason);
	exit(1);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: arena-lower IN.(bc|ll) [-o OUT.o] [--emit-llvm OUT.ll] [--print-ir] [-O0..-O3]\n"
		   "                   [--mcpu=CPU] [--cleanup] [--stats]\n"
		   "Lowers address_space(1) (BPF arena) pointers in clang-14 IR to addr_space_cast and emits\n"
		   "the BPF object with LLVM 14. Produce the input with:\n"
		   "  clang-14 -target bpf -O2 -g -D__BPF_FEATURE_ADDR_SPACE_CAST -emit-llvm -c SRC -o IN.bc\n");
}

int main(int argc, char **argv)
{
	const char *out = NULL, *ll_out = NULL, *cpu = NULL;
	int print_ir = 0, opt = 2, cleanup = 0, stats_wanted = 0, i, ret = 0;
	struct arena_lower_opts lo = { .sz = sizeof(lo), .print = print_stderr };
	struct arena_lower_stats st = { .sz = sizeof(st) };
	LLVMMemoryBufferRef buf;
	LLVMContextRef ctx;
	LLVMModuleRef mod;
	char *msg = NULL;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-o") && i + 1 < argc)
			out = argv[++i];
		else if (!strcmp(a, "--emit-llvm") && i + 1 < argc)
			ll_out = argv[++i];
		else if (!strcmp(a, "--print-ir"))
			print_ir = 1;
		else if (!strncmp(a, "-O", 2) && a[2] >= '0' && a[2] <= '3' && !a[3])
			opt = a[2] - '0';
		else if (!strncmp(a, "--mcpu=", 7))
			cpu = a + 7;
		else if (!strcmp(a, "--cleanup"))
			cleanup = 1;
		else if (!strcmp(a, "--no-cleanup"))
			cleanup = 0;
		else if (!strcmp(a, "--stats"))
			stats_wanted = 1;
		else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "arena-lower: error: unknown option '%s'\n", a);
			usage(stderr);
			return 2;
		} else if (in_path) {
			fprintf(stderr, "arena-lower: error: more than one input ('%s' and '%s')\n", in_path, a);
			return 2;
		} else {
			in_path = a;
		}
	}
	if (!in_path || (!out && !ll_out && !print_ir)) {
		fprintf(stderr, "arena-lower: error: %s\n", !in_path ? "no input file" : "nothing to do: give -o, "
			"--emit-llvm or --print-ir");
		usage(stderr);
		return 2;
	}
	LLVMInstallFatalErrorHandler(fatal_handler);
	if (LLVMCreateMemoryBufferWithContentsOfFile(in_path, &buf, &msg)) {
		fprintf(stderr, "arena-lower: error: cannot read '%s': %s\n", in_path, msg);
		return 1;
	}
	ctx = LLVMContextCreate();
	if (LLVMParseIRInContext(ctx, buf, &mod, &msg)) { /* takes ownership of buf */
		fprintf(stderr, "arena-lower: error: '%s' is not LLVM 14 IR: %s\n", in_path, msg);
		return 1;
	}
	if (arena_lower_module(mod, &lo, &st)) {
		fprintf(stderr, "arena-lower: error: cannot lower '%s'; no object written\n", in_path);
		return 1;
	}
	if (opt > 0 && cleanup && arena_lower_cleanup(mod, &lo))
		return 1;
	if (LLVMVerifyModule(mod, LLVMReturnStatusAction, &msg)) {
		fprintf(stderr, "arena-lower: error: internal: lowered module of '%s' is invalid:\n%s", in_path, msg);
		return 1;
	}
	LLVMDisposeMessage(msg);
	msg = NULL;
	if (stats_wanted)
		fprintf(stderr, "arena-lower: %s: %u accesses, %u kern casts, %u user casts, %u arena globals\n",
			in_path, st.accesses, st.kern_casts, st.user_casts, st.globals);
	if (print_ir) {
		char *s = LLVMPrintModuleToString(mod);
		fputs(s, stdout);
		LLVMDisposeMessage(s);
	}
	if (ll_out && LLVMPrintModuleToFile(mod, ll_out, &msg)) {
		fprintf(stderr, "arena-lower: error: cannot write '%s': %s\n", ll_out, msg);
		return 1;
	}
	if (out) {
		struct arena_emit_opts eo = { .sz = sizeof(eo), .cpu = cpu, .opt_level = opt, .print = print_stderr };

		if (arena_lower_emit_object(mod, out, &eo))
			ret = 1;
	}
	LLVMDisposeModule(mod);
	LLVMContextDispose(ctx);
	return ret;
}
