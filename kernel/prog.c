/* Programs: BPF_PROG_LOAD (copy, load-time fixups, verification, engine), BPF_PROG_TEST_RUN with the
 * kernel's context conventions, BPF_PROG_BIND_MAP and the program half of BPF_OBJ_GET_INFO_BY_FD.
 *
 * Load-time fixups are the part of the kernel's bpf_check() that resolves references rather than proving
 * safety (resolve_pseudo_ldimm64, kfunc lookup): ld_imm64 of maps and map values become addresses, calls get
 * their helper/kfunc proto or subprogram target in aux[]. The verifier (verifier/, weak) then proves the
 * program safe and marks arena accesses; without it the core logs a warning and the interpreter falls back
 * to classifying arena accesses by address (below 4 GiB).
 *
 * XDP test runs put the packet in memory below 2 GiB (MAP_32BIT), so the 32-bit data/data_end fields of
 * struct xdp_md are real addresses and no context rewriting is needed by either engine.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#pragma weak ukern_verify

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static bool prog_type_supported(uint32_t type)
{
	return type == BPF_PROG_TYPE_SYSCALL || type == BPF_PROG_TYPE_XDP || type == BPF_PROG_TYPE_SOCKET_FILTER;
}

static int prog_add_map(struct ukern_prog *prog, struct ukern_map *map)
{
	struct ukern_map **n;

	for (uint32_t i = 0; i < prog->map_cnt; i++)
		if (prog->maps[i] == map)
			return 0;
	n = realloc(prog->maps, (prog->map_cnt + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	prog->maps = n;
	prog->maps[prog->map_cnt++] = map;
	return 0;
}

/* The kernel's __add_used_map checks for arena, in its order and words. */
static int prog_use_map(struct ukern_prog *prog, struct ukern_map *map, struct ukern_vlog *log)
{
	if (map->type == BPF_MAP_TYPE_ARENA && prog->arena != map) {
		struct ukern_arena_view v;

		if (prog->arena) {
			ukern_vlog_printf(log, "Only one arena per program\n");
			return -EBUSY;
		}
		prog->arena = map;
		ukern_arena_view(map, &v);
		if (!v.user_vm_start) {
			ukern_vlog_printf(log, "arena's user address must be set via map_extra or mmap()\n");
			return -EINVAL;
		}
	}
	return prog_add_map(prog, map);
}

static int resolve_ldimm64(struct ukern_prog *prog, uint32_t i, const union bpf_attr *attr,
			   struct ukern_vlog *log)
{
	struct bpf_insn *insn = &prog->insns[i];
	struct ukern_insn_aux *aux = &prog->aux[i];
	uint64_t value;
	int fd, err;

	if (i + 1 >= prog->insn_cnt || insn[1].code || insn[1].dst_reg || insn[1].src_reg || insn[1].off) {
		ukern_vlog_printf(log, "invalid bpf_ld_imm64 insn\n");
		return -EINVAL;
	}
	switch (insn->src_reg) {
	case 0:
		return 0;
	case BPF_PSEUDO_MAP_FD:
	case BPF_PSEUDO_MAP_VALUE:
	case BPF_PSEUDO_MAP_IDX:
	case BPF_PSEUDO_MAP_IDX_VALUE: {
		struct ukern_map *map;

		fd = insn->imm;
		if (insn->src_reg == BPF_PSEUDO_MAP_IDX || insn->src_reg == BPF_PSEUDO_MAP_IDX_VALUE) {
			const int32_t *fds = (const int32_t *)(uintptr_t)attr->fd_array;

			if (!fds) {
				ukern_vlog_printf(log, "fd_idx without fd_array is invalid\n");
				return -EPROTO;
			}
			fd = fds[insn->imm];
		}
		map = ukern_map_from_fd(fd);
		if (!map) {
			ukern_vlog_printf(log, "fd %d is not pointing to valid bpf_map\n", fd);
			return -EBADF;
		}
		err = prog_use_map(prog, map, log);
		if (err)
			return err;
		if (insn->src_reg == BPF_PSEUDO_MAP_VALUE || insn->src_reg == BPF_PSEUDO_MAP_IDX_VALUE) {
			uint32_t off = (uint32_t)insn[1].imm;

			err = map->ops->direct_value_addr(map, off, &value);
			if (err == -EOPNOTSUPP) {
				ukern_vlog_printf(log, "direct value access on map type %u not supported\n", map->type);
				return -EINVAL;
			}
			if (err) {
				ukern_vlog_printf(log, "invalid access to map value pointer, value_size=%u off=%u\n",
						  map->value_size, off);
				return err;
			}
			aux->flags |= UKERN_AUX_LDIMM_VALUE;
		} else {
			value = (uintptr_t)map;
			aux->flags |= UKERN_AUX_LDIMM_MAP;
		}
		aux->map = map;
		insn[0].imm = (int32_t)(uint32_t)value;
		insn[1].imm = (int32_t)(uint32_t)(value >> 32);
		return 0;
	}
	case BPF_PSEUDO_FUNC: {
		int64_t t = (int64_t)i + insn->imm + 1;

		if (t < 0 || t >= prog->insn_cnt) {
			ukern_vlog_printf(log, "invalid func reference %d\n", insn->imm);
			return -EINVAL;
		}
		aux->flags |= UKERN_AUX_LDIMM_FUNC;
		aux->target = (int32_t)t;
		insn[0].imm = (int32_t)t;
		insn[1].imm = 0;
		return 0;
	}
	case BPF_PSEUDO_BTF_ID:
		ukern_vlog_printf(log, "ksym variables (ld_imm64 of a kernel BTF id) are not supported by the "
				  "user-space kernel\n");
		return -EINVAL;
	}
	ukern_vlog_printf(log, "unrecognized bpf_ld_imm64 insn\n");
	return -EINVAL;
}

