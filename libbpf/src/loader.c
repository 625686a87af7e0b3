/* arena_obj: a libbpf object plus the arena work libbpf 1.1 does not do.
 *
 * Load order (it matters): the arena map is created by us and mmapped into this process first, at
 * map_extra when the object fixes it (MAP_FIXED_NOREPLACE: never over an existing mapping), else where the
 * kernel chooses; the kernel records the user address at that first mmap, and refuses arena programs
 * without one. libbpf then reuses that fd for the arena map and for the renamed `.addr_space.1` data map
 * (see elf_fixup.c), so every reference to an arena global becomes user_vm_start + offset. The globals'
 * initial image is copied into the mapping before the programs load (the copy also faults the pages in,
 * which the kernel allows unless BPF_F_SEGV_ON_FAULT). Only then does bpf_object__load() run.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bpf_arena_uapi.h"
#include "loader_internal.h"

#define LOG_BUF_SIZE_DEFAULT (1u << 20)
#define LOG_BUF_SIZE_VERBOSE (64u << 20)

struct prog_log {
	struct bpf_program *prog;
	char *buf;
	size_t size;
};

struct arena_obj {
	char *name;
	void *image;          /* the ELF, possibly patched; libbpf may look at it until close */
	size_t image_size;
	struct bpf_object *bpf;
	enum arena_backend backend;
	uint32_t log_level;
	size_t log_size;
	struct bpf_map *arena_map;
	struct bpf_map *globals_map;  /* the renamed .addr_space.1, or NULL */
	void *globals_init;           /* copy of its initial image */
	size_t globals_size;
	int arena_fd;
	void *arena_base;
	size_t arena_size;
	uint32_t arena_flags;
	struct prog_log *logs;
	size_t nr_logs;
	int loaded;
};

static int read_file(const char *path, void **buf, size_t *size)
{
	struct stat st;
	ssize_t n;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		int err = -errno;

		close(fd);
		return err;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	}
	*buf = malloc(st.st_size ? st.st_size : 1);
	if (!*buf) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size && (n = read(fd, (char *)*buf + got, st.st_size - got)) > 0)
		got += n;
	close(fd);
	if (got != (size_t)st.st_size) {
		free(*buf);
		return -EIO;
	}
	*size = got;
	return 0;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static int find_arena_maps(struct arena_obj *obj)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj->bpf) {
		const char *name = bpf_map__name(map);

		if (bpf_map__type(map) == (enum bpf_map_type)BPF_MAP_TYPE_ARENA) {
			if (obj->arena_map) {
				pr_warn("%s: maps '%s' and '%s' are both arenas; one arena per object is supported\n",
					obj->name, bpf_map__name(obj->arena_map), name);
				return -EINVAL;
			}
			obj->arena_map = map;
		} else if (bpf_map__is_internal(map) && strstr(name, ARENA_GLOBALS_RENAMED + 6)) {
			obj->globals_map = map;
		}
	}
	if (obj->globals_map && !obj->arena_map) {
		pr_warn("%s: has __arena globals (section %s) but declares no arena map; declare one in .maps\n",
			obj->name, ARENA_GLOBALS_SEC);
		return -ENOENT;
	}
	return 0;
}

static int apply_map_extra(const char *map_name, uint64_t value, void *ctx)
{
	struct arena_obj *obj = ctx;
	struct bpf_map *map = bpf_object__find_map_by_name(obj->bpf, map_name);
	int err;

	if (!map) {
		pr_warn("%s: %s%s names no map of the object\n", obj->name, ARENA_MAP_EXTRA_PREFIX, map_name);
		return -ENOENT;
	}
	if (!value)
		return 0;
	err = bpf_map__set_map_extra(map, value);
	if (err)
		pr_warn("%s: map '%s': setting map_extra 0x%llx failed: %s\n", obj->name, map_name,
			(unsigned long long)value, strerror(-err));
	return err;
}

struct arena_obj *arena_obj__open(const char *path, const struct arena_open_opts *opts)
{
	LIBBPF_OPTS(bpf_object_open_opts, lopts);
	struct arena_obj *obj;
	char err[256] = "";
	int ret;

