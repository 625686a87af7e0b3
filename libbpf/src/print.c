/* Message plumbing: one settable callback for the loader's messages and, forwarded, libbpf's. */
#include <stdarg.h>
#include <stdio.h>

#include <bpf/libbpf.h>

#include "loader_internal.h"

static int default_print(enum arena_print_level level, const char *fmt, va_list ap)
{
	if (level != ARENA_WARN)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static arena_print_fn print_fn = default_print;

arena_print_fn arena_set_print(arena_print_fn fn)
{
	arena_print_fn old = print_fn;

	print_fn = fn;
	return old;
}

void arena_pr(enum arena_print_level level, const char *fmt, ...)
{
	va_list ap;

	if (!print_fn)
		return;
	va_start(ap, fmt);
	print_fn(level, fmt, ap);
	va_end(ap);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	enum arena_print_level ours = level == LIBBPF_WARN ? ARENA_WARN :
				      level == LIBBPF_INFO ? ARENA_INFO : ARENA_DEBUG;

	if (!print_fn)
		return 0;
	return print_fn(ours, fmt, ap);
}

void arena_print_hook_libbpf(void)
{
	static int hooked;

	if (!hooked) {
		libbpf_set_print(libbpf_print);
		hooked = 1;
	}
}