static int resolve_call(struct ukern_prog *prog, uint32_t i, struct ukern_vlog *log)
{
	struct bpf_insn *insn = &prog->insns[i];
	struct ukern_insn_aux *aux = &prog->aux[i];

	switch (insn->src_reg) {
	case 0:
		aux->call = ukern_helper_proto(insn->imm);
		if (!aux->call) {
			ukern_vlog_printf(log, "invalid func unknown#%d\n", insn->imm);
			return -EINVAL;
		}
		return 0;
	case BPF_PSEUDO_CALL: {
		int64_t t = (int64_t)i + insn->imm + 1;

		if (t < 0 || t >= prog->insn_cnt) {
			ukern_vlog_printf(log, "function call to invalid destination %lld\n", (long long)t);
			return -EINVAL;
		}
		aux->target = (int32_t)t;
		return 0;
	}
	case BPF_PSEUDO_KFUNC_CALL: {
		const char *name;

		if (insn->off) {
			ukern_vlog_printf(log, "kfuncs of kernel modules are not supported by the user-space kernel\n");
			return -EINVAL;
		}
		name = ukern_vmlinux_func_name((uint32_t)insn->imm);
		if (!name) {
			ukern_vlog_printf(log, "kernel btf_id %d is not a function\n", insn->imm);
			return -EINVAL;
		}
		aux->call = ukern_kfunc_proto(name);
		if (!aux->call) {
			ukern_vlog_printf(log, "calling kernel function %s is not allowed\n", name);
			return -EACCES;
		}
		return 0;
	}
	}
	ukern_vlog_printf(log, "unknown call kind %u at insn %u\n", insn->src_reg, i);
	return -EINVAL;
}

static int prog_fixup(struct ukern_prog *prog, const union bpf_attr *attr, struct ukern_vlog *log)
{
	for (uint32_t i = 0; i < prog->insn_cnt; i++) {
		struct bpf_insn *insn = &prog->insns[i];
		uint8_t cls = BPF_CLASS(insn->code);
		int err = 0;

		if (insn->code == (BPF_LD | BPF_IMM | BPF_DW)) {
			err = resolve_ldimm64(prog, i, attr, log);
			i++;
		} else if (insn->code == (BPF_JMP | BPF_CALL)) {
			err = resolve_call(prog, i, log);
		} else if (cls == BPF_LD) {
			ukern_vlog_printf(log, "BPF_LD_[ABS|IND] instructions are not supported by the user-space "
					  "kernel\n");
			err = -EINVAL;
		}
		if (err)
			return err;
	}
	return 0;
}

/* union bpf_attr's prog_load fields newer than the system header (6.4: log_true_size, 6.14: fd_array_cnt) */
#define FD_ARRAY_CNT_OFF (offsetof(union bpf_attr, core_relo_rec_size) + 4 + 4 + 4)

