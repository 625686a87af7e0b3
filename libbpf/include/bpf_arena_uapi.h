/* Arena constants of the kernel UAPI, defined once for the whole project.
 *
 * Debian's linux-libc-dev (6.1) predates arena (6.9). The values below are the running kernel's (checked
 * against its BTF: `bpftool btf dump file /sys/kernel/btf/vmlinux format c`). They are macros only where the
 * system headers lack them, so a newer <linux/bpf.h> wins without a clash. Usable from BPF and user code.
 */
#ifndef BPF_ARENA_UAPI_H
#define BPF_ARENA_UAPI_H

#if !defined(__bpf__) || defined(__has_include)
#if defined(__has_include)
#if __has_include(<linux/version.h>)
#include <linux/version.h>
#endif
#endif
#endif

#if !defined(LINUX_VERSION_CODE) || LINUX_VERSION_CODE < 0x060900 /* 6.9: arena in the UAPI */
#ifndef BPF_MAP_TYPE_ARENA
#define BPF_MAP_TYPE_ARENA 33
#endif
#ifndef BPF_F_SEGV_ON_FAULT
#define BPF_F_SEGV_ON_FAULT (1U << 17)
#endif
#ifndef BPF_F_NO_USER_CONV
#define BPF_F_NO_USER_CONV (1U << 18)
#endif
#ifndef BPF_ADDR_SPACE_CAST
#define BPF_ADDR_SPACE_CAST 1 /* insn->off of BPF_ALU64|BPF_MOV|BPF_X marking addr_space_cast */
#endif
#ifndef BPF_JCOND
#define BPF_JCOND 0xe0 /* BPF_JMP|BPF_JCOND with src_reg BPF_MAY_GOTO is may_goto */
#endif
#ifndef BPF_MAY_GOTO
#define BPF_MAY_GOTO 0
#endif
#endif

#ifndef BPF_F_MMAPABLE
#define BPF_F_MMAPABLE (1U << 10)
#endif

/* addr_space_cast immediates: (dst_as << 16) | src_as. */
#define BPF_ARENA_CAST_KERN_IMM 1u         /* as 1 -> 0: result is PTR_TO_ARENA */
#define BPF_ARENA_CAST_USER_IMM (1u << 16) /* as 0 -> 1: back to the user-visible form */

#define BPF_ARENA_PAGE_SIZE 4096u
#define BPF_ARENA_MAX_PAGES (1u << 20) /* 4 GiB of address space */

#endif /* BPF_ARENA_UAPI_H */