	arena_print_hook_libbpf();
	if (opts && opts->sz < offsetof(struct arena_open_opts, log_level)) {
		errno = EINVAL;
		return NULL;
	}
	obj = calloc(1, sizeof(*obj));
	if (!obj) {
		errno = ENOMEM;
		return NULL;
	}
	obj->arena_fd = -1;
	obj->name = strdup(opts && opts->sz > offsetof(struct arena_open_opts, object_name) && opts->object_name ?
			   opts->object_name : base_name(path));
	obj->backend = opts ? opts->backend : ARENA_BACKEND_KERNEL;
	obj->log_level = opts ? opts->log_level : 0;
	if (opts && opts->sz > offsetof(struct arena_open_opts, log_size))
		obj->log_size = opts->log_size;

	ret = seam_set_backend(obj->backend);
	if (ret) {
		pr_warn("%s: the user-space kernel backend is not built into this program\n", obj->name);
		goto fail;
	}
	if (opts && opts->engine) {
		ret = seam_set_engine(opts->engine);
		if (ret) {
			pr_warn("%s: engine '%s' is not available on the %s backend\n", obj->name, opts->engine,
				obj->backend == ARENA_BACKEND_USER ? "user" : "kernel");
			goto fail;
		}
	}
	ret = read_file(path, &obj->image, &obj->image_size);
	if (ret) {
		pr_warn("%s: cannot read '%s': %s\n", obj->name, path, strerror(-ret));
		goto fail;
	}
	ret = elf_rename_arena_globals(obj->image, obj->image_size, err, sizeof(err));
	if (ret < 0) {
		pr_warn("%s: %s\n", obj->name, err);
		goto fail;
	}
	lopts.object_name = obj->name;
	obj->bpf = bpf_object__open_mem(obj->image, obj->image_size, &lopts);
	if (!obj->bpf) {
		ret = -errno;
		pr_warn("%s: libbpf cannot open the object: %s\n", obj->name, strerror(-ret));
		goto fail;
	}
	ret = elf_for_each_map_extra(obj->image, obj->image_size, apply_map_extra, obj);
	if (ret)
		goto fail;
	ret = find_arena_maps(obj);
	if (ret)
		goto fail;
	return obj;
fail:
	arena_obj__close(obj);
	errno = -ret;
	return NULL;
}

/* Creates the arena map and maps it; the kernel fixes user_vm_start at this first mmap. */
static int create_arena(struct arena_obj *obj)
{
	struct bpf_map *map = obj->arena_map;
	uint32_t pages = bpf_map__max_entries(map);
	uint64_t extra = bpf_map__map_extra(map);
	uint32_t flags = bpf_map__map_flags(map);
	LIBBPF_OPTS(bpf_map_create_opts, copts);
	int mflags = MAP_SHARED;
	void *base;
	int fd;

	if (pages == 0 || pages > BPF_ARENA_MAX_PAGES) {
		pr_warn("%s: arena '%s': max_entries is %u pages; it must be 1..%u (at most 4 GiB)\n", obj->name,
			bpf_map__name(map), pages, BPF_ARENA_MAX_PAGES);
		return -E2BIG;
	}
	if (!(flags & BPF_F_MMAPABLE)) {
		pr_warn("%s: arena '%s': map_flags lacks BPF_F_MMAPABLE, which the kernel requires for arenas\n",
			obj->name, bpf_map__name(map));
		return -EINVAL;
	}
	if (extra & (BPF_ARENA_PAGE_SIZE - 1)) {
		pr_warn("%s: arena '%s': map_extra 0x%llx is not page aligned\n", obj->name, bpf_map__name(map),
			(unsigned long long)extra);
		return -EINVAL;
	}
	if (obj->globals_size > (size_t)pages * BPF_ARENA_PAGE_SIZE) {
		pr_warn("%s: arena '%s': %zu bytes of __arena globals do not fit in %u pages\n", obj->name,
			bpf_map__name(map), obj->globals_size, pages);
		return -E2BIG;
	}
	if (obj->globals_size && (flags & BPF_F_SEGV_ON_FAULT)) {
		pr_warn("%s: arena '%s': __arena globals need their pages faulted in from user space, which "
			"BPF_F_SEGV_ON_FAULT forbids\n", obj->name, bpf_map__name(map));
		return -EINVAL;
	}
	copts.map_flags = flags;
	copts.map_extra = extra;
	fd = bpf_map_create((enum bpf_map_type)BPF_MAP_TYPE_ARENA, bpf_map__name(map), 0, 0, pages, &copts);
	if (fd < 0) {
		int err = -errno;

		if (err == -EINVAL && obj->backend == ARENA_BACKEND_KERNEL)
			pr_warn("%s: arena '%s': the kernel refused to create it (%s); BPF arena needs Linux 6.9+ "
				"with CONFIG_BPF_SYSCALL and an MMU, and valid flags/size\n", obj->name,
				bpf_map__name(map), strerror(-err));
		else
			pr_warn("%s: arena '%s': creating the map failed: %s\n", obj->name, bpf_map__name(map),
				strerror(-err));
		return err;
	}
	obj->arena_size = (size_t)pages * BPF_ARENA_PAGE_SIZE;
	if (extra)
		mflags |= MAP_FIXED_NOREPLACE;
	base = seam_mmap(extra ? (void *)(uintptr_t)extra : NULL, obj->arena_size, PROT_READ | PROT_WRITE, mflags,
			 fd, 0);
	if (base == MAP_FAILED) {
		int err = -errno;

		pr_warn("%s: arena '%s': mapping %zu bytes%s failed: %s\n", obj->name, bpf_map__name(map),
			obj->arena_size, extra ? " at its map_extra address" : "", strerror(-err));
		close(fd);
		return err;
	}
	if (extra && base != (void *)(uintptr_t)extra) {
		pr_warn("%s: arena '%s': mapped at %p instead of map_extra 0x%llx\n", obj->name, bpf_map__name(map),
			base, (unsigned long long)extra);
		munmap(base, obj->arena_size);
		close(fd);
		return -EADDRNOTAVAIL;
	}
	obj->arena_fd = fd;
	obj->arena_base = base;
	obj->arena_flags = flags;
	return 0;
}

