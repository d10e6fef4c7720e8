// Moving a torrent's data to another directory. libtorrent moves it in the
// background and reports only at the end; what can be known before a byte
// moves (a missing or read-only target, too little room) fails the call.
#include "guard.hpp"
#include "session.hpp"

#include <libtorrent/torrent_info.hpp>
#include <libtorrent/torrent_status.hpp>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

namespace {

[[noreturn]] void fail_io(std::string const& path, int error) {
    throw btx::failure(BTX_ERR_IO, path + ": " + std::strerror(error));
}

std::string real_path(std::string const& path) {
    char resolved[PATH_MAX];
    return ::realpath(path.c_str(), resolved) != nullptr ? std::string(resolved) : path;
}

void require_writable_directory(std::string const& directory) {
    struct stat st {};
    if (::stat(directory.c_str(), &st) != 0) fail_io(directory, errno);
    if (!S_ISDIR(st.st_mode)) fail_io(directory, ENOTDIR);
    // access() answers EROFS for a read-only file system, and EACCES as the
    // process's user, which is who libtorrent writes as.
    if (::access(directory.c_str(), W_OK | X_OK) != 0) fail_io(directory, errno);
}

// A move within one file system renames; across file systems libtorrent
// copies every file in full (sparse or not) before removing the originals.
void require_room(lt::torrent_info const& ti, std::string const& from, std::string const& to) {
    struct stat source {}, target {};
    if (::stat(from.c_str(), &source) != 0 || ::stat(to.c_str(), &target) != 0) return;
    if (source.st_dev == target.st_dev) return;
    lt::file_storage const& fs = ti.files();
    int64_t needed = 0;
    for (lt::file_index_t i : fs.file_range()) {
        if (fs.pad_file_at(i) || fs.file_absolute_path(i)) continue;
        struct stat file {};
        if (::stat(fs.file_path(i, from).c_str(), &file) == 0 && S_ISREG(file.st_mode)) needed += file.st_size;
    }
    struct statvfs room {};
    if (::statvfs(to.c_str(), &room) != 0) return;
    int64_t const available = int64_t(room.f_bavail) * int64_t(room.f_frsize);
    if (needed > available)
        throw btx::failure(BTX_ERR_IO, to + ": " + std::strerror(ENOSPC) + " (the files take " + std::to_string(needed)
                                           + " bytes, " + std::to_string(available) + " are free)");
}

}  // namespace

extern "C" {

int btx_torrent_move_storage(btx_session* session, btx_torrent torrent, char const* directory) {
    return btx::with_torrent(session, torrent, [&](lt::torrent_handle const& h) {
        btx::require(directory, "directory");
        std::string const target = directory;
        // The session may run in a daemon with another working directory.
        if (target.empty() || target.front() != '/')
            throw btx::failure(BTX_ERR_INVALID_ARG, "'" + target + "' is not an absolute path");
        require_writable_directory(target);
        std::string const current = h.status(lt::torrent_handle::query_save_path).save_path;
        if (real_path(current) == real_path(target))
            throw btx::failure(BTX_ERR_INVALID_ARG, "the torrent's data is already in " + target);
        if (auto const ti = h.torrent_file()) require_room(*ti, current, target);
        // A file of the same name in the target stops the move before
        // anything moves, rather than being overwritten.
        h.move_storage(target, lt::move_flags_t::fail_if_exist);
    });
}

}
