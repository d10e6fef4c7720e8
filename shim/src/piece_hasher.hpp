// A parallel SHA-1 piece hasher for v1 torrents. libtorrent's
// set_piece_hashes goes through its disk I/O subsystem and tops out well
// below what two cores can hash; reading the files directly with one worker
// per core gets within a few percent of raw SHA-1 speed.
#pragma once

#include "btx.h"

#include <libtorrent/sha1_hash.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace btx {

struct content_file {
    std::string path;  // absolute or relative to the working directory
    int64_t offset;    // in the torrent's byte stream
    int64_t size;
};

// Hashes every piece of the concatenated files; throws failure on I/O errors
// or when `progress` asks to stop. Runs `progress` on the calling thread.
std::vector<lt::sha1_hash> hash_v1_pieces(std::vector<content_file> const& files, int64_t total_size,
                                          int piece_length, int num_threads, btx_progress_fn progress,
                                          void* progress_context);

}  // namespace btx
