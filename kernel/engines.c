/* Engines: the list the arena tool prints (`arena features`: user-<engine> each, and lit runs every program
 * test on each) and the selection BPF_PROG_LOAD uses. Only engines that work are listed: "jit" appears when
 * jit/ is linked in (its ukern_jit_compile, weak here, is non-NULL), decided by a constructor before main().
 *
 * This file deliberately does not include ukern.h: the public declaration is read-only
 * (const char *const[]) while the table here is filled once at start-up. The selection functions live here
 * so that the core's strong reference to ukern_engine_current() pulls this object out of the static
 * library (the tool's reference to ukern_engines is weak and would not).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

struct ukern_prog;
int ukern_jit_compile(struct ukern_prog *prog) __attribute__((weak));
enum ukern_print_level { UKERN_WARN, UKERN_INFO, UKERN_DEBUG };
void ukern_log(enum ukern_print_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *ukern_engine_current(void);
int ukern_set_engine(const char *name);

const char *ukern_engines[3] = { "interp", NULL, NULL };

__attribute__((constructor)) static void engines_init(void)
{
	if (ukern_jit_compile)
		ukern_engines[1] = "jit";
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
