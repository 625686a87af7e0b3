/* In-memory fix-ups that let libbpf 1.1 open objects it otherwise refuses.
 *
 * clang-19 puts `__arena` globals in a section named `.addr_space.1`, described in BTF by a DATASEC of the
 * same name. libbpf 1.1 fails on relocations against it ("bad map relo"). Renamed to `.data.arena_1` (the
 * same length, so the string tables are patched in place and no offset moves), libbpf opens it as a custom
 * data section: it keeps the initial image, makes a map for it and relocates every reference to an
 * ld_imm64 BPF_PSEUDO_MAP_VALUE of that map plus the variable's offset. The loader then hands that map the
 * arena's fd, so the kernel resolves the references to user_vm_start + offset: exactly the layout libbpf
 * 1.4+ produces (globals at the start of the arena).
 */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <string.h>

#include "loader_internal.h"

struct btf_header_v1 {
	uint16_t magic;
	uint8_t version;
	uint8_t flags;
	uint32_t hdr_len;
	uint32_t type_off, type_len;
	uint32_t str_off, str_len;
};

#define BTF_MAGIC_LE 0xeB9F

/* Rewrites every whole string equal to `from` inside [strs, strs + len). */
static int rename_strings(char *strs, size_t len, const char *from, const char *to)
{
	size_t n = strlen(from);
	int count = 0;

	for (size_t i = 0; i + n < len; i++) {
		if ((i == 0 || strs[i - 1] == '\0') && !memcmp(strs + i, from, n) && strs[i + n] == '\0') {
			memcpy(strs + i, to, n);
			count++;
		}
	}
	return count;
}

int elf_rename_arena_globals(void *image, size_t size, char *err, size_t err_sz)
{
	size_t shstrndx, name_off = 0, btf_off = 0, btf_size = 0;
	int found = 0, ret = 0;
	Elf_Scn *scn = NULL;
	GElf_Ehdr ehdr;
	Elf *elf;

	if (elf_version(EV_CURRENT) == EV_NONE) {
		snprintf(err, err_sz, "libelf initialisation failed: %s", elf_errmsg(-1));
		return -EINVAL;
	}
	elf = elf_memory(image, size);
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &ehdr)) {
		snprintf(err, err_sz, "not an ELF object: %s", elf_errmsg(-1));
		ret = -EINVAL;
		goto out;
	}
	if (ehdr.e_machine != EM_BPF || ehdr.e_ident[EI_CLASS] != ELFCLASS64) {
		snprintf(err, err_sz, "not a 64-bit BPF object (e_machine %u)", ehdr.e_machine);
		ret = -EINVAL;
		goto out;
	}
	if (elf_getshdrstrndx(elf, &shstrndx)) {
		snprintf(err, err_sz, "malformed ELF: no section name table: %s", elf_errmsg(-1));
		ret = -EINVAL;
		goto out;
	}
	{
		Elf_Scn *strscn = elf_getscn(elf, shstrndx);
		GElf_Shdr strsh;

		if (!strscn || !gelf_getshdr(strscn, &strsh) || strsh.sh_offset + strsh.sh_size > size) {
			snprintf(err, err_sz, "malformed ELF: section name table out of bounds");
			ret = -EINVAL;
			goto out;
		}
		while ((scn = elf_nextscn(elf, scn))) {
			GElf_Shdr sh;
			const char *name;

			if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(elf, shstrndx, sh.sh_name))) {
				snprintf(err, err_sz, "malformed ELF: bad section header %zu", elf_ndxscn(scn));
				ret = -EINVAL;
				goto out;
			}
			if (!strcmp(name, ARENA_GLOBALS_SEC)) {
				name_off = strsh.sh_offset + sh.sh_name;
				found = 1;
			} else if (!strcmp(name, ".BTF")) {
				if (sh.sh_offset + sh.sh_size > size) {
					snprintf(err, err_sz, "malformed ELF: .BTF out of bounds");
					ret = -EINVAL;
					goto out;
				}
				btf_off = sh.sh_offset;
				btf_size = sh.sh_size;
			}
		}
	}
out:
	if (elf)
		elf_end(elf);
	if (ret || !found)
		return ret;

	/* The handle is closed before the bytes change under it. */
	memcpy((char *)image + name_off, ARENA_GLOBALS_RENAMED, strlen(ARENA_GLOBALS_SEC));
	if (btf_size >= sizeof(struct btf_header_v1)) {
		struct btf_header_v1 h;

		memcpy(&h, (char *)image + btf_off, sizeof(h));
		if (h.magic != BTF_MAGIC_LE || (uint64_t)h.hdr_len + h.str_off + h.str_len > btf_size) {
			snprintf(err, err_sz, "malformed .BTF section (bad header)");
			return -EINVAL;
		}
		rename_strings((char *)image + btf_off + h.hdr_len + h.str_off, h.str_len, ARENA_GLOBALS_SEC,
			       ARENA_GLOBALS_RENAMED);
	}
	return 1;
}

int elf_for_each_map_extra(const void *image, size_t size, int (*fn)(const char *map, uint64_t value, void *ctx),
			   void *ctx)
{
	size_t shstrndx, extra_ndx = 0, extra_off = 0, extra_size = 0;
	Elf_Scn *scn = NULL, *symscn = NULL;
	GElf_Shdr symsh = { 0 };
	int ret = 0;
	Elf *elf;

	elf = elf_memory((char *)image, size);
	if (!elf || elf_getshdrstrndx(elf, &shstrndx)) {
		ret = -EINVAL;
		goto out;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(elf, shstrndx, sh.sh_name)))
			continue;
		if (sh.sh_type == SHT_SYMTAB) {
			symscn = scn;
			symsh = sh;
		} else if (!strcmp(name, ARENA_MAP_EXTRA_SEC) && sh.sh_type == SHT_PROGBITS &&
			   sh.sh_offset + sh.sh_size <= size) {
			extra_ndx = elf_ndxscn(scn);
			extra_off = sh.sh_offset;
			extra_size = sh.sh_size;
		}
	}
	if (!extra_ndx || !symscn)
		goto out;
	{
		Elf_Data *data = elf_getdata(symscn, NULL);
		size_t n = symsh.sh_entsize ? symsh.sh_size / symsh.sh_entsize : 0;

		for (size_t i = 0; data && i < n && !ret; i++) {
			GElf_Sym sym;
			const char *name;
			uint64_t value;

			if (!gelf_getsym(data, i, &sym) || sym.st_shndx != extra_ndx ||
			    !(name = elf_strptr(elf, symsh.sh_link, sym.st_name)) ||
			    strncmp(name, ARENA_MAP_EXTRA_PREFIX, strlen(ARENA_MAP_EXTRA_PREFIX)))
				continue;
			if (sym.st_value + sizeof(value) > extra_size) {
				ret = -EINVAL;
				break;
			}
			memcpy(&value, (const char *)image + extra_off + sym.st_value, sizeof(value));
			ret = fn(name + strlen(ARENA_MAP_EXTRA_PREFIX), value, ctx);
		}
	}
out:
	if (elf)
		elf_end(elf);
	return ret;
}
