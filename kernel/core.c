/* ukern core: the bpf(2) command dispatcher and the object model behind it.
 *
 * Every object (map, program, BTF) owns a memfd that is its identity: the fds handed to callers are dups of
 * it, so an object is found again from any fd by (st_dev, st_ino) of fstat(), and dup()/close() behave as
 * on the kernel. Maps that user space mmaps keep their contents in that memfd (array data, arena pages).
 * Objects are never freed: the kernel frees on the last reference, but a close() of a memfd dup is not
 * observable from here; a test process creates few objects, so the leak is bounded and documented.
 *
 * Commands copy the caller's attr (any size up to ours; the tail is zero) into a local union, and write back
 * only the fields the kernel writes back, within the caller's size.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/btf.h>

#include "internal.h"

/* ---- messages ------------------------------------------------------------------------------------- */

static int default_print(enum ukern_print_level level, const char *fmt, va_list ap)
{
	if (level == UKERN_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static ukern_print_fn print_fn = default_print;

ukern_print_fn ukern_set_print(ukern_print_fn fn)
{
	ukern_print_fn old = print_fn;

	print_fn = fn;
	return old;
}

void ukern_log(enum ukern_print_level level, const char *fmt, ...)
{
	va_list ap;

	if (!print_fn)
		return;
	va_start(ap, fmt);
	print_fn(level, fmt, ap);
	va_end(ap);
}

/* ---- verifier log ------------------------------------------------------------------------------- */

/* ukern_vlog_printf() lives in verifier/vlog.c (it keeps the head of the text and stops counting at the
 * buffer's end); a log that filled its buffer is taken as truncated. */

int ukern_vlog_finish(struct ukern_vlog *log, int err, uint32_t *true_size)
{
	if (true_size)
		*true_size = log->level ? log->len + 1 : 0;
	if (!err && log->level && log->buf && log->size && log->len + 1 >= log->size)
		return -ENOSPC;
	return err;
}

/* ---- object registry ---------------------------------------------------------------------------- */

struct obj_entry {
	enum ukern_obj_kind kind;
	dev_t dev;
	ino_t ino;
	uint32_t id;
	void *ptr;
};

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct obj_entry *objs;
static size_t nobjs, capobjs;
static uint32_t next_ids[4];

uint32_t ukern_id_alloc(enum ukern_obj_kind kind)
{
	return __atomic_add_fetch(&next_ids[kind], 1, __ATOMIC_RELAXED);
}

static uint32_t obj_id(enum ukern_obj_kind kind, void *ptr)
{
	switch (kind) {
	case UKERN_OBJ_MAP: return ((struct ukern_map *)ptr)->id;
	case UKERN_OBJ_PROG: return ((struct ukern_prog *)ptr)->id;
	case UKERN_OBJ_BTF: return ((struct ukern_btf *)ptr)->id;
	}
	return 0;
}

int ukern_memfd_new(const char *name, uint64_t size)
{
	char label[64];
	int fd;

	snprintf(label, sizeof(label), "ukern-%s", name && *name ? name : "obj");
	fd = memfd_create(label, MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (size && ftruncate(fd, size)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

int ukern_obj_adopt(enum ukern_obj_kind kind, void *ptr, int memfd, ino_t *ino)
{
	struct stat st;

	if (fstat(memfd, &st))
		return -errno;
	pthread_mutex_lock(&reg_lock);
	if (nobjs == capobjs) {
		size_t ncap = capobjs ? capobjs * 2 : 64;
		struct obj_entry *n = realloc(objs, ncap * sizeof(*n));

		if (!n) {
			pthread_mutex_unlock(&reg_lock);
			return -ENOMEM;
		}
		objs = n;
		capobjs = ncap;
	}
	objs[nobjs++] = (struct obj_entry){ kind, st.st_dev, st.st_ino, obj_id(kind, ptr), ptr };
	pthread_mutex_unlock(&reg_lock);
	*ino = st.st_ino;
	return 0;
}

int ukern_obj_register(enum ukern_obj_kind kind, void *ptr, const char *name, uint64_t size, ino_t *ino)
{
	int fd = ukern_memfd_new(name, size), err;

	if (fd < 0)
		return fd;
	err = ukern_obj_adopt(kind, ptr, fd, ino);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

int ukern_obj_new_fd(int memfd)
{
	int fd = fcntl(memfd, F_DUPFD_CLOEXEC, 0);

	return fd < 0 ? -errno : fd;
}

static struct obj_entry *obj_find(int fd)
{
	struct stat st;

	if (fd < 0 || fstat(fd, &st))
		return NULL;
	for (size_t i = 0; i < nobjs; i++)
		if (objs[i].ino == st.st_ino && objs[i].dev == st.st_dev)
			return &objs[i];
	return NULL;
}

void *ukern_obj_from_fd(int fd, enum ukern_obj_kind kind)
{
	struct obj_entry *e;
	void *ptr = NULL;

	pthread_mutex_lock(&reg_lock);
	e = obj_find(fd);
	if (e && e->kind == kind)
		ptr = e->ptr;
	pthread_mutex_unlock(&reg_lock);
	return ptr;
}

void *ukern_obj_by_id(enum ukern_obj_kind kind, uint32_t id)
{
	void *ptr = NULL;

	pthread_mutex_lock(&reg_lock);
	for (size_t i = 0; i < nobjs; i++)
		if (objs[i].kind == kind && objs[i].id == id)
			ptr = objs[i].ptr;
	pthread_mutex_unlock(&reg_lock);
	return ptr;
}

uint32_t ukern_obj_next_id(enum ukern_obj_kind kind, uint32_t after)
{
	uint32_t best = 0;

	pthread_mutex_lock(&reg_lock);
	for (size_t i = 0; i < nobjs; i++)
		if (objs[i].kind == kind && objs[i].id > after && (!best || objs[i].id < best))
			best = objs[i].id;
	pthread_mutex_unlock(&reg_lock);
	return best;
}

bool ukern_owns_fd(int fd)
{
	bool found;

	pthread_mutex_lock(&reg_lock);
	found = obj_find(fd) != NULL;
	pthread_mutex_unlock(&reg_lock);
	return found;
}

struct ukern_map *ukern_map_from_fd(int fd)
{
	return ukern_obj_from_fd(fd, UKERN_OBJ_MAP);
}

struct ukern_prog *ukern_prog_from_fd(int fd)
{
	return ukern_obj_from_fd(fd, UKERN_OBJ_PROG);
}

/* ---- maps --------------------------------------------------------------------------------------- */

static const struct ukern_map_ops *map_ops_for(uint32_t type)
{
	switch (type) {
	case BPF_MAP_TYPE_ARRAY: return &ukern_array_map_ops;
	case BPF_MAP_TYPE_HASH: return &ukern_hash_map_ops;
	case BPF_MAP_TYPE_ARENA: return &ukern_arena_map_ops;
	}
	return NULL;
}

/* The kernel's bpf_obj_name_cpy: alphanumerics, '_' and '.', NUL within the field. */
static int obj_name_copy(char *dst, const char *src)
{
	size_t i;

	memset(dst, 0, BPF_OBJ_NAME_LEN);
	for (i = 0; i < BPF_OBJ_NAME_LEN && src[i]; i++) {
		char c = src[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
		      c == '.'))
			return -EINVAL;
		dst[i] = c;
	}
	return i == BPF_OBJ_NAME_LEN ? -EINVAL : 0;
}

static long map_create(union bpf_attr *attr)
{
	const struct ukern_map_ops *ops = map_ops_for(attr->map_type);
	struct ukern_map *map;
	int err, memfd;

	if (!ops) {
		ukern_log(UKERN_DEBUG, "ukern: map type %u is not supported by the user-space kernel\n",
			  attr->map_type);
		return -EINVAL;
	}
	map = calloc(1, sizeof(*map));
	if (!map)
		return -ENOMEM;
	map->ops = ops;
	map->type = attr->map_type;
	map->key_size = attr->key_size;
	map->value_size = attr->value_size;
	map->max_entries = attr->max_entries;
	map->flags = attr->map_flags;
	map->map_extra = attr->map_extra;
	map->btf_key_type_id = attr->btf_key_type_id;
	map->btf_value_type_id = attr->btf_value_type_id;
	err = obj_name_copy(map->name, attr->map_name);
	if (err)
		goto fail;
	if (attr->btf_fd && (attr->btf_key_type_id || attr->btf_value_type_id)) {
		struct ukern_btf *btf = ukern_obj_from_fd(attr->btf_fd, UKERN_OBJ_BTF);

		if (!btf) {
			err = -EBADF;
			goto fail;
		}
		map->btf_id = btf->id;
	}
	map->memfd = -1;
	err = ops->alloc(map, attr);
	if (err)
		goto fail;
	map->id = ukern_id_alloc(UKERN_OBJ_MAP);
	/* Map types that keep their data in a memfd create it in alloc; the rest get a bare identity. */
	if (map->memfd < 0) {
		memfd = ukern_memfd_new(map->name, 0);
		if (memfd < 0) {
			err = memfd;
			goto fail_free;
		}
		map->memfd = memfd;
	}
	err = ukern_obj_adopt(UKERN_OBJ_MAP, map, map->memfd, &map->ino);
	if (err)
		goto fail_free;
	return ukern_obj_new_fd(map->memfd);
fail_free:
	ops->free(map);
fail:
	free(map);
	return err;
}

static long map_elem_cmd(int cmd, union bpf_attr *attr)
{
	struct ukern_map *map = ukern_map_from_fd(attr->map_fd);
	void *key = (void *)(uintptr_t)attr->key;
	int err;

	if (!map)
		return -EBADF;
	if (!map->key_size && key) /* the kernel's __bpf_copy_key: a key for a keyless map is invalid */
		return -EINVAL;
	switch (cmd) {
	case BPF_MAP_LOOKUP_ELEM: {
		void *v;

		if (attr->flags & ~(uint64_t)BPF_F_LOCK)
			return -EINVAL;
		if (map->type == BPF_MAP_TYPE_ARENA)
			return -EINVAL;
		v = map->ops->lookup(map, key);
		if (!v)
			return -ENOENT;
		memcpy((void *)(uintptr_t)attr->value, v, map->value_size);
		return 0;
	}
	case BPF_MAP_UPDATE_ELEM:
		if (map->frozen)
			return -EPERM;
		return map->ops->update(map, key, (void *)(uintptr_t)attr->value, attr->flags);
	case BPF_MAP_DELETE_ELEM:
		if (map->frozen)
			return -EPERM;
		return map->ops->delete(map, key);
	case BPF_MAP_GET_NEXT_KEY:
		err = map->ops->get_next_key(map, key, (void *)(uintptr_t)attr->next_key);
		return err;
	}
	return -EINVAL;
}

/* Does user space hold a writable shared mapping of the map? The kernel counts them (writecnt) at mmap and
 * munmap; we see no munmap, so we look at /proc/self/maps: a mapping of the map's memfd outside our own,
 * writable, or (arena) anywhere in the user range while the arena was mapped writable. */
static bool map_has_writable_user_mapping(struct ukern_map *map)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned long start, end, ino;
		char perms[8];

		if (sscanf(line, "%lx-%lx %7s %*s %*s %lu", &start, &end, perms, &ino) != 4 || ino != map->ino)
			continue;
		if (start >= map->own_start && end <= map->own_end)
			continue;
		found = perms[1] == 'w' || (map->type == BPF_MAP_TYPE_ARENA && ukern_arena_user_writable(map));
	}
	fclose(f);
	return found;
}

static long map_freeze(union bpf_attr *attr)
{
	struct ukern_map *map = ukern_map_from_fd(attr->map_fd);

	if (!map)
		return -EBADF;
	if (map_has_writable_user_mapping(map))
		return -EBUSY;
	if (map->frozen) /* a frozen map lost its syscall write permission: the kernel says -EPERM */
		return -EPERM;
	map->frozen = true;
	return 0;
}

void *ukern_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	struct ukern_map *map = ukern_map_from_fd(fd);
	void *p;

	if (!map) {
		errno = ukern_owns_fd(fd) ? ENODEV : EBADF;
		return MAP_FAILED;
	}
	if (!map->ops->mmap) {
		errno = ENODEV;
		return MAP_FAILED;
	}
	if (!(flags & MAP_SHARED)) { /* the kernel maps bpf maps shared only */
		errno = EINVAL;
		return MAP_FAILED;
	}
	if (map->frozen && (prot & PROT_WRITE)) {
		errno = EPERM;
		return MAP_FAILED;
	}
	p = map->ops->mmap(map, addr, len, prot, flags, off);
	return p;
}

/* ---- BTF ---------------------------------------------------------------------------------------- */

static long btf_load(union bpf_attr *attr)
{
	struct ukern_vlog log = { (char *)(uintptr_t)attr->btf_log_buf, attr->btf_log_size, attr->btf_log_level };
	struct ukern_btf *b;
	struct btf *parsed;
	int memfd;

	if (!attr->btf || !attr->btf_size)
		return -EINVAL;
	if (log.level && (!log.buf || log.size < 128))
		return -EINVAL;
	/* libbpf's parser accepts what the kernel of its era accepted: good enough to answer feature probes
	 * honestly (kinds it does not know are refused, as an older kernel would). */
	parsed = btf__new((void *)(uintptr_t)attr->btf, attr->btf_size);
	if (!parsed) {
		ukern_vlog_printf(&log, "BTF blob refused by the user-space kernel's parser\n");
		return -EINVAL;
	}
	btf__free(parsed);
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->data = malloc(attr->btf_size);
	if (!b->data) {
		free(b);
		return -ENOMEM;
	}
	memcpy(b->data, (void *)(uintptr_t)attr->btf, attr->btf_size);
	b->size = attr->btf_size;
	b->id = ukern_id_alloc(UKERN_OBJ_BTF);
	memfd = ukern_obj_register(UKERN_OBJ_BTF, b, "btf", 0, &b->ino);
	if (memfd < 0) {
		free(b->data);
		free(b);
		return memfd;
	}
	b->memfd = memfd;
	return ukern_obj_new_fd(memfd);
}

static struct btf *vmlinux_btf;
static pthread_once_t vmlinux_once = PTHREAD_ONCE_INIT;

static void vmlinux_load(void)
{
	vmlinux_btf = btf__load_vmlinux_btf();
	if (!vmlinux_btf) {
		vmlinux_btf = NULL;
		ukern_log(UKERN_WARN, "ukern: cannot load the running kernel's BTF: kfunc calls will be refused\n");
	}
}

const char *ukern_vmlinux_func_name(uint32_t btf_id)
{
	const struct btf_type *t;

	pthread_once(&vmlinux_once, vmlinux_load);
	if (!vmlinux_btf)
		return NULL;
	t = btf__type_by_id(vmlinux_btf, btf_id);
	if (!t || !btf_is_func(t))
		return NULL;
	return btf__name_by_offset(vmlinux_btf, t->name_off);
}

/* ---- object info -------------------------------------------------------------------------------- */

/* Copies our info struct out within the caller's info_len, as the kernel's bpf_obj_get_info_by_fd. */
static int info_copy_out(union bpf_attr *attr, const void *info, uint32_t ours)
{
	uint32_t len = attr->info.info_len < ours ? attr->info.info_len : ours;
	const unsigned char *tail = (const unsigned char *)(uintptr_t)attr->info.info;

	/* The kernel refuses a bigger struct whose tail it does not know unless that tail is zero. */
	for (uint32_t i = ours; i < attr->info.info_len; i++)
		if (tail[i])
			return -E2BIG;
	memcpy((void *)(uintptr_t)attr->info.info, info, len);
	attr->info.info_len = len;
	return 0;
}

static int map_get_info(struct ukern_map *map, union bpf_attr *attr)
{
	struct bpf_map_info info;

	memset(&info, 0, sizeof(info));
	info.type = map->type;
	info.id = map->id;
	info.key_size = map->key_size;
	info.value_size = map->value_size;
	info.max_entries = map->max_entries;
	info.map_flags = map->flags;
	memcpy(info.name, map->name, sizeof(info.name));
	info.btf_id = map->btf_id;
	info.btf_key_type_id = map->btf_key_type_id;
	info.btf_value_type_id = map->btf_value_type_id;
	info.map_extra = map->map_extra;
	return info_copy_out(attr, &info, sizeof(info));
}

static int btf_get_info(struct ukern_btf *b, union bpf_attr *attr)
{
	struct bpf_btf_info info, in;
	uint32_t n = attr->info.info_len < sizeof(in) ? attr->info.info_len : sizeof(in);

	memset(&in, 0, sizeof(in));
	memcpy(&in, (void *)(uintptr_t)attr->info.info, n);
	memset(&info, 0, sizeof(info));
	info.btf = in.btf;
	info.btf_size = b->size;
	info.id = b->id;
	if (in.btf && in.btf_size) {
		if (in.btf_size < b->size)
			return -ENOSPC;
		memcpy((void *)(uintptr_t)in.btf, b->data, b->size);
	}
	info.name = in.name;
	info.name_len = in.name_len;
	return info_copy_out(attr, &info, sizeof(info));
}

static long obj_get_info(union bpf_attr *attr, union bpf_attr *uattr, unsigned int size)
{
	void *p;
	int err;

	if ((p = ukern_obj_from_fd(attr->info.bpf_fd, UKERN_OBJ_MAP)))
		err = map_get_info(p, attr);
	else if ((p = ukern_obj_from_fd(attr->info.bpf_fd, UKERN_OBJ_PROG)))
		err = ukern_prog_get_info(p, attr);
	else if ((p = ukern_obj_from_fd(attr->info.bpf_fd, UKERN_OBJ_BTF)))
		err = btf_get_info(p, attr);
	else
		return -EBADF;
	if (!err && size >= offsetof(union bpf_attr, info.info_len) + sizeof(uattr->info.info_len))
		uattr->info.info_len = attr->info.info_len;
	return err;
}

static long get_fd_by_id(int cmd, union bpf_attr *attr)
{
	enum ukern_obj_kind kind = cmd == BPF_MAP_GET_FD_BY_ID ? UKERN_OBJ_MAP :
				   cmd == BPF_PROG_GET_FD_BY_ID ? UKERN_OBJ_PROG : UKERN_OBJ_BTF;
	void *p = ukern_obj_by_id(kind, attr->start_id);

	if (!p)
		return -ENOENT;
	switch (kind) {
	case UKERN_OBJ_MAP: return ukern_obj_new_fd(((struct ukern_map *)p)->memfd);
	case UKERN_OBJ_PROG: return ukern_obj_new_fd(((struct ukern_prog *)p)->memfd);
	case UKERN_OBJ_BTF: return ukern_obj_new_fd(((struct ukern_btf *)p)->memfd);
	}
	return -EINVAL;
}

static long get_next_id(int cmd, union bpf_attr *attr, union bpf_attr *uattr, unsigned int size)
{
	enum ukern_obj_kind kind = cmd == BPF_MAP_GET_NEXT_ID ? UKERN_OBJ_MAP :
				   cmd == BPF_PROG_GET_NEXT_ID ? UKERN_OBJ_PROG : UKERN_OBJ_BTF;
	uint32_t next = ukern_obj_next_id(kind, attr->start_id);

	if (!next)
		return -ENOENT;
	if (size >= offsetof(union bpf_attr, next_id) + sizeof(uattr->next_id))
		uattr->next_id = next;
	return 0;
}

/* ---- the door ------------------------------------------------------------------------------------ */

long ukern_bpf(int cmd, union bpf_attr *uattr, unsigned int size)
{
	union bpf_attr attr;

	if (!uattr)
		return -EFAULT;
	memset(&attr, 0, sizeof(attr));
	memcpy(&attr, uattr, size < sizeof(attr) ? size : sizeof(attr));

	switch (cmd) {
	case BPF_MAP_CREATE:
		return map_create(&attr);
	case BPF_MAP_LOOKUP_ELEM:
	case BPF_MAP_UPDATE_ELEM:
	case BPF_MAP_DELETE_ELEM:
	case BPF_MAP_GET_NEXT_KEY:
		return map_elem_cmd(cmd, &attr);
	case BPF_MAP_FREEZE:
		return map_freeze(&attr);
	case BPF_PROG_LOAD: {
		/* log_true_size (6.4 UAPI, after core_relo_rec_size) is written back whatever the outcome. */
		const size_t true_off = offsetof(union bpf_attr, core_relo_rec_size) + sizeof(uint32_t);
		uint32_t true_size = 0;
		long r = ukern_prog_load(&attr, uattr, size, &true_size);

		if (size >= true_off + sizeof(uint32_t))
			memcpy((char *)uattr + true_off, &true_size, sizeof(true_size));
		return r;
	}
	case BPF_PROG_TEST_RUN:
		return ukern_prog_test_run(&attr, uattr, size);
	case BPF_PROG_BIND_MAP:
		return ukern_prog_bind_map(&attr);
	case BPF_OBJ_GET_INFO_BY_FD:
		return obj_get_info(&attr, uattr, size);
	case BPF_BTF_LOAD:
		return btf_load(&attr);
	case BPF_MAP_GET_FD_BY_ID:
	case BPF_PROG_GET_FD_BY_ID:
	case BPF_BTF_GET_FD_BY_ID:
		return get_fd_by_id(cmd, &attr);
	case BPF_MAP_GET_NEXT_ID:
	case BPF_PROG_GET_NEXT_ID:
	case BPF_BTF_GET_NEXT_ID:
		return get_next_id(cmd, &attr, uattr, size);
	}
	ukern_log(UKERN_DEBUG, "ukern: bpf command %d is not supported by the user-space kernel\n", cmd);
	return -EINVAL;
}
