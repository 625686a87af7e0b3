/* `arena features`: what this machine and this build can do, one word per line. lit reads it to set its
 * features, so a test that needs the kernel's arena runs exactly where the kernel has one.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "arena_loader.h"
#include "bpf_arena_uapi.h"
#include "cli.h"

void usage_features(void)
{
	printf("usage: arena features [--why]\n\n"
	       "Prints one word per supported feature:\n"
	       "  kernel-arena   the running kernel created an arena map for this process\n"
	       "  user-backend   the user-space kernel is built in (user-interp, user-jit: its engines)\n"
	       "--why prints, on stderr, why a feature is absent.\n");
}

/* Creating a one-page arena is the only reliable probe: libbpf 1.1's type probe wrongly says no. */
static int probe_kernel_arena(void)
{
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_ARENA;
	attr.max_entries = 1;
	attr.map_flags = BPF_F_MMAPABLE;
	fd = syscall(__NR_bpf, BPF_MAP_CREATE, &attr, sizeof(attr));
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

int cmd_features(int argc, char **argv)
{
	int why = argc > 1 && !strcmp(argv[1], "--why");
	const char *const *engines = arena_user_engines();
	int err = probe_kernel_arena();

	if (!err)
		printf("kernel-arena\n");
	else if (why)
		fprintf(stderr, "kernel-arena: creating an arena map failed: %s\n", strerror(-err));
	if (engines) {
		printf("user-backend\n");
		for (const char *const *e = engines; *e; e++)
			printf("user-%s\n", *e);
	} else if (why) {
		fprintf(stderr, "user-backend: the user-space kernel is not built into this tool\n");
	}
	return 0;
}
