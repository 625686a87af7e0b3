/* `arena dump FILE`: each program's BPF instructions, from LLVM 19's disassembler (llvm-objdump), with
 * addr_space_cast and arena accesses marked.
 *
 * Marking follows registers through each function in order: the destination of a cast to the kernel form
 * (addr_space_cast(rY, 0x0, 0x1)) holds an arena pointer, arithmetic on it keeps it one, a copy passes it
 * on, any other write clears it; a load, store or atomic whose address register holds one is an arena
 * access. This mirrors what the verifier proves for straight-line code; `arena verify -v` shows the
 * verifier's own register types.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#ifndef ARENA_LLVM_OBJDUMP
#define ARENA_LLVM_OBJDUMP "llvm-objdump-19"
#endif

void usage_dump(void)
{
	printf("usage: arena dump FILE [--compiler C]\n\n"
	       "Prints each program's BPF instructions (llvm-objdump), marking `; arena cast -> kernel form`,\n"
	       "`; arena cast -> user form` and `; arena access` (loads, stores and atomics through a cast\n"
	       "register). FILE is an object or a .c source.\n");
}

/* Register number after "r"/"w" at s, or -1. */
static int reg_at(const char *s)
{
	if ((s[0] == 'r' || s[0] == 'w') && isdigit((unsigned char)s[1]) &&
	    !isalnum((unsigned char)s[2 + (isdigit((unsigned char)s[2]) ? 1 : 0)]))
		return atoi(s + 1);
	return -1;
}

static void annotate(char *line, unsigned *arena_regs, int *casts, int *accesses)
{
	char *insn = strchr(line, ':');
	const char *note = "";
	char *mem;
	int dst;

	if (!insn || !isxdigit((unsigned char)line[strspn(line, " ")])) {
		fputs(line, stdout);
		return;
	}
	insn += strspn(insn + 1, " \t") + 1;
	dst = reg_at(insn);
	mem = strstr(insn, " *)(r");
	if (strstr(insn, "addr_space_cast(")) {
		int to_kern = strstr(insn, ", 0x0, 0x1)") != NULL;

		(*casts)++;
		note = to_kern ? "\t; arena cast -> kernel form" : "\t; arena cast -> user form";
		if (dst >= 0)
			*arena_regs = to_kern ? (*arena_regs | 1u << dst) : (*arena_regs & ~(1u << dst));
	} else if (mem) {
		int base = reg_at(mem + 4);

		if (base >= 0 && (*arena_regs & (1u << base))) {
			note = "\t; arena access";
			(*accesses)++;
		}
		/* A load's destination (rX = *(..)) is data, not a pointer. */
		if (dst >= 0 && insn[0] != '*' && insn[0] != 'l')
			*arena_regs &= ~(1u << dst);
	} else if (dst >= 0) {
		const char *op = insn + 2 + (insn[2] != ' ');
		int src;

		while (*op == ' ')
			op++;
		if (!strncmp(op, "= ", 2)) {
			src = reg_at(op + 2);
			if (src >= 0 && (*arena_regs & (1u << src)) && op[2 + 2 + (src > 9)] == '\0')
				*arena_regs |= 1u << dst;
			else
				*arena_regs &= ~(1u << dst);
		} else if (!(op[0] == '+' || op[0] == '-') || op[1] != '=') {
			*arena_regs &= ~(1u << dst);
		}
	} else if (strstr(insn, "call ")) {
		*arena_regs &= ~0x3fu; /* r0-r5 are clobbered by calls */
	}
	if (*note) {
		size_t n = strlen(line);

		if (n && line[n - 1] == '\n')
			line[n - 1] = '\0';
		printf("%s%s\n", line, note);
	} else {
		fputs(line, stdout);
	}
}

int cmd_dump(int argc, char **argv)
{
	char cmd[PATH_MAX * 2 + 64], line[1024], tmp[PATH_MAX] = "";
	const char *file = NULL, *compiler = NULL, *named;
	unsigned arena_regs = 0;
	int casts = 0, accesses = 0, status;
	FILE *p;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--compiler") && i + 1 < argc)
			compiler = argv[++i];
		else if (argv[i][0] != '-' && !file)
			file = argv[i];
		else {
			cli_err("dump", "unknown option '%s' (see arena dump --help)", argv[i]);
			return 2;
		}
	}
	if (!file) {
		cli_err("dump", "no FILE given");
		return 2;
	}
	named = file;
	if (compile_is_source(file)) {
		if (compile_to_temp(file, compiler, tmp, sizeof(tmp)))
			return 1;
		file = tmp;
	}
	if (strchr(file, '\'')) {
		cli_err("dump", "file names with quotes are not supported");
		return 2;
	}
	snprintf(cmd, sizeof(cmd), "'%s' -d --no-show-raw-insn '%s' 2>&1", ARENA_LLVM_OBJDUMP, file);
	p = popen(cmd, "r");
	if (!p) {
		cli_err("dump", "cannot run %s: %s", ARENA_LLVM_OBJDUMP, strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof(line), p)) {
		if (strchr(line, '<') && strstr(line, ">:"))
			arena_regs = 0; /* a new function */
		annotate(line, &arena_regs, &casts, &accesses);
	}
	status = pclose(p);
	if (tmp[0])
		unlink(tmp);
	if (status) {
		cli_err("dump", "llvm-objdump could not disassemble '%s'", named);
		return 1;
	}
	printf("arena casts: %d, arena accesses: %d\n", casts, accesses);
	return 0;
}
