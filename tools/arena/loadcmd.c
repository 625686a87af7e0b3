/* What run, verify and jit share: their common options, and turning FILE (object or .c source) into a
 * loaded arena_obj on the chosen backend.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena_loader.h"
#include "cli.h"

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

int loadcmd_parse_common(struct loadcmd *lc, int argc, char **argv, int *i)
{
	const char *a = argv[*i];

	if (!strcmp(a, "--prog") && *i + 1 < argc) {
		lc->prog = argv[++*i];
	} else if (!strcmp(a, "--backend") && *i + 1 < argc) {
		const char *b = argv[++*i];

		if (!strcmp(b, "kernel"))
			lc->backend = ARENA_BACKEND_KERNEL;
		else if (!strcmp(b, "user"))
			lc->backend = ARENA_BACKEND_USER;
		else {
			cli_err(lc->cmd, "unknown backend '%s' (use kernel or user)", b);
			return -EINVAL;
		}
	} else if (!strcmp(a, "--engine") && *i + 1 < argc) {
		lc->engine = argv[++*i];
		if (strcmp(lc->engine, "jit") && strcmp(lc->engine, "interp")) {
			cli_err(lc->cmd, "unknown engine '%s' (use jit or interp)", lc->engine);
			return -EINVAL;
		}
	} else if (!strcmp(a, "--compiler") && *i + 1 < argc) {
		lc->compiler = argv[++*i];
	} else if (a[0] != '-' && !lc->file) {
		lc->file = a;
	} else {
		return 1; /* not a common option */
	}
	return 0;
}

static int quiet_libbpf_log_dump(enum arena_print_level level, const char *fmt, va_list ap)
{
	char msg[512];
	va_list cp;

	if (level != ARENA_WARN)
		return 0;
	/* The verifier log is ours to print (loadcmd_report_refusal); libbpf's copy of it is dropped. */
	va_copy(cp, ap);
	vsnprintf(msg, sizeof(msg), fmt, cp);
	va_end(cp);
	if (strstr(msg, "PROG LOAD LOG") || strstr(msg, "failed to load object") ||
	    strstr(msg, "BPF program load failed") || strstr(msg, "failed to load program"))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

int loadcmd_open(struct loadcmd *lc)
{
	struct arena_open_opts opts = { .sz = sizeof(opts) };
	const char *path = lc->file;
	struct bpf_program *p;
	int err;

	if (!lc->file) {
		cli_err(lc->cmd, "no FILE given (see arena %s --help)", lc->cmd);
		return -EINVAL;
	}
	if (lc->engine && lc->backend != ARENA_BACKEND_USER) {
		cli_err(lc->cmd, "--engine applies to --backend user (the kernel always runs its JIT)");
		return -EINVAL;
	}
	arena_set_print(quiet_libbpf_log_dump);
	if (compile_is_source(lc->file)) {
		err = compile_to_temp(lc->file, lc->compiler, lc->tmp_obj, sizeof(lc->tmp_obj));
		if (err)
			return err;
		path = lc->tmp_obj;
	}
	opts.backend = lc->backend;
	opts.engine = lc->engine;
	opts.log_level = lc->log_level;
	opts.log_size = lc->log_size;
	opts.object_name = base_name(lc->file);
	lc->obj = arena_obj__open(path, &opts);
	if (!lc->obj) {
		err = -errno;
		cli_err(lc->cmd, "cannot open '%s': %s", lc->file, strerror(-err));
		return err;
	}
	if (lc->prog) {
		int found = 0;

		bpf_object__for_each_program(p, arena_obj__bpf(lc->obj)) {
			int match = !strcmp(bpf_program__name(p), lc->prog);

			found |= match;
			if (lc->only_named)
				bpf_program__set_autoload(p, match);
		}
		if (!found) {
			cli_err(lc->cmd, "'%s' has no program named '%s'", lc->file, lc->prog);
			return -ENOENT;
		}
	}
	err = arena_obj__load(lc->obj);
	if (err && !lc->report_self)
		loadcmd_report_refusal(lc, stderr, 0);
	return err;
}

/* Prints, for each program that has a log, the verifier's conclusion (its last lines) or all of it. */
void loadcmd_report_refusal(struct loadcmd *lc, FILE *out, int full)
{
	struct bpf_program *p;

	bpf_object__for_each_program(p, arena_obj__bpf(lc->obj)) {
		const char *log = arena_prog__log(lc->obj, p);
		const char *start = log;
		size_t len = strlen(log);
		int lines = 0;

		if (!len || bpf_program__fd(p) >= 0)
			continue;
		/* The conclusion: the refusal reason and the kernel's summary, the last few lines. */
		for (const char *c = log + len - 1; c > log; c--) {
			if (*c == '\n' && c != log + len - 1 && ++lines == 4) {
				start = c + 1;
				break;
			}
		}
		fprintf(out, "arena %s: program '%s' refused by the verifier (%s backend):\n%s%s", lc->cmd,
			bpf_program__name(p), lc->backend == ARENA_BACKEND_USER ? "user" : "kernel",
			full ? log : start, log[len - 1] == '\n' ? "" : "\n");
	}
}

void loadcmd_close(struct loadcmd *lc)
{
	arena_obj__close(lc->obj);
	lc->obj = NULL;
	if (lc->tmp_obj[0])
		unlink(lc->tmp_obj);
}

const char *loadcmd_backend_name(const struct loadcmd *lc)
{
	return lc->backend == ARENA_BACKEND_USER ? "user" : "kernel";
}
