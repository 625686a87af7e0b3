#include "plain_arena.h"
int __arena orphan = 3;
SEC("syscall") int prog(void *ctx) { return orphan; }