long ukern_prog_load(union bpf_attr *attr, const void *uattr_raw, unsigned int size, uint32_t *true_size)
{
	const uint32_t allowed_flags = BPF_F_STRICT_ALIGNMENT | BPF_F_ANY_ALIGNMENT | BPF_F_TEST_RND_HI32 |
				       BPF_F_TEST_STATE_FREQ | BPF_F_SLEEPABLE | BPF_F_XDP_HAS_FRAGS;
	struct ukern_vlog log = { (char *)(uintptr_t)attr->log_buf, attr->log_size, attr->log_level, 0 };
	struct ukern_prog *prog;
	int err, memfd;

	if ((attr->log_buf && !attr->log_size) || (attr->log_size && !attr->log_buf) ||
	    (attr->log_level && !attr->log_buf) || (attr->log_buf && attr->log_size < 128) ||
	    (attr->log_level & ~31u))
		return -EINVAL;
	if (attr->log_buf)
		log.buf[0] = 0;
	if (attr->prog_flags & ~allowed_flags)
		return -EINVAL;
	if (!prog_type_supported(attr->prog_type)) {
		ukern_log(UKERN_DEBUG, "ukern: program type %u is not supported by the user-space kernel\n",
			  attr->prog_type);
		return -EINVAL;
	}
	if (!attr->insn_cnt)
		return -EINVAL;
	if (attr->insn_cnt > 1000000)
		return -E2BIG;
	prog = calloc(1, sizeof(*prog));
	if (!prog)
		return -ENOMEM;
	prog->type = attr->prog_type;
	prog->expected_attach_type = attr->expected_attach_type;
	prog->prog_flags = attr->prog_flags;
	prog->func_info_cnt = attr->func_info_cnt;
	prog->insn_cnt = attr->insn_cnt;
	prog->insns = malloc(sizeof(struct bpf_insn) * prog->insn_cnt);
	prog->aux = calloc(prog->insn_cnt, sizeof(*prog->aux));
	if (!prog->insns || !prog->aux) {
		err = -ENOMEM;
		goto fail;
	}
	memcpy(prog->insns, (void *)(uintptr_t)attr->insns, sizeof(struct bpf_insn) * prog->insn_cnt);
	memset(prog->name, 0, sizeof(prog->name));
	for (int i = 0; i < (int)BPF_OBJ_NAME_LEN - 1 && attr->prog_name[i]; i++) {
		char c = attr->prog_name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
		      c == '.')) {
			err = -EINVAL;
			goto fail;
		}
		prog->name[i] = c;
	}
	for (uint32_t i = 0; i < prog->insn_cnt; i++)
		prog->aux[i].target = -1;

	/* Since 6.14 the maps in fd_array[0..fd_array_cnt) are bound to the program before verification
	 * (the seam uses it to associate the arena); the count lives past Debian's 6.1 union. */
	if (size >= FD_ARRAY_CNT_OFF + sizeof(uint32_t) && uattr_raw) {
		uint32_t cnt;
		const int32_t *fds = (const int32_t *)(uintptr_t)attr->fd_array;

		memcpy(&cnt, (const char *)uattr_raw + FD_ARRAY_CNT_OFF, sizeof(cnt));
		for (uint32_t i = 0; cnt && fds && i < cnt; i++) {
			struct ukern_map *map = ukern_map_from_fd(fds[i]);

			if (map)
				err = prog_use_map(prog, map, &log);
			else if (ukern_obj_from_fd(fds[i], UKERN_OBJ_BTF))
				err = 0;
			else
				err = -EBADF;
			if (err)
				goto fail_log;
		}
	}
	err = prog_fixup(prog, attr, &log);
	if (err)
		goto fail_log;
	if (prog->type == BPF_PROG_TYPE_SYSCALL && !(prog->prog_flags & BPF_F_SLEEPABLE)) {
		ukern_vlog_printf(&log, "Syscall programs can only be sleepable\n");
		err = -EINVAL;
		goto fail_log;
	}
	if (ukern_verify) {
		err = ukern_verify(prog, &log);
		if (err)
			goto fail_log;
		prog->verified = true;
	} else {
		static bool warned;

		if (!warned)
			ukern_log(UKERN_WARN, "ukern: no verifier linked in: programs are accepted unchecked\n");
		warned = true;
		if (!prog->stack_depth)
			prog->stack_depth = 512;
	}
	err = ukern_vlog_finish(&log, 0, true_size);
	if (err)
		goto fail;
	if (!strcmp(ukern_engine_current(), "jit") && ukern_jit_compile) {
		err = ukern_jit_compile(prog);
		if (err) {
			ukern_log(UKERN_WARN, "ukern: JIT compilation of '%s' failed: %d\n", prog->name, err);
			goto fail;
		}
	}
	prog->id = ukern_id_alloc(UKERN_OBJ_PROG);
	prog->load_time = now_ns(CLOCK_BOOTTIME);
	memfd = ukern_obj_register(UKERN_OBJ_PROG, prog, prog->name, 0, &prog->ino);
	if (memfd < 0) {
		err = memfd;
		goto fail;
	}
	prog->memfd = memfd;
	return ukern_obj_new_fd(memfd);
fail_log:
	ukern_vlog_finish(&log, err, true_size);
