// How a failed disk operation reads to a user.
#pragma once

#include <libtorrent/error_code.hpp>
#include <libtorrent/operations.hpp>

#include <string>

namespace btx {

// "PATH: REASON (OPERATION)". libtorrent 2.0 writes through memory maps,
// where a full disk shows up as a SIGBUS that it turns into EFAULT ("Bad
// address"): when the file's file system has no room left, say so instead.
std::string disk_error_message(std::string const& path, lt::error_code const& error, lt::operation_t op);

}  // namespace btx
