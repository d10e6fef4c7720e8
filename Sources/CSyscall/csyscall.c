#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/fs.h>
#include <malloc.h>
#include <sys/ioctl.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <unistd.h>
#include "csyscall.h"

/* Both ends closed on exec from the start: no window in which another
 * thread's fork and exec (a hook, libtorrent) could inherit them. */
int btx_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int btx_accept_cloexec(int fd, int nonblocking) {
    return accept4(fd, NULL, NULL, SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0));
}

int btx_inotify_init(void) { return inotify_init1(IN_NONBLOCK | IN_CLOEXEC); }

int btx_inotify_watch_folder(int fd, const char *path) {
    return inotify_add_watch(fd, path, IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR);
}

void btx_trim_heap(void) { malloc_trim(0); }

void btx_keep_heap_for_replies(void) {
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
}

long btx_copy_file_range(int in, int out, unsigned long length) {
    return (long)copy_file_range(in, NULL, out, NULL, length, 0);
}

int btx_clone_file(int in, int out) { return ioctl(out, FICLONE, in); }

int btx_grow_pipe(int fd, int size) {
    int now = fcntl(fd, F_GETPIPE_SZ);
    if (now < 0 || now >= size) return now;
    int grown = fcntl(fd, F_SETPIPE_SZ, size);
    return grown < 0 ? now : grown;
}

long btx_pipe_room(int fd) {
    int size = fcntl(fd, F_GETPIPE_SZ);
    int unread = 0;
    if (size < 0 || ioctl(fd, FIONREAD, &unread) < 0) return -1;
    return size > unread ? size - unread : 0;
}
