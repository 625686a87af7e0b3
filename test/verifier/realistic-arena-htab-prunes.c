// The JIT benchmark's arena hash table (bench/jit/arena_htab.bpf.c): nested can_loop probing loops over
// arena memory. Both verifiers accept each program, and states prune (well under the 1M budget).
// RUN: %clang19 %bpf_cflags -c %srcroot/bench/jit/arena_htab.bpf.c -o %t.o
// RUN: %each-backend %arena verify %t.o --prog htab_lookup -- %s --check-prefix=LOOKUP
// RUN: %each-backend %arena verify %t.o --prog absent_read -- %s --check-prefix=ABSENT
// RUN: %each-backend %arena verify %t.o --prog list_walk -- %s --check-prefix=WALK
// LOOKUP: prog htab_lookup: verdict: accepted
// LOOKUP: processed {{[1-9][0-9]?[0-9]?[0-9]?[0-9]?}} insns
// ABSENT: prog absent_read: verdict: accepted
// ABSENT: processed {{[1-9][0-9]?[0-9]?[0-9]?[0-9]?}} insns
// WALK: prog list_walk: verdict: accepted
// WALK: processed {{[1-9][0-9]?[0-9]?[0-9]?[0-9]?}} insns
