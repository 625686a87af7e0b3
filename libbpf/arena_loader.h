/* The arena loader: opens and loads BPF objects that use an arena, on the live kernel or on our user-space
 * kernel (kernel/), on top of the system libbpf (Debian's 1.1.2, which predates arena).
 *
 * What it adds over libbpf 1.1: the arena map is created and mapped into this process at its user address
 * (map_extra when given, else chosen by the kernel) before any program loads; `.addr_space.1` globals are
 * placed at the start of the arena with their initial values and every reference to them relocated;
 * programs that use the arena are associated with it even when they never name the map. Everything else
 * (ELF, BTF, relocations, map and program creation) is libbpf's own code.
 *
 * Conventions: integer-returning calls return 0 or a negative errno; pointer-returning calls return NULL
 * and set errno. Messages go through arena_set_print(), each naming the object or program it concerns.
 */
#ifndef ARENA_LOADER_H
#define ARENA_LOADER_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include <bpf/libbpf.h>

#ifdef __cplusplus
extern "C" {
#endif

enum arena_backend {
	ARENA_BACKEND_KERNEL = 0, /* the running kernel, through bpf(2) */
	ARENA_BACKEND_USER = 1,   /* our user-space kernel (kernel/ukern.h) */
};

/* Options carry their size (set by ARENA_OPTS) so the struct can grow without breaking callers. */
struct arena_open_opts {
	size_t sz;
	enum arena_backend backend;
	const char *engine;  /* user backend: "interp" or "jit"; NULL = the fastest one built in */
	uint32_t log_level;  /* verifier log level at load (0: only on failure, as libbpf; 1, 2) */
	const char *object_name; /* name used in messages; default: the file name */
	size_t log_size;     /* bytes of verifier log kept per program; 0 = 1 MiB (64 MiB at log level 2).
			      * A log that overflows keeps its tail and does not by itself fail the load. */
};

#define ARENA_OPTS(TYPE, NAME, ...)                                                     \
	struct TYPE NAME = ({                                                           \
		memset(&NAME, 0, sizeof(struct TYPE));                                  \
		(struct TYPE){ .sz = sizeof(struct TYPE), __VA_ARGS__ };                \
	})

struct arena_obj;

/* Opens an ELF BPF object. Nothing is created in the kernel yet. */
struct arena_obj *arena_obj__open(const char *path, const struct arena_open_opts *opts);
/* Creates and maps the arena, creates the other maps, loads every program (verifier logs kept). After it,
 * bpf_map__initial_value() of .bss/.data/.rodata points at live memory the programs share (as libbpf 1.2+
 * does; libbpf 1.1 did that only for skeletons). */
int arena_obj__load(struct arena_obj *obj);
void arena_obj__close(struct arena_obj *obj);

/* The underlying libbpf object, for everything libbpf already does (maps, programs, iteration). */
struct bpf_object *arena_obj__bpf(const struct arena_obj *obj);
const char *arena_obj__name(const struct arena_obj *obj);
enum arena_backend arena_obj__backend(const struct arena_obj *obj);

/* ---- the arena, seen from user space -------------------------------------------------------------- */

/* The arena map, or NULL when the object declares none. */
struct bpf_map *arena_obj__arena_map(const struct arena_obj *obj);
/* Start of the arena's user mapping (its user_vm_start) and its size in bytes; NULL/0 when none. */
void *arena_obj__arena_base(const struct arena_obj *obj);
size_t arena_obj__arena_size(const struct arena_obj *obj);
/* Start of the `.addr_space.1` globals inside the arena (the arena base: they sit at offset 0), or NULL. */
void *arena_obj__arena_globals(const struct arena_obj *obj);

/* The user address of the arena global `name` (an `__arena` variable in `.addr_space.1`), found through
 * the object's BTF; NULL with errno ENOENT when there is no such variable. Valid after load. */
void *arena_obj__global(const struct arena_obj *obj, const char *name);

/* A pointer value a BPF program stored in the arena -> a pointer this process can dereference. User-form
 * values (the default) are already valid pointers; under BPF_F_NO_USER_CONV they hold only the low 32 bits,
 * and the arena's upper bits are put back. 0 stays NULL. */
void *arena_obj__ptr(const struct arena_obj *obj, uint64_t value);
/* A pointer into the arena -> the value a BPF program expects to find stored (user form). */
uint64_t arena_obj__value(const struct arena_obj *obj, const void *ptr);
/* True when [p, p+len) lies inside the arena mapping. */
int arena_obj__contains(const struct arena_obj *obj, const void *p, size_t len);

/* ---- programs ---------------------------------------------------------------------------------------- */

struct arena_run_opts {
	size_t sz;
	uint32_t repeat;          /* 0 = once; ignored (forced to 0) for program types that refuse it */
	const void *data_in;      /* packet for xdp/tc; NULL = a zeroed 64-byte packet */
	uint32_t data_size_in;
	void *ctx_in;             /* context for syscall programs; NULL = none */
	uint32_t ctx_size_in;
};

struct arena_run_result {
	int32_t retval;           /* the program's return value, as the kernel reports it (32-bit) */
	uint64_t duration_ns;     /* mean per run, as BPF_PROG_TEST_RUN reports it */
};

/* Runs a loaded program through BPF_PROG_TEST_RUN on the object's backend. */
int arena_prog__run(struct arena_obj *obj, struct bpf_program *prog, const struct arena_run_opts *opts,
		    struct arena_run_result *res);
/* The verifier log of the program's last load attempt ("" when none was kept). */
const char *arena_prog__log(const struct arena_obj *obj, const struct bpf_program *prog);
/* Copies of the JITed image and the translated (post-verifier) instructions; free() them. */
int arena_prog__jited(struct arena_obj *obj, const struct bpf_program *prog, void **image, uint32_t *len);
/* Prints the user backend's JIT listing of prog, arena accesses marked from its exception table;
 * -EOPNOTSUPP on the kernel backend (use arena_prog__jited and a disassembler), -ENOENT without an image. */
int arena_prog__jit_listing(struct arena_obj *obj, const struct bpf_program *prog, FILE *out);
int arena_prog__xlated(struct arena_obj *obj, const struct bpf_program *prog, void **insns, uint32_t *len);

/* Engines of the user backend ("interp", "jit" when built in), NULL-terminated; NULL when this program has
 * no user backend. */
const char *const *arena_user_engines(void);

/* ---- messages ---------------------------------------------------------------------------------------- */

enum arena_print_level { ARENA_WARN, ARENA_INFO, ARENA_DEBUG };
typedef int (*arena_print_fn)(enum arena_print_level level, const char *fmt, va_list ap);
/* Sets the message callback (NULL silences); returns the previous one. Default: warnings to stderr. */
arena_print_fn arena_set_print(arena_print_fn fn);

#ifdef __cplusplus
}
#endif
#endif /* ARENA_LOADER_H */