static int set_log_buffers(struct arena_obj *obj)
{
	struct bpf_program *prog;
	size_t n = 0, size = obj->log_size ? obj->log_size :
			     obj->log_level >= 2 ? LOG_BUF_SIZE_VERBOSE : LOG_BUF_SIZE_DEFAULT;

	bpf_object__for_each_program(prog, obj->bpf)
		n++;
	obj->logs = calloc(n ? n : 1, sizeof(*obj->logs));
	if (!obj->logs)
		return -ENOMEM;
	bpf_object__for_each_program(prog, obj->bpf) {
		struct prog_log *l = &obj->logs[obj->nr_logs++];

		l->prog = prog;
		l->size = size;
		l->buf = calloc(1, size);
		if (!l->buf)
			return -ENOMEM;
		bpf_program__set_log_buf(prog, l->buf, size);
		if (obj->log_level)
			bpf_program__set_log_level(prog, obj->log_level);
	}
	return 0;
}

/* libbpf 1.1 makes .bss/.data/.rodata live in this process only for skeletons; without one,
 * bpf_map__initial_value() keeps pointing at a private copy. Map each global-data map over that copy, as
 * libbpf 1.2+ does, so the pointer shows what the programs see. */
static int map_global_data(struct arena_obj *obj)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj->bpf) {
		size_t sz = 0, len;
		void *cur, *got;
		int prot = PROT_READ | PROT_WRITE;

		if (!bpf_map__is_internal(map) || map == obj->globals_map ||
		    !(bpf_map__map_flags(map) & BPF_F_MMAPABLE))
			continue;
		/* libbpf 1.1 returns it const; it is the writable mapping libbpf made at open. */
		cur = (void *)bpf_map__initial_value(map, &sz);
		if (!cur || !sz)
			continue;
		if (bpf_map__map_flags(map) & BPF_F_RDONLY_PROG)
			prot = PROT_READ; /* .rodata is frozen: the kernel refuses writable mappings */
		len = (sz + BPF_ARENA_PAGE_SIZE - 1) & ~(size_t)(BPF_ARENA_PAGE_SIZE - 1);
		got = seam_mmap(cur, len, prot, MAP_SHARED | MAP_FIXED, bpf_map__fd(map), 0);
		if (got == MAP_FAILED) {
			int err = -errno;

			pr_warn("%s: map '%s': mapping the global data into this process failed: %s\n", obj->name,
				bpf_map__name(map), strerror(-err));
			return err;
		}
	}
	return 0;
}

