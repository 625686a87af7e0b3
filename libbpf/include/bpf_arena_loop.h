/* bpf_arena_loop.h: can_loop and cond_break, loops the verifier accepts without a provable bound.
 *
 * Both rest on may_goto: opcode 0xe5 (BPF_JMP|BPF_JCOND), registers 0, imm 0, jump offset in off (in
 * instructions, relative to the next one). The verifier gives the program a hidden iteration budget; each
 * may_goto falls through while budget remains and jumps once it is spent, so the jump is the loop's exit.
 *
 * clang with __BPF_FEATURE_MAY_GOTO (clang-19 for -mcpu v2 and later) assembles the mnemonic. Older
 * assemblers do not know it, so the instruction is written as bytes inside `asm goto`, and the assembler
 * computes the offset from the C label the compiler gives the exit block. Assembler facts (LLVM 14 and 19):
 * a `.short` holding a label difference is not resolved in place (it becomes a fixup that the BPF backend
 * writes 2 bytes further on), while a `.long` is; so off and the low half of imm are written as one
 * little-endian `.long` whose upper 16 bits are 0, then `.short 0` ends imm.
 */
#ifndef BPF_ARENA_LOOP_H
#define BPF_ARENA_LOOP_H

#if defined(__BPF_FEATURE_MAY_GOTO)
#define __bpf_may_goto(label) asm volatile goto("may_goto %l[" #label "]" :: : : label)
#else
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "bpf_arena_loop.h: the hand-encoded may_goto is written for little-endian BPF (bpfel)"
#endif
#define __bpf_may_goto(label)                                                                            \
	asm volatile goto("1:\n\t.byte 0xe5\n\t.byte 0\n\t"                                            \
			  ".long ((%l[" #label "] - 1b - 8) / 8) & 0xffff\n\t.short 0" :: : : label)
#endif

/* An expression: 1 while the verifier's budget lasts, 0 once it is spent. `while (can_loop) {...}` or
 * `for (i = 0; i < n && can_loop; i++)`. */
#define can_loop                                                                                         \
	({                                                                                               \
		__label__ __bpf_l_out, __bpf_l_in;                                                       \
		int __bpf_ok = 1;                                                                        \
		__bpf_may_goto(__bpf_l_out);                                                             \
		goto __bpf_l_in;                                                                         \
	__bpf_l_out:                                                                                     \
		__bpf_ok = 0;                                                                            \
	__bpf_l_in:                                                                                      \
		__bpf_ok;                                                                                \
	})

/* A statement inside a loop body: leaves the innermost loop once the budget is spent. */
#define cond_break                                                                                       \
	({                                                                                               \
		__label__ __bpf_l_out, __bpf_l_in;                                                       \
		__bpf_may_goto(__bpf_l_out);                                                             \
		goto __bpf_l_in;                                                                         \
	__bpf_l_out:                                                                                     \
		break;                                                                                   \
	__bpf_l_in:;                                                                                     \
	})

#endif /* BPF_ARENA_LOOP_H */
