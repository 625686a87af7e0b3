/* `arena jit FILE --prog NAME [--backend kernel|user]`: the JITed x86-64 image, disassembled with
 * capstone. Arena accesses are marked: both JITs keep the arena's program-side base in r12 and address
 * arena memory as base + 32-bit index (+ offset), so a memory operand built on r12 is an arena access.
 */
#include <capstone/capstone.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void usage_jit(void)
{
	printf("usage: arena jit FILE --prog NAME [--backend kernel|user] [--engine jit] [--compiler C]\n\n"
	       "Loads FILE and prints program NAME's JITed x86-64 code. Lines marked `; arena` access arena\n"
	       "memory through the base register r12 (one instruction per access, faults fixed up).\n");
}

static int is_arena_access(const cs_insn *insn)
{
	const cs_x86 *x86 = &insn->detail->x86;

	for (int i = 0; i < x86->op_count; i++) {
		const cs_x86_op *op = &x86->operands[i];

		if (op->type == X86_OP_MEM && (op->mem.base == X86_REG_R12 || op->mem.index == X86_REG_R12))
			return 1;
	}
	return 0;
}

int jit_print_image(FILE *out, const void *image, uint32_t len, int *arena_accesses)
{
	csh cs;
	cs_insn *insns;
	size_t n;

	if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK)
		return -1;
	cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
	n = cs_disasm(cs, image, len, 0, 0, &insns);
	*arena_accesses = 0;
	for (size_t i = 0; i < n; i++) {
		int arena = is_arena_access(&insns[i]);

		*arena_accesses += arena;
		fprintf(out, "%5llx:  %-8s %s%s\n", (unsigned long long)insns[i].address, insns[i].mnemonic,
			insns[i].op_str, arena ? "\t; arena" : "");
	}
	if (n)
		cs_free(insns, n);
	cs_close(&cs);
	return n ? 0 : -1;
}

int cmd_jit(int argc, char **argv)
{
	struct loadcmd lc = { .cmd = "jit", .only_named = 1 };
	struct bpf_program *p;
	int status = 0;

	for (int i = 1; i < argc; i++) {
		int r = loadcmd_parse_common(&lc, argc, argv, &i);

		if (r < 0)
			return 2;
		if (r) {
			cli_err("jit", "unknown option '%s' (see arena jit --help)", argv[i]);
			return 2;
		}
	}
	if (!lc.prog) {
		cli_err("jit", "--prog NAME is required");
		return 2;
	}
	if (loadcmd_open(&lc)) {
		loadcmd_close(&lc);
		return 1;
	}
	bpf_object__for_each_program(p, arena_obj__bpf(lc.obj)) {
		void *image;
		uint32_t len;
		int arena, err;

		if (strcmp(bpf_program__name(p), lc.prog))
			continue;
		if (lc.backend == ARENA_BACKEND_USER) {
			/* Our JIT marks arena accesses from its exception table, which is exact. */
			printf("prog %s: x86-64 from the user-space JIT\n", lc.prog);
			err = arena_prog__jit_listing(lc.obj, p, stdout);
			if (err) {
				cli_err("jit", "program '%s' has no JITed image on the user backend%s", lc.prog,
					err == -ENOENT ? " (it runs on the interpreter: --engine jit)" : "");
				status = 1;
			}
			break;
		}
		err = arena_prog__jited(lc.obj, p, &image, &len);
		if (err || !len) {
			cli_err("jit", "program '%s' has no JITed image on the %s backend%s", lc.prog,
				loadcmd_backend_name(&lc), err ? "" : " (is the JIT enabled?)");
			status = 1;
			break;
		}
		printf("prog %s: %u bytes of x86-64 (%s backend)\n", lc.prog, len, loadcmd_backend_name(&lc));
		if (jit_print_image(stdout, image, len, &arena)) {
			cli_err("jit", "capstone could not disassemble the image");
			status = 1;
		} else {
			printf("arena accesses: %d\n", arena);
		}
		free(image);
	}
	loadcmd_close(&lc);
	return status;
}
