/* Engines: the list the arena tool prints (`arena features`: user-<engine> each, and lit runs every program
 * test on each) and the selection BPF_PROG_LOAD uses. Only engines that work are listed: "jit" appears when
 * jit/ is linked in (its ukern_jit_compile, declared weak in internal.h, is non-NULL).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "internal.h"

const char *const *ukern_engine_list(void)
{
	static const char *const with_jit[] = { "interp", "jit", NULL };
	static const char *const interp_only[] = { "interp", NULL };

	return ukern_jit_compile ? with_jit : interp_only;
}

static const char *engine_name;

const char *ukern_engine_current(void)
{
	if (engine_name)
		return engine_name;
	return ukern_jit_compile ? "jit" : "interp";
}

int ukern_set_engine(const char *name)
{
	if (!name)
		return -EINVAL;
	if (!strcmp(name, "interp")) {
		engine_name = "interp";
		return 0;
	}
	if (!strcmp(name, "jit")) {
		if (!ukern_jit_compile) {
			ukern_log(UKERN_WARN, "ukern: the JIT is not built into this binary\n");
			return -EOPNOTSUPP;
		}
		engine_name = "jit";
		return 0;
	}
	ukern_log(UKERN_WARN, "ukern: unknown engine '%s' (engines: interp%s)\n", name,
		  ukern_jit_compile ? ", jit" : "");
	return -EINVAL;
}
