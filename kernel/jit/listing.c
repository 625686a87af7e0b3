/* The door from ukern.h to the JIT's listing: a program fd in, the annotated image out. */
#include <errno.h>

#include "jit.h"

int ukern_prog_jit_listing(int prog_fd, FILE *out)
{
	struct ukern_prog *prog = ukern_prog_from_fd(prog_fd);

	if (!prog)
		return -EBADF;
	return ukern_jit_disasm(prog, out);
}
