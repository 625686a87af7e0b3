/* Running loaded programs (BPF_PROG_TEST_RUN) and reading back what the kernel made of them. */
#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "loader_internal.h"

#define DEFAULT_PACKET_SIZE 64

/* Program types whose test-run takes a packet and honours repeat; the rest run once without data. */
static int takes_packet(enum bpf_prog_type type)
{
	switch (type) {
	case BPF_PROG_TYPE_XDP:
	case BPF_PROG_TYPE_SCHED_CLS:
	case BPF_PROG_TYPE_SCHED_ACT:
	case BPF_PROG_TYPE_SOCKET_FILTER:
		return 1;
	default:
		return 0;
	}
}

int arena_prog__run(struct arena_obj *obj, struct bpf_program *prog, const struct arena_run_opts *opts,
		    struct arena_run_result *res)
{
	static const unsigned char zero_packet[DEFAULT_PACKET_SIZE];
	unsigned char out[DEFAULT_PACKET_SIZE * 4];
	LIBBPF_OPTS(bpf_test_run_opts, topts);
	int fd = bpf_program__fd(prog), err;

	if (fd < 0) {
		pr_warn("%s: program '%s' is not loaded\n", arena_obj__name(obj), bpf_program__name(prog));
		return -EBADF;
	}
	if (opts && opts->sz < sizeof(size_t))
		return -EINVAL;
	err = seam_set_backend(arena_obj__backend(obj));
	if (err)
		return err;
	if (takes_packet(bpf_program__type(prog))) {
		topts.data_in = opts && opts->data_in ? opts->data_in : zero_packet;
		topts.data_size_in = opts && opts->data_in ? opts->data_size_in : sizeof(zero_packet);
		if (topts.data_size_in <= sizeof(out)) {
			topts.data_out = out;
			topts.data_size_out = sizeof(out);
		}
		topts.repeat = opts ? opts->repeat : 0;
	} else if (opts) {
		topts.ctx_in = opts->ctx_in;
		topts.ctx_size_in = opts->ctx_size_in;
	}
	err = bpf_prog_test_run_opts(fd, &topts);
	if (err) {
		err = -errno;
		pr_warn("%s: test-run of program '%s' failed: %s\n", arena_obj__name(obj), bpf_program__name(prog),
			strerror(-err));
		return err;
	}
	res->retval = (int32_t)topts.retval;
	res->duration_ns = topts.duration;
	return 0;
}

/* Fetches one of the prog_info arrays: first its length, then its contents. */
static int prog_info_array(struct arena_obj *obj, const struct bpf_program *prog, int jited, void **buf,
			   uint32_t *len)
{
	struct bpf_prog_info info;
	uint32_t info_len = sizeof(info);
	int fd = bpf_program__fd(prog), err;
	uint32_t n;

	*buf = NULL;
	*len = 0;
	if (fd < 0)
		return -EBADF;
	err = seam_set_backend(arena_obj__backend(obj));
	if (err)
		return err;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &info_len))
		return -errno;
	n = jited ? info.jited_prog_len : info.xlated_prog_len;
	if (!n)
		return 0;
	*buf = calloc(1, n);
	if (!*buf)
		return -ENOMEM;
	memset(&info, 0, sizeof(info));
	if (jited) {
		info.jited_prog_len = n;
		info.jited_prog_insns = (uint64_t)(uintptr_t)*buf;
	} else {
		info.xlated_prog_len = n;
		info.xlated_prog_insns = (uint64_t)(uintptr_t)*buf;
	}
	info_len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &info_len)) {
		err = -errno;
		free(*buf);
		*buf = NULL;
		return err;
	}
	*len = n;
	return 0;
}

int arena_prog__jited(struct arena_obj *obj, const struct bpf_program *prog, void **image, uint32_t *len)
{
	return prog_info_array(obj, prog, 1, image, len);
}

int arena_prog__xlated(struct arena_obj *obj, const struct bpf_program *prog, void **insns, uint32_t *len)
{
	return prog_info_array(obj, prog, 0, insns, len);
}

int arena_prog__jit_listing(struct arena_obj *obj, const struct bpf_program *prog, FILE *out)
{
	if (arena_obj__backend(obj) != ARENA_BACKEND_USER)
		return -EOPNOTSUPP;
	return seam_jit_listing(bpf_program__fd(prog), out);
}
