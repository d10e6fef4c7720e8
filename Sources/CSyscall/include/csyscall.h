#ifndef CSYSCALL_H
#define CSYSCALL_H
/* System calls that Swift's Glibc module leaves out (they are declared only
 * under _GNU_SOURCE). */
int btx_pipe_cloexec(int fds[2]);
#endif
