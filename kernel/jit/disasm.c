/* Disassembly view of a JIT image (capstone), for `arena jit --backend user` and for tests.
 *
 * The image is printed in blocks, one per BPF instruction ("; insn N: code 0xCC"), so the reader can map x86
 * back to BPF; a function's prologue is shown in the block of its first instruction. Instructions with an
 * exception-table entry carry "; arena load|store|atomic" and what a fault on an absent page does, which is
 * how the arena accesses are told apart from the stack and map accesses around them.
 */
#include <capstone/capstone.h>
#include <errno.h>
#include <inttypes.h>

#include "jit.h"
#include "jit_internal.h"

static const char *const reg_name[16] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15",
};

static void print_mark(FILE *out, const struct jit_ex *ex)
{
	switch (ex->kind) {
	case JIT_EX_LOAD:
		fprintf(out, "  ; arena load (absent page: %s = 0)", reg_name[ex->zero_reg & 15]);
		break;
	case JIT_EX_STORE:
		fprintf(out, "  ; arena store (absent page: dropped)");
		break;
	default:
		fprintf(out, "  ; arena atomic (absent page: no effect, registers kept)");
		break;
	}
}

int ukern_jit_disasm(const struct ukern_prog *prog, FILE *out)
{
	const struct jit_priv *priv = prog->jit_priv;
	csh cs;
	cs_insn *insn;

	if (!priv || !prog->jit_image)
		return -ENOENT;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK)
		return -ENOMEM;
	insn = cs_malloc(cs);
	if (!insn) {
		cs_close(&cs);
		return -ENOMEM;
	}
	fprintf(out, "%s: %u bytes of x86-64, %u BPF insns, %u arena accesses\n", prog->name[0] ? prog->name : "prog",
		priv->len, priv->insn_cnt, priv->ex_cnt);
	for (uint32_t i = 0; i < priv->insn_cnt; i++) {
		uint32_t start = priv->insn_off[i], end = priv->insn_off[i + 1];
		const uint8_t *code = priv->image + start;
		size_t size = end - start;
		uint64_t addr = start;

		if (start == end)
			continue;
		fprintf(out, "; insn %u: code 0x%02x\n", i, prog->insns[i].code);
		while (size && cs_disasm_iter(cs, &code, &size, &addr, insn)) {
			const struct jit_ex *ex = jit_ex_find(priv, (uint32_t)insn->address);

			fprintf(out, "  %4" PRIx64 ":  %-7s %s", insn->address, insn->mnemonic, insn->op_str);
			if (ex)
				print_mark(out, ex);
			fputc('\n', out);
		}
		if (size) {
			fprintf(out, "  %4" PRIx64 ":  (undecodable)\n", addr);
			break;
		}
	}
	cs_free(insn, 1);
	cs_close(&cs);
	return 0;
}
