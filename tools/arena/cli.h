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

#endif
