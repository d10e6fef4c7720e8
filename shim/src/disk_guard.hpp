// Keeps libtorrent's writes inside each torrent's save path.
//
// libtorrent sanitizes the paths in a torrent ("..", absolute paths, "/" in
// a name), but it opens SAVE/PATH with plain open(2): a symlink already in
// the save path (SAVE/evil -> /elsewhere, and a torrent with "evil/x")
// takes its writes, and the empty files and symlinks it creates at its
// first check, wherever the link points. libtorrent 2.0.8 has no option
// against that, so btx's disk I/O wraps libtorrent's own and refuses the
// check (the first disk job of every torrent, magnet links included, once
// the metadata is known) and any move to a new save path whose files would
// be reached through a symlink that leads out of it. libtorrent then stops
// the torrent with a file error naming the file and the link, as it does
// for its own disk errors.
//
// A symlink that stays inside the save path is followed as before, and the
// save path itself may be a symlink. What is checked is the file system at
// check time: a link made later by someone who can already write to the
// save path is not.
#pragma once

#include <libtorrent/disk_interface.hpp>
#include <libtorrent/file_storage.hpp>
#include <libtorrent/session_params.hpp>

#include <atomic>
#include <memory>
#include <string>

namespace btx {

// Wraps `inner` (libtorrent's default disk I/O) with the check above.
// `stops_in_flight` counts the torrents' stop jobs not done yet (see
// btx_session::close).
lt::disk_io_constructor_type guarded_disk_io(lt::disk_io_constructor_type inner,
                                             std::shared_ptr<std::atomic<int>> stops_in_flight);

// Why writing `fs` under `save_path` would leave it: "" when it would not,
// else "through the symlink LINK to TARGET, outside SAVE". Sets `file` to
// the first file concerned.
std::string path_escape(lt::file_storage const& fs, std::string const& save_path, lt::file_index_t& file);

}  // namespace btx
