/* `arena verify FILE [--prog NAME] [--backend kernel|user] [-v]`: the verifier's verdict, and its log.
 *
 * Prints `verdict: accepted` or `verdict: refused`, then the log: the conclusion by default, every
 * instruction with register states under -v (log level 2). Exits 1 when a program is refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void usage_verify(void)
{
	printf("usage: arena verify FILE [--prog NAME] [--backend kernel|user] [-v] [--log-size BYTES]\n"
	       "                    [--compiler C]\n\n"
	       "Loads FILE's programs (or only NAME) and prints each verdict and the verifier's log: its\n"
	       "summary by default, every instruction with register types with -v. A log longer than\n"
	       "--log-size keeps its end. Exits 1 when refused.\n");
}

int cmd_verify(int argc, char **argv)
{
	struct loadcmd lc = { .cmd = "verify", .log_level = 1, .only_named = 1, .report_self = 1 };
	struct bpf_program *p;
	int err;

	for (int i = 1; i < argc; i++) {
		int r = loadcmd_parse_common(&lc, argc, argv, &i);

		if (r < 0)
			return 2;
		if (r == 0)
			continue;
		if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			lc.log_level = 2;
		} else if (!strcmp(argv[i], "--log-size") && i + 1 < argc) {
			char *end;

			lc.log_size = strtoul(argv[++i], &end, 0);
			if (*end || lc.log_size < 128) {
				cli_err("verify", "--log-size takes a byte count of at least 128, not '%s'", argv[i]);
				return 2;
			}
		} else {
			cli_err("verify", "unknown option '%s' (see arena verify --help)", argv[i]);
			return 2;
		}
	}
	err = loadcmd_open(&lc);
	if (err && !lc.obj) {
		loadcmd_close(&lc);
		return 1;
	}
	bpf_object__for_each_program(p, arena_obj__bpf(lc.obj)) {
		const char *log = arena_prog__log(lc.obj, p);

		if (!bpf_program__autoload(p))
			continue;
		if (bpf_program__fd(p) >= 0)
			printf("prog %s: verdict: accepted (%s backend)\n%s", bpf_program__name(p),
			       loadcmd_backend_name(&lc), log);
		else if (*log)
			printf("prog %s: verdict: refused (%s backend)\n%s", bpf_program__name(p),
			       loadcmd_backend_name(&lc), log);
		else if (err)
			printf("prog %s: verdict: not loaded (an earlier program was refused)\n",
			       bpf_program__name(p));
	}
	loadcmd_close(&lc);
	return err ? 1 : 0;
}
