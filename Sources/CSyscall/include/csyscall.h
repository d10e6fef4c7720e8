#ifndef CSYSCALL_H
#define CSYSCALL_H
/* System calls that Swift's Glibc module leaves out (they are declared only
 * under _GNU_SOURCE). */
int btx_pipe_cloexec(int fds[2]);
/* accept4 with SOCK_CLOEXEC, and SOCK_NONBLOCK when nonblocking is set. */
int btx_accept_cloexec(int fd, int nonblocking);
#endif
