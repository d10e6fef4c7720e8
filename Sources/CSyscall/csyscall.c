#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>
#include "csyscall.h"

/* Both ends closed on exec from the start: no window in which another
 * thread's fork and exec (a hook, libtorrent) could inherit them. */
int btx_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int btx_accept_cloexec(int fd, int nonblocking) {
    return accept4(fd, NULL, NULL, SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0));
}
