/* The arena tool's subcommands. Each takes its own argv (argv[0] is the subcommand name) and returns the
 * process exit status: 0 on success, 1 on a failure it reported, 2 on a usage error.
 */
#ifndef ARENA_CLI_H
#define ARENA_CLI_H

struct arena_cmd {
	const char *name;
	const char *summary;
	int (*main)(int argc, char **argv);
	void (*usage)(void);
};

int cmd_cc(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_jit(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_features(int argc, char **argv);

void usage_cc(void);
void usage_run(void);
void usage_jit(void);
void usage_verify(void);
void usage_dump(void);
void usage_features(void);

/* Prints "arena SUBCMD: message" to stderr. */
void cli_err(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));



/* ---- compile.c ---- */
#define COMPILE_MAX_FLAGS 64
struct compile_opts {
	const char *src, *out;
	const char *compiler; /* "clang-19" (default) or "clang-14" */
	const char *flags[2 * COMPILE_MAX_FLAGS];  /* extra -I/-D arguments, already split */
	int nr_flags;
	int verbose;
};
int compile_is_source(const char *path);
int compile_bpf(const struct compile_opts *o);
/* Compiles src into a fresh temporary object whose path is written to out; the caller unlinks it. */
int compile_to_temp(const char *src, const char *compiler, char *out, size_t out_sz);

/* ---- loadcmd.c ---- */
#include <limits.h>
#include <stdio.h>
#include "arena_loader.h"
struct loadcmd {
	const char *cmd;       /* subcommand name for messages */
	const char *file, *prog, *engine, *compiler;
	enum arena_backend backend;
	uint32_t log_level;
	size_t log_size;       /* 0: the loader's default */
	int only_named;        /* load only --prog (verify, jit) */
	int report_self;       /* the command prints refusals itself */
	struct arena_obj *obj;
	char tmp_obj[PATH_MAX];
};
/* 0: consumed argv[*i] (and maybe its value); 1: not a common option; <0: bad value (reported). */
int loadcmd_parse_common(struct loadcmd *lc, int argc, char **argv, int *i);
int loadcmd_open(struct loadcmd *lc);
/* Prints each refused program's verifier log: all of it when full, else its conclusion (last lines). */
void loadcmd_report_refusal(struct loadcmd *lc, FILE *out, int full);
void loadcmd_close(struct loadcmd *lc);
const char *loadcmd_backend_name(const struct loadcmd *lc);
/* cmd_jit.c: disassembles an x86-64 image, `; arena` on r12-based accesses; counts them. */
int jit_print_image(FILE *out, const void *image, uint32_t len, int *arena_accesses);
#endif
