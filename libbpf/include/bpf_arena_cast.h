/* bpf_arena_cast.h: __arena, __arena_global, cast_kern(), cast_user() for both compiler modes.
 *
 * An arena value has two forms. The user form (user_vm_start's upper 32 bits + offset) is what kfuncs
 * return, what is stored in memory and what user space dereferences. The kernel form is what a BPF program
 * dereferences: `addr_space_cast(r, 0, 1)` (imm 1) turns a user-form register into it (verifier type
 * PTR_TO_ARENA) and `addr_space_cast(r, 1, 0)` (imm 1 << 16) turns it back. Encoding (checked on the live
 * kernel): opcode BPF_ALU64|BPF_MOV|BPF_X = 0xbf, dst = src = the register, off = 1, imm as above.
 *
 * Native mode (__BPF_FEATURE_ADDR_SPACE_CAST): the compiler casts before each access, so the macros are
 * no-ops. Explicit mode (clang-14): the assembler knows no addr_space_cast, so the instruction is written
 * as bytes; the register byte (dst | src << 4, here both the same register N, i.e. 0xNN) is chosen by
 * comparing the register's printed name with `.ifc`. The "+r" constraint makes the cast rewrite the
 * variable in place, so the compiler cannot keep using a stale copy of the other form.
 *
 * Outside BPF (user space sharing a layout header) __arena is empty and the casts do nothing.
 */
#ifndef BPF_ARENA_CAST_H
#define BPF_ARENA_CAST_H

#if defined(__bpf__) && defined(__BPF_FEATURE_ADDR_SPACE_CAST)

#define BPF_ARENA_NATIVE_CASTS 1
#define __arena __attribute__((address_space(1)))
#define __arena_global __attribute__((address_space(1)))
#define cast_kern(var) do { } while (0)
#define cast_user(var) do { } while (0)

#elif defined(__bpf__)

#define BPF_ARENA_NATIVE_CASTS 0
#define __arena
#define __arena_global __attribute__((section(".addr_space.1")))

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "bpf_arena_cast.h: the hand-encoded addr_space_cast is written for little-endian BPF (bpfel)"
#endif

/* One .ifc per allocatable register; r10 is the read-only frame pointer and never an "r" operand. */
#define __BPF_ARENA_REG_BYTE                                                                             \
	".ifc %[__v], r0\n\t.byte 0x00\n\t.endif\n\t"                                                    \
	".ifc %[__v], r1\n\t.byte 0x11\n\t.endif\n\t"                                                    \
	".ifc %[__v], r2\n\t.byte 0x22\n\t.endif\n\t"                                                    \
	".ifc %[__v], r3\n\t.byte 0x33\n\t.endif\n\t"                                                    \
	".ifc %[__v], r4\n\t.byte 0x44\n\t.endif\n\t"                                                    \
	".ifc %[__v], r5\n\t.byte 0x55\n\t.endif\n\t"                                                    \
	".ifc %[__v], r6\n\t.byte 0x66\n\t.endif\n\t"                                                    \
	".ifc %[__v], r7\n\t.byte 0x77\n\t.endif\n\t"                                                    \
	".ifc %[__v], r8\n\t.byte 0x88\n\t.endif\n\t"                                                    \
	".ifc %[__v], r9\n\t.byte 0x99\n\t.endif\n\t"

/* imm is a literal string: the BPF assembler of LLVM 14 takes no C suffixes such as 1u. */
#define __bpf_arena_addr_space_cast(var, imm)                                                            \
	asm volatile(".byte 0xbf\n\t" __BPF_ARENA_REG_BYTE ".short 1\n\t.long " imm                     \
		     : [__v] "+r"(var))

#define cast_kern(var) do { __bpf_arena_addr_space_cast(var, "0x1"); } while (0)
#define cast_user(var) do { __bpf_arena_addr_space_cast(var, "0x10000"); } while (0)

#else /* user space */

#define BPF_ARENA_NATIVE_CASTS 0
#define __arena
#define __arena_global
#define cast_kern(var) do { } while (0)
#define cast_user(var) do { } while (0)

#endif

#endif /* BPF_ARENA_CAST_H */