fail:
	/* The one place a program object dies (a failure after the JIT ran): its image and fault region go too. */
	if (prog->jit_image && ukern_jit_free)
		ukern_jit_free(prog);
	free(prog->interp_code);
	free(prog->insns);
	free(prog->aux);
	free(prog->maps);
	free(prog);
	return err;
}

long ukern_prog_bind_map(union bpf_attr *attr)
{
	struct ukern_prog *prog = ukern_prog_from_fd(attr->prog_bind_map.prog_fd);
	struct ukern_map *map = ukern_map_from_fd(attr->prog_bind_map.map_fd);

	if (attr->prog_bind_map.flags)
		return -EINVAL;
	if (!prog || !map)
		return -EBADF;
	return prog_add_map(prog, map);
}

/* ---- running ------------------------------------------------------------------------------------ */

static uint64_t prog_run(struct ukern_prog *prog, void *ctx)
{
	if (prog->jit_entry)
		return prog->jit_entry(ctx);
	return ukern_interp_run(prog, ctx);
}

struct xdp_md_ctx { /* struct xdp_md: the 32-bit fields a program reads */
	uint32_t data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex;
};

#define XDP_HEADROOM 256u
#define XDP_TAILROOM 320u /* SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) on x86-64 */
#define XDP_FRAME 4096u

