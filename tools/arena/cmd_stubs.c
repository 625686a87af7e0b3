/* Subcommands not implemented yet: they say so and fail, never pretend. */
#include <stdio.h>

#include "cli.h"

#define ARENA_STUB(name)                                                                   \
	void usage_##name(void) { printf("usage: arena " #name " (not implemented yet)\n"); } \
	int cmd_##name(int argc, char **argv)                                              \
	{                                                                                  \
		cli_err(#name, "not implemented yet");                                     \
		return 1;                                                                  \
	}

ARENA_STUB(cc)
ARENA_STUB(run)
ARENA_STUB(jit)
ARENA_STUB(verify)
ARENA_STUB(dump)