int arena_obj__load(struct arena_obj *obj)
{
	int err;

	if (!obj)
		return -EINVAL;
	if (obj->loaded)
		return -EALREADY;
	err = seam_set_backend(obj->backend);
	if (err)
		return err;
	if (obj->globals_map) {
		size_t sz = 0;
		const void *init = bpf_map__initial_value(obj->globals_map, &sz);

		obj->globals_size = sz;
		obj->globals_init = malloc(sz ? sz : 1);
		if (!obj->globals_init)
			return -ENOMEM;
		if (init)
			memcpy(obj->globals_init, init, sz);
		else
			memset(obj->globals_init, 0, sz);
	}
	if (obj->arena_map) {
		err = create_arena(obj);
		if (err)
			return err;
		err = bpf_map__reuse_fd(obj->arena_map, obj->arena_fd);
		if (!err && obj->globals_map)
			err = bpf_map__reuse_fd(obj->globals_map, obj->arena_fd);
		if (err) {
			pr_warn("%s: handing the arena to libbpf failed: %s\n", obj->name, strerror(-err));
			return err;
		}
		if (obj->globals_size)
			memcpy(obj->arena_base, obj->globals_init, obj->globals_size);
	}
	err = set_log_buffers(obj);
	if (err)
		return err;
	seam_set_arena_fd(obj->arena_fd);
	err = bpf_object__load(obj->bpf);
	seam_set_arena_fd(-1);
	if (err) {
		pr_warn("%s: loading failed: %s\n", obj->name, strerror(-err));
		return err;
	}
	err = map_global_data(obj);
	if (err)
		return err;
	obj->loaded = 1;
	return 0;
}

void arena_obj__close(struct arena_obj *obj)
{
	if (!obj)
		return;
	if (obj->bpf)
		bpf_object__close(obj->bpf);
	for (size_t i = 0; i < obj->nr_logs; i++)
		free(obj->logs[i].buf);
	free(obj->logs);
	if (obj->arena_base)
		munmap(obj->arena_base, obj->arena_size);
	if (obj->arena_fd >= 0)
		close(obj->arena_fd);
	free(obj->globals_init);
	free(obj->image);
	free(obj->name);
	free(obj);
}

struct bpf_object *arena_obj__bpf(const struct arena_obj *obj)
{
	return obj->bpf;
}

const char *arena_obj__name(const struct arena_obj *obj)
{
	return obj->name;
}

enum arena_backend arena_obj__backend(const struct arena_obj *obj)
{
	return obj->backend;
}

struct bpf_map *arena_obj__arena_map(const struct arena_obj *obj)
{
	return obj->arena_map;
}

void *arena_obj__arena_base(const struct arena_obj *obj)
{
	return obj->arena_base;
}

size_t arena_obj__arena_size(const struct arena_obj *obj)
{
	return obj->arena_base ? obj->arena_size : 0;
}

void *arena_obj__arena_globals(const struct arena_obj *obj)
{
	return obj->globals_map ? obj->arena_base : NULL;
}

void *arena_obj__ptr(const struct arena_obj *obj, uint64_t value)
{
	if (!value || !obj->arena_base)
		return value ? (void *)(uintptr_t)value : NULL;
	/* Under BPF_F_NO_USER_CONV a stored pointer carries only the low 32 bits. */
	if (!(value >> 32))
		value |= (uint64_t)(uintptr_t)obj->arena_base & ~0xffffffffull;
	return (void *)(uintptr_t)value;
}

uint64_t arena_obj__value(const struct arena_obj *obj, const void *ptr)
{
	return (uint64_t)(uintptr_t)ptr;
}

int arena_obj__contains(const struct arena_obj *obj, const void *p, size_t len)
{
	uintptr_t b = (uintptr_t)obj->arena_base, a = (uintptr_t)p;

	return obj->arena_base && a >= b && len <= obj->arena_size && a - b <= obj->arena_size - len;
}

const char *arena_prog__log(const struct arena_obj *obj, const struct bpf_program *prog)
{
	for (size_t i = 0; i < obj->nr_logs; i++) {
		if (obj->logs[i].prog == prog)
			return obj->logs[i].buf;
	}
	return "";
}

void *arena_obj__global(const struct arena_obj *obj, const char *name)
{
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec;
	struct btf *btf = bpf_object__btf(obj->bpf);
	int id;

	if (!btf || !obj->arena_base || !obj->globals_map)
		goto none;
	id = btf__find_by_name_kind(btf, ARENA_GLOBALS_RENAMED, BTF_KIND_DATASEC);
	if (id < 0)
		goto none;
	sec = btf__type_by_id(btf, id);
	vs = btf_var_secinfos(sec);
	for (int i = 0; i < btf_vlen(sec); i++, vs++) {
		const struct btf_type *var = btf__type_by_id(btf, vs->type);

		if (var && !strcmp(btf__name_by_offset(btf, var->name_off), name))
			return (char *)obj->arena_base + vs->offset;
	}
none:
	errno = ENOENT;
	return NULL;
}
