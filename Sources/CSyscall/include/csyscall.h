#ifndef CSYSCALL_H
#define CSYSCALL_H
/* System calls that Swift's Glibc module leaves out (they are declared only
 * under _GNU_SOURCE). */
int btx_pipe_cloexec(int fds[2]);
/* accept4 with SOCK_CLOEXEC, and SOCK_NONBLOCK when nonblocking is set. */
int btx_accept_cloexec(int fd, int nonblocking);
/* inotify_init1(IN_NONBLOCK | IN_CLOEXEC). */
int btx_inotify_init(void);
/* Watches a directory for files finished there (closed after writing,
 * or renamed in) and for its own removal or move: the watch descriptor. */
int btx_inotify_watch_folder(int fd, const char *path);
/* Gives the heap's free memory back to the system (malloc_trim). */
void btx_trim_heap(void);
/* Allocations under 32 MiB come from the heap, and the heap's free top is
 * kept (up to 512 MiB) until btx_trim_heap. */
void btx_keep_heap_for_replies(void);
/* copy_file_range of up to `length` bytes at both files' offsets: the
 * bytes copied, 0 at the end, -1 with errno. */
long btx_copy_file_range(int in, int out, unsigned long length);
/* ioctl(FICLONE): `out` becomes a copy-on-write clone of `in`; -1 with
 * errno (EOPNOTSUPP, EXDEV, EINVAL) where the filesystem cannot. */
int btx_clone_file(int in, int out);
/* Bytes a write to the pipe `fd` takes now without waiting (its size
 * less what is unread in it); -1 with errno when `fd` is no pipe. */
long btx_pipe_room(int fd);
/* Grows the pipe to at least size bytes where allowed (pipe-max-size);
 * returns its size now, or -1 when fd is no pipe. */
int btx_grow_pipe(int fd, int size);
#endif