static long test_run_xdp(struct ukern_prog *prog, union bpf_attr *attr, union bpf_attr *uattr, unsigned int size)
{
	uint32_t len = attr->test.data_size_in, repeat = attr->test.repeat ? attr->test.repeat : 1;
	struct xdp_md_ctx ctx = { 0 };
	uint64_t t0, t1, ret = 0;
	uint32_t out_len;
	char *frame;
	long err = 0;

	if (attr->test.flags || attr->test.batch_size || attr->test.cpu)
		return -EINVAL;
	if (attr->test.ctx_size_in || attr->test.ctx_out) {
		ukern_log(UKERN_INFO, "ukern: xdp test runs with a context are not supported\n");
		return -EOPNOTSUPP;
	}
	if (len < 14 || len > XDP_FRAME - XDP_HEADROOM - XDP_TAILROOM || !attr->test.data_in)
		return -EINVAL;
	frame = mmap(NULL, XDP_FRAME, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (frame == MAP_FAILED)
		return -ENOMEM;
	memcpy(frame + XDP_HEADROOM, (void *)(uintptr_t)attr->test.data_in, len);
	ctx.data = ctx.data_meta = (uint32_t)(uintptr_t)(frame + XDP_HEADROOM);
	ctx.data_end = ctx.data + len;
	ctx.ingress_ifindex = 1; /* loopback, as the kernel's test run */
	t0 = now_ns(CLOCK_MONOTONIC);
	for (uint32_t i = 0; i < repeat; i++)
		ret = prog_run(prog, &ctx);
	t1 = now_ns(CLOCK_MONOTONIC);
	prog->run_cnt += repeat;
	prog->run_time_ns += t1 - t0;
	out_len = ctx.data_end - ctx.data;
	if (attr->test.data_out) {
		uint32_t cap = attr->test.data_size_out;

		if (cap && cap < out_len)
			err = -ENOSPC;
		memcpy((void *)(uintptr_t)attr->test.data_out, (void *)(uintptr_t)ctx.data,
		       cap && cap < out_len ? cap : out_len);
	}
	uattr->test.data_size_out = out_len;
	uattr->test.retval = (uint32_t)ret;
	uattr->test.duration = (uint32_t)((t1 - t0) / repeat);
	munmap(frame, XDP_FRAME);
	return err;
}

static long test_run_syscall(struct ukern_prog *prog, union bpf_attr *attr, union bpf_attr *uattr)
{
	uint32_t n = attr->test.ctx_size_in;
	void *ctx = NULL;
	uint64_t t0, ret;

	if (attr->test.data_in || attr->test.data_out || attr->test.ctx_out || attr->test.duration ||
	    attr->test.repeat || attr->test.flags || attr->test.batch_size)
		return -EINVAL;
	if (n > 65535)
		return -EINVAL;
	if (n) {
		ctx = calloc(1, n);
		if (!ctx)
			return -ENOMEM;
		memcpy(ctx, (void *)(uintptr_t)attr->test.ctx_in, n);
	}
	t0 = now_ns(CLOCK_MONOTONIC);
	ret = prog_run(prog, ctx);
	prog->run_time_ns += now_ns(CLOCK_MONOTONIC) - t0;
	prog->run_cnt++;
	uattr->test.retval = (uint32_t)ret;
	if (n)
		memcpy((void *)(uintptr_t)attr->test.ctx_in, ctx, n);
	free(ctx);
	return 0;
}

long ukern_prog_test_run(union bpf_attr *attr, union bpf_attr *uattr, unsigned int size)
{
	struct ukern_prog *prog = ukern_prog_from_fd(attr->test.prog_fd);

	if (!prog)
		return ukern_owns_fd(attr->test.prog_fd) ? -EINVAL : -EBADF;
	switch (prog->type) {
	case BPF_PROG_TYPE_SYSCALL:
		return test_run_syscall(prog, attr, uattr);
	case BPF_PROG_TYPE_XDP:
		return test_run_xdp(prog, attr, uattr, size);
	}
	ukern_log(UKERN_INFO, "ukern: test runs of program type %u are not supported\n", prog->type);
	return -EOPNOTSUPP;
}

/* ---- info --------------------------------------------------------------------------------------- */

/* What the kernel shows as xlated: map references by id (src_reg kept), the rest as rewritten. */
static void xlated_dump(const struct ukern_prog *prog, struct bpf_insn *out)
{
	memcpy(out, prog->insns, prog->insn_cnt * sizeof(*out));
	for (uint32_t i = 0; i < prog->insn_cnt; i++) {
		const struct ukern_insn_aux *aux = &prog->aux[i];

		if (aux->flags & UKERN_AUX_LDIMM_MAP) {
			out[i].src_reg = BPF_PSEUDO_MAP_FD;
			out[i].imm = aux->map->id;
			out[i + 1].imm = 0;
		} else if ((aux->flags & UKERN_AUX_LDIMM_VALUE) && aux->map->type != BPF_MAP_TYPE_ARENA) {
			uint64_t base = 0, addr = ((uint64_t)(uint32_t)out[i + 1].imm << 32) | (uint32_t)out[i].imm;

			aux->map->ops->direct_value_addr(aux->map, 0, &base);
			out[i].src_reg = BPF_PSEUDO_MAP_VALUE;
			out[i].imm = aux->map->id;
			out[i + 1].imm = (int32_t)(addr - base);
		}
	}
}

int ukern_prog_get_info(struct ukern_prog *prog, union bpf_attr *attr)
{
	struct bpf_prog_info in, info;
	uint32_t ulen = attr->info.info_len < sizeof(in) ? attr->info.info_len : sizeof(in);
	uint32_t xlen = prog->insn_cnt * sizeof(struct bpf_insn);
	const unsigned char *tail = (const unsigned char *)(uintptr_t)attr->info.info;

	for (uint32_t i = sizeof(in); i < attr->info.info_len; i++)
		if (tail[i])
			return -E2BIG;
	memset(&in, 0, sizeof(in));
	memcpy(&in, (void *)(uintptr_t)attr->info.info, ulen);
	memset(&info, 0, sizeof(info));
	info.type = prog->type;
	info.id = prog->id;
	memcpy(info.name, prog->name, sizeof(info.name));
	info.load_time = prog->load_time;
	info.created_by_uid = getuid();
	info.gpl_compatible = 1;
	info.run_time_ns = prog->run_time_ns;
	info.run_cnt = prog->run_cnt;
	info.verified_insns = prog->insn_cnt;

	info.xlated_prog_len = xlen;
	info.xlated_prog_insns = in.xlated_prog_insns;
	if (in.xlated_prog_insns && in.xlated_prog_len) {
		struct bpf_insn *x = malloc(xlen);

		if (!x)
			return -ENOMEM;
		xlated_dump(prog, x);
		memcpy((void *)(uintptr_t)in.xlated_prog_insns, x, in.xlated_prog_len < xlen ? in.xlated_prog_len : xlen);
		free(x);
	}
	info.jited_prog_len = prog->jit_image ? prog->jit_len : 0;
	info.jited_prog_insns = in.jited_prog_insns;
	if (prog->jit_image && in.jited_prog_insns && in.jited_prog_len)
		memcpy((void *)(uintptr_t)in.jited_prog_insns, prog->jit_image,
		       in.jited_prog_len < prog->jit_len ? in.jited_prog_len : prog->jit_len);
	info.nr_map_ids = prog->map_cnt;
	info.map_ids = in.map_ids;
	if (in.map_ids) {
		uint32_t *ids = (uint32_t *)(uintptr_t)in.map_ids;

		for (uint32_t i = 0; i < prog->map_cnt && i < in.nr_map_ids; i++)
			ids[i] = prog->maps[i]->id;
	}
	memcpy((void *)(uintptr_t)attr->info.info, &info, ulen);
	attr->info.info_len = ulen;
	return 0;
}
