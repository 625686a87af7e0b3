/* Private to kernel/jit/: the JIT's bookkeeping kept in prog->jit_priv, shared by the compiler (jit.c), the
 * exception-table fault fixup (extable.c) and the disassembler view (disasm.c).
 *
 * Invariant: ex[] is sorted by insn_off (emission order), so the fault handler finds an entry by binary
 * search without allocating or locking (it runs in a signal handler).
 */
#ifndef UKERN_JIT_INTERNAL_H
#define UKERN_JIT_INTERNAL_H

#include <stdint.h>

#include "internal.h"

/* Opcode pieces newer than Debian's 6.1 UAPI headers. */
#ifndef BPF_MEMSX
#define BPF_MEMSX 0x80
#endif
#ifndef BPF_LOAD_ACQ
#define BPF_LOAD_ACQ 0x100
#endif
#ifndef BPF_STORE_REL
#define BPF_STORE_REL 0x110
#endif
#ifndef BPF_JCOND
#define BPF_JCOND 0xe0
#endif

enum jit_ex_kind {
	JIT_EX_LOAD,    /* zero the destination, resume after */
	JIT_EX_STORE,   /* drop the store, resume after */
	JIT_EX_ATOMIC,  /* leave memory and every register as they were, resume after the whole sequence */
};

/* One exception-table entry: the x86 instruction at insn_off may fault on an absent arena page. */
struct jit_ex {
	uint32_t insn_off;  /* image offset of the faulting instruction */
	uint32_t resume;    /* image offset execution continues at */
	int8_t zero_reg;    /* x86 register number to zero, or -1 */
	uint8_t kind;       /* enum jit_ex_kind */
	uint32_t bpf_idx;   /* BPF instruction it came from (disassembly) */
};

struct jit_priv {
	struct ukern_fault_region region;  /* registered with the core's dispatcher while the image lives */
	bool registered;
	uint8_t *image;
	uint32_t len;
	uint32_t map_len;                  /* bytes mapped (page multiple) */
	struct jit_ex *ex;
	uint32_t ex_cnt;
	uint32_t *insn_off;                /* insn_cnt + 1 entries: image offset where BPF insn i starts */
	uint32_t insn_cnt;
	uint64_t arena_lo, arena_hi;       /* data addresses an arena access can fault on (guards included) */
	uint32_t passes, arena_zext;
};

/* extable.c */
int jit_extable_register(struct jit_priv *priv);
void jit_extable_unregister(struct jit_priv *priv);
const struct jit_ex *jit_ex_find(const struct jit_priv *priv, uint32_t off);

#endif /* UKERN_JIT_INTERNAL_H */
