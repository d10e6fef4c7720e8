// The files a user sees. BEP 47 padding files (v2 and hybrid torrents align
// every file to a piece with them) are libtorrent's business: they are never
// listed, counted or numbered, so file N is the Nth real file everywhere.
#pragma once

#include <libtorrent/add_torrent_params.hpp>
#include <libtorrent/download_priority.hpp>
#include <libtorrent/file_storage.hpp>
#include <libtorrent/torrent_info.hpp>

#include "btx.h"

#include <cstdint>
#include <vector>

namespace btx {

std::vector<lt::file_index_t> real_files(lt::file_storage const& fs);

// A v2 file's merkle root into `f` (has_root 0 for a v1-only torrent and
// an empty file, which have none).
void set_root(btx_file& f, lt::file_storage const& fs, lt::file_index_t i);

// Every real file's bytes.
int64_t real_size(lt::file_storage const& fs);

// One priority per real file, expanded to libtorrent's one per file (padding
// gets 0: it is never downloaded anyway). Throws BTX_ERR_INVALID_ARG when
// the count is not the number of real files.
std::vector<lt::download_priority_t> expand_priorities(lt::file_storage const& fs, uint8_t const* priorities,
                                                       size_t count);

// What libtorrent's torrent_status reports as total_wanted and
// total_wanted_done, computed from saved state alone: the real bytes of the
// pieces that hold a wanted file, and of those the pieces we have.
struct wanted_bytes { int64_t total = 0, done = 0; };
wanted_bytes count_wanted(lt::add_torrent_params const& atp);

}  // namespace btx
