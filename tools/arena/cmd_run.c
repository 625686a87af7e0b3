/* `arena run FILE [--prog NAME] [--backend kernel|user] [--engine jit|interp] [--repeat N] [--json]`
 *
 * Loads the object once, then runs the named program, or every program in section order, through
 * BPF_PROG_TEST_RUN; the programs share maps and arena. JSON: one object per line per program with
 * prog, backend, engine, retval (signed 32-bit) and duration_ns (mean per run).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void usage_run(void)
{
	printf("usage: arena run FILE [--prog NAME] [--backend kernel|user] [--engine jit|interp]\n"
	       "                 [--repeat N] [--json] [--compiler clang-19|clang-14]\n\n"
	       "FILE is a BPF object or a .c source (compiled as `arena cc` would). The object is loaded once;\n"
	       "then the named program, or every program in section order, runs through BPF_PROG_TEST_RUN:\n"
	       "syscall programs without context, xdp/tc programs on a zeroed 64-byte packet. --repeat applies\n"
	       "where the program type supports it (xdp, tc). A program refused at load makes the command\n"
	       "exit 1 with the verifier's conclusion on stderr.\n"
	       "--json prints one object per program per line: prog, backend, engine, retval, duration_ns.\n");
}

int cmd_run(int argc, char **argv)
{
	struct loadcmd lc = { .cmd = "run" };
	struct arena_run_opts ropts = { .sz = sizeof(ropts) };
	struct bpf_program *p;
	int json = 0, status = 0, ran = 0;

	for (int i = 1; i < argc; i++) {
		int r = loadcmd_parse_common(&lc, argc, argv, &i);

		if (r < 0)
			return 2;
		if (r == 0)
			continue;
		if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else if (!strcmp(argv[i], "--repeat") && i + 1 < argc) {
			char *end;
			unsigned long v = strtoul(argv[++i], &end, 10);

			if (*end || v > 0xffffffffu) {
				cli_err("run", "--repeat takes a count, not '%s'", argv[i]);
				return 2;
			}
			ropts.repeat = v;
		} else {
			cli_err("run", "unknown option '%s' (see arena run --help)", argv[i]);
			return 2;
		}
	}
	if (loadcmd_open(&lc)) {
		loadcmd_close(&lc);
		return 1;
	}
	bpf_object__for_each_program(p, arena_obj__bpf(lc.obj)) {
		struct arena_run_result res;

		if (lc.prog && strcmp(bpf_program__name(p), lc.prog))
			continue;
		ran++;
		if (arena_prog__run(lc.obj, p, &ropts, &res)) {
			status = 1;
			continue;
		}
		if (json)
			printf("{\"prog\":\"%s\",\"backend\":\"%s\",\"engine\":\"%s\",\"retval\":%d,\"duration_ns\":%llu}\n",
			       bpf_program__name(p), loadcmd_backend_name(&lc),
			       lc.backend == ARENA_BACKEND_USER ? (lc.engine ? lc.engine : "default") : "jit",
			       res.retval, (unsigned long long)res.duration_ns);
		else
			printf("%s: retval %d (%llu ns per run, %s backend)\n", bpf_program__name(p), res.retval,
			       (unsigned long long)res.duration_ns, loadcmd_backend_name(&lc));
		fflush(stdout);
	}
	if (!ran) {
		cli_err("run", "'%s' has no program to run", lc.file);
		status = 1;
	}
	loadcmd_close(&lc);
	return status;
}
