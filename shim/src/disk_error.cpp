#include "disk_error.hpp"

#include <cerrno>
#include <system_error>
#include <sys/statvfs.h>

namespace btx {

namespace {

// The nearest existing directory's file system has no block left for us.
bool file_system_is_full(std::string path) {
    while (!path.empty()) {
        auto const slash = path.rfind('/');
        path = slash == std::string::npos ? std::string() : path.substr(0, slash);
        struct statvfs fs {};
        if (statvfs(path.empty() ? "/" : path.c_str(), &fs) == 0) return fs.f_bavail == 0;
    }
    return false;
}

}  // namespace

std::string disk_error_message(std::string const& path, lt::error_code const& error, lt::operation_t op) {
    std::string reason = error.message();
    if (error == std::errc::bad_address && file_system_is_full(path))
        reason = lt::error_code(ENOSPC, lt::generic_category()).message();
    return path + ": " + reason + " (" + lt::operation_name(op) + ")";
}

}  // namespace btx
