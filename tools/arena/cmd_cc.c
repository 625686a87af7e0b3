/* `arena cc SRC -o OBJ [--compiler clang-19|clang-14] [-I DIR]... [-D NAME[=VAL]]... [-v]` */
#include <stdio.h>
#include <string.h>

#include "cli.h"

void usage_cc(void)
{
	printf("usage: arena cc SRC -o OBJ [--compiler clang-19|clang-14] [-I DIR]... [-D NAME[=VAL]]... [-v]\n\n"
	       "Compiles arena C for BPF with the project's headers on the include path (-g -O2 -target bpf\n"
	       "-mcpu=v3). clang-19 (default) lowers address_space(1) natively; clang-14 compiles to IR that\n"
	       "arena-lower rewrites (addr_space_cast, .addr_space.1), with __BPF_FEATURE_ADDR_SPACE_CAST defined\n"
	       "so sources written for clang-19 build unchanged. -v prints the commands run.\n");
}

int cmd_cc(int argc, char **argv)
{
	struct compile_opts o = { 0 };

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-o") && i + 1 < argc) {
			o.out = argv[++i];
		} else if (!strcmp(a, "--compiler") && i + 1 < argc) {
			o.compiler = argv[++i];
		} else if (!strncmp(a, "--compiler=", 11)) {
			o.compiler = a + 11;
		} else if ((!strcmp(a, "-I") || !strcmp(a, "-D")) && i + 1 < argc) {
			if (o.nr_flags + 2 > 2 * COMPILE_MAX_FLAGS)
				goto too_many;
			o.flags[o.nr_flags++] = a;
			o.flags[o.nr_flags++] = argv[++i];
		} else if ((!strncmp(a, "-I", 2) || !strncmp(a, "-D", 2)) && a[2]) {
			if (o.nr_flags + 1 > 2 * COMPILE_MAX_FLAGS)
				goto too_many;
			o.flags[o.nr_flags++] = a;
		} else if (!strcmp(a, "-v")) {
			o.verbose = 1;
		} else if (a[0] == '-') {
			cli_err("cc", "unknown option '%s' (see arena cc --help)", a);
			return 2;
		} else if (!o.src) {
			o.src = a;
		} else {
			cli_err("cc", "more than one source given ('%s' and '%s')", o.src, a);
			return 2;
		}
	}
	if (!o.src || !o.out) {
		cli_err("cc", "need a source and -o OBJ (see arena cc --help)");
		return 2;
	}
	return compile_bpf(&o) ? 1 : 0;
too_many:
	cli_err("cc", "too many -I/-D options");
	return 2;
}
