/* ukern: the kernel side of BPF arena, re-implemented in user space. This header is the room's only door.
 *
 * The contract is the bpf(2) command ABI: ukern_bpf() takes the same (cmd, attr, size) as the syscall and
 * returns what the syscall would (a file descriptor or 0 on success) or a negative errno. Objects are real
 * file descriptors (memfd-backed), so close(), dup() and mmap() of map fds work as they do on the kernel;
 * the loader routes bpf(2) and the mmap of an arena fd here instead of to the kernel (libbpf/README.md).
 */
#ifndef UKERN_H
#define UKERN_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdarg.h>
#include <sys/types.h>

/* Same arguments and results as syscall(__NR_bpf, cmd, attr, size), but errors come back as -errno
 * (errno is left alone). Unsupported commands and types give -EINVAL or -EOPNOTSUPP and log why. */
long ukern_bpf(int cmd, union bpf_attr *attr, unsigned int size);

/* True when fd refers to an object ukern created (a dup of one counts). */
bool ukern_owns_fd(int fd);

/* mmap() of a ukern map fd: same arguments and results as mmap(2) (MAP_FAILED and errno on error).
 * For an arena this is where the user address is decided, as the kernel does at the first mmap. */
void *ukern_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);

/* Engines that run programs, NULL-terminated: "interp", and "jit" when the JIT is built in. */
const char *const *ukern_engine_list(void);

/* Selects the engine programs loaded from now on run with; -EINVAL for an unknown name. Default: the
 * fastest available. */
int ukern_set_engine(const char *name);

/* Prints the JITed image of the program behind prog_fd as x86-64 assembly, one block per BPF instruction,
 * each arena access marked with what a fault on an absent page does. 0, -EBADF when prog_fd is not one of
 * ours, -ENOENT when the program has no JITed image (it runs on the interpreter). */
int ukern_prog_jit_listing(int prog_fd, FILE *out);

/* Messages (verifier logs go to the log buffer of the command, as on the kernel; this is for the rest). */
enum ukern_print_level { UKERN_WARN, UKERN_INFO, UKERN_DEBUG };
typedef int (*ukern_print_fn)(enum ukern_print_level level, const char *fmt, va_list ap);
ukern_print_fn ukern_set_print(ukern_print_fn fn);

#endif /* UKERN_H */
