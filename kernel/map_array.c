/* BPF_MAP_TYPE_ARRAY: fixed slots indexed by a u32 key, with the kernel's element stride (value_size rounded
 * up to 8). The data always lives in the map's memfd, mapped once here: lookups return addresses inside
 * that mapping, and a user mmap() of the map fd (libbpf's .bss/.data/.rodata, BPF_F_MMAPABLE) maps the same
 * pages, so both sides see one copy as on the kernel (file offset 0 is element 0).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

struct array_priv {
	char *data;
	uint64_t elem_size, bytes;
};

static int array_alloc(struct ukern_map *map, const union bpf_attr *attr)
{
	const uint32_t allowed = BPF_F_MMAPABLE | BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG | BPF_F_RDONLY |
				 BPF_F_WRONLY | BPF_F_NUMA_NODE | BPF_F_PRESERVE_ELEMS | BPF_F_INNER_MAP;
	struct array_priv *a;
	uint64_t bytes;
	int fd;

	if (attr->max_entries == 0 || attr->key_size != 4 || attr->value_size == 0 || (attr->map_flags & ~allowed))
		return -EINVAL;
	if (attr->value_size > (1u << 20) - 8) /* KMALLOC_MAX_SIZE-ish bound the kernel applies */
		return -E2BIG;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->elem_size = (attr->value_size + 7) & ~7ull;
	bytes = a->elem_size * attr->max_entries;
	a->bytes = (bytes + 4095) & ~4095ull;
	fd = ukern_memfd_new(attr->map_name, a->bytes);
	if (fd < 0) {
		free(a);
		return fd;
	}
	a->data = mmap(NULL, a->bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (a->data == MAP_FAILED) {
		int err = -errno;

		close(fd);
		free(a);
		return err;
	}
	map->memfd = fd;
	map->priv = a;
	map->own_start = (uintptr_t)a->data;
	map->own_end = (uintptr_t)a->data + a->bytes;
	return 0;
}

static void array_free(struct ukern_map *map)
{
	struct array_priv *a = map->priv;

	if (!a)
		return;
	munmap(a->data, a->bytes);
	close(map->memfd);
	free(a);
}

static void *array_lookup(struct ukern_map *map, const void *key)
{
	struct array_priv *a = map->priv;
	uint32_t i;

	memcpy(&i, key, sizeof(i));
	if (i >= map->max_entries)
		return NULL;
	return a->data + (uint64_t)i * a->elem_size;
}

static int array_update(struct ukern_map *map, const void *key, const void *value, uint64_t flags)
{
	uint32_t i;
	void *slot;

	if ((flags & ~(uint64_t)BPF_F_LOCK) > BPF_EXIST)
		return -EINVAL;
	memcpy(&i, key, sizeof(i));
	if (i >= map->max_entries)
		return -E2BIG;
	if ((flags & ~(uint64_t)BPF_F_LOCK) == BPF_NOEXIST)
		return -EEXIST; /* all elements always exist */
	slot = array_lookup(map, key);
	memcpy(slot, value, map->value_size);
	return 0;
}

static int array_delete(struct ukern_map *map, const void *key)
{
	return -EINVAL;
}

static int array_get_next_key(struct ukern_map *map, const void *key, void *next_key)
{
	uint32_t i, n;

	if (key)
		memcpy(&i, key, sizeof(i));
	if (!key || i >= map->max_entries) {
		n = 0;
	} else {
		if (i == map->max_entries - 1)
			return -ENOENT;
		n = i + 1;
	}
	memcpy(next_key, &n, sizeof(n));
	return 0;
}

static int array_direct_value_addr(struct ukern_map *map, uint32_t off, uint64_t *addr)
{
	struct array_priv *a = map->priv;

	if (map->max_entries != 1)
		return -EOPNOTSUPP;
	if (off >= map->value_size)
		return -EINVAL;
	*addr = (uint64_t)(uintptr_t)a->data + off;
	return 0;
}

static void *array_mmap(struct ukern_map *map, void *addr, size_t len, int prot, int flags, off_t off)
{
	struct array_priv *a = map->priv;

	if (!(map->flags & BPF_F_MMAPABLE) || off < 0 || (off & 4095) || (uint64_t)off + len > a->bytes) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	return mmap(addr, len, prot, flags, map->memfd, off);
}

const struct ukern_map_ops ukern_array_map_ops = {
	.alloc = array_alloc,
	.free = array_free,
	.lookup = array_lookup,
	.update = array_update,
	.delete = array_delete,
	.get_next_key = array_get_next_key,
	.direct_value_addr = array_direct_value_addr,
	.mmap = array_mmap,
};
