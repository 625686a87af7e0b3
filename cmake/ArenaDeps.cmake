# Finds every external dependency and, when one is missing, names the Debian package that provides it.
# scripts/setup.sh installs them all.
find_package(PkgConfig)
if(NOT PKG_CONFIG_FOUND)
  message(FATAL_ERROR "pkg-config not found: install the Debian package 'pkg-config' (scripts/setup.sh does)")
endif()

function(arena_require_pkg var module package)
  pkg_check_modules(${var} QUIET IMPORTED_TARGET ${module})
  if(NOT ${var}_FOUND)
    message(FATAL_ERROR "${module} not found: install the Debian package '${package}' (scripts/setup.sh does)")
  endif()
endfunction()

function(arena_require_program var name package)
  find_program(${var} NAMES ${name} HINTS ${ARGN} NO_CACHE)
  if(NOT ${var})
    message(FATAL_ERROR "${name} not found: install the Debian package '${package}' (scripts/setup.sh does)")
  endif()
  set(${var} ${${var}} PARENT_SCOPE)
endfunction()

arena_require_pkg(LIBBPF libbpf libbpf-dev)
arena_require_pkg(LIBELF libelf libelf-dev)
arena_require_pkg(ZLIB zlib zlib1g-dev)
arena_require_pkg(CAPSTONE capstone libcapstone-dev)

# libbpf is linked statically so that the loader can route its bpf(2) calls through our seam
# (see libbpf/README.md); Debian's libbpf-dev ships the archive.
find_library(LIBBPF_STATIC NAMES libbpf.a NO_CACHE)
if(NOT LIBBPF_STATIC)
  message(FATAL_ERROR "libbpf.a not found: install the Debian package 'libbpf-dev' (scripts/setup.sh does)")
endif()

arena_require_program(CLANG19 clang-19 clang-19 /usr/lib/llvm-19/bin)
arena_require_program(CLANG14 clang-14 clang-14 /usr/lib/llvm-14/bin)
arena_require_program(LLVM_OBJDUMP llvm-objdump llvm-19 /usr/lib/llvm-19/bin)
arena_require_program(FILECHECK FileCheck llvm-19-tools /usr/lib/llvm-19/bin)
arena_require_program(BPFTOOL bpftool bpftool /usr/sbin)
find_file(LIT_PY lit.py HINTS /usr/lib/llvm-19/build/utils/lit NO_DEFAULT_PATH NO_CACHE)
if(NOT LIT_PY)
  message(FATAL_ERROR "lit not found: install the Debian package 'llvm-19-tools' (scripts/setup.sh does)")
endif()
find_package(Python3 REQUIRED COMPONENTS Interpreter)

# LLVM 14's C API, for the address-space lowering on the old-compiler path (llvm/).
find_program(LLVM14_CONFIG llvm-config HINTS /usr/lib/llvm-14/bin NO_DEFAULT_PATH NO_CACHE)
if(NOT LLVM14_CONFIG OR NOT EXISTS /usr/lib/llvm-14/include/llvm-c/Core.h)
  message(FATAL_ERROR "LLVM 14 C API not found: install the Debian package 'llvm-14-dev' (scripts/setup.sh does)")
endif()
