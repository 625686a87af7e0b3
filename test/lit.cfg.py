# lit configuration for the whole project. Tests are C/BPF sources and shell-style RUN lines checked with
# FileCheck; C unit tests are binaries run by a .test file each. Features:
#   kernel-arena  the running kernel creates an arena map for this process (probed, not assumed)
#   clang-19, clang-14  the compiler is installed
#   user-backend  the user-space kernel is built into the arena tool
import os
import subprocess

import lit.formats

config.name = "bpf-arena"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".c", ".test", ".ll"]
config.excludes = ["Inputs", "utils", "CMakeLists.txt", "README.md", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.arena_obj_root, "test")

arena = os.path.join(config.arena_bin_dir, "arena")
include = os.path.join(config.arena_src_root, "libbpf", "include")

# The tool reports what this machine and this build can do; one probe for the whole run.
features = set()
try:
    out = subprocess.run([arena, "features"], capture_output=True, text=True, timeout=60).stdout
    features = set(out.split())
except OSError as e:
    lit_config.fatal("cannot run %s (%s): build the project first (scripts/build.sh)" % (arena, e))

if "kernel-arena" in features:
    config.available_features.add("kernel-arena")
elif os.environ.get("ARENA_REQUIRE_KERNEL") == "1":
    lit_config.fatal("the running kernel did not create an arena map for this process; these machines must "
                     "have one (set ARENA_NO_KERNEL=1 on a machine that truly lacks it)")
if "user-backend" in features:
    config.available_features.add("user-backend")
for name, path in (("clang-19", config.clang19), ("clang-14", config.clang14)):
    if path and os.path.exists(path):
        config.available_features.add(name)

# Backends each program test runs on (see utils/each_backend.py): the kernel, then every engine of ours.
backends = []
if "kernel-arena" in features:
    backends.append("kernel")
for engine in ("interp", "jit"):
    if "user-" + engine in features:
        backends.append("user:" + engine)
backend_list = ",".join(backends) or "none"

cflags = "-g -O2 -target bpf -I %s" % include
config.substitutions.extend([
    ("%arena", arena),
    ("%clang19", config.clang19),
    ("%clang14", config.clang14),
    ("%bpf_cflags", cflags),
    ("%include", include),
    ("%objdump", config.llvm_objdump),
    ("%bindir", config.arena_bin_dir),
    ("%srcroot", config.arena_src_root),
    ("%each-backend", "%s %s --backends %s --filecheck %s --" % (
        config.python, os.path.join(config.arena_src_root, "test", "utils", "each_backend.py"),
        backend_list, config.filecheck)),
    ("%python", config.python),
])
# FileCheck and the rest of LLVM 19's tools come first on PATH so RUN lines can name them plainly.
config.environment["PATH"] = os.pathsep.join([
    config.arena_bin_dir, os.path.dirname(config.filecheck), "/usr/lib/llvm-19/bin", config.environment.get("PATH", os.environ["PATH"])])
for var in ("HOME", "TMPDIR"):
    if var in os.environ:
        config.environment[var] = os.environ[var]
