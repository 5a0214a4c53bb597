// glibc's spawn and pipe extensions, which Swift's Glibc module does not show (they need
// _GNU_SOURCE): plain functions for ChildProcess.
#ifndef CCHILDPROCESS_H
#define CCHILDPROCESS_H

#include <spawn.h>

// pipe2(fds, O_CLOEXEC): both ends closed in any child, atomically.
int sb_pipe_cloexec(int fds[2]);
// Spawn actions: change directory; close every file from `lowest` up.
int sb_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path);
int sb_spawn_addclosefrom(posix_spawn_file_actions_t *actions, int lowest);

#endif
