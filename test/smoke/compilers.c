// Both compilers build BPF from the project's include path; clang-19 knows address spaces natively and
// defines the feature macro, clang-14 does not.
// REQUIRES: clang-19, clang-14
// RUN: %clang19 %bpf_cflags -E -dM %s | FileCheck %s --check-prefix=C19
// RUN: %clang14 %bpf_cflags -E -dM %s | FileCheck %s --check-prefix=C14
// C19: #define __BPF_FEATURE_ADDR_SPACE_CAST 1
// C14-NOT: __BPF_FEATURE_ADDR_SPACE_CAST
// C14: #define __bpf__ 1
#include "bpf_arena_uapi.h"
