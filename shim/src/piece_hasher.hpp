// A parallel SHA-1 piece hasher for v1 torrents. libtorrent's
// set_piece_hashes goes through its disk I/O subsystem and tops out well
// below what two cores can hash; reading the files directly with one worker
// per core gets within a few percent of raw SHA-1 speed.
#pragma once

#include "btx.h"

#include <libtorrent/sha1_hash.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace btx {

// Reads exactly `want` bytes at `offset`; throws failure(BTX_ERR_IO)
// naming `path` on an error or a file that ends early.
void read_fully(int fd, std::string const& path, char* dest, int64_t want, int64_t offset);

// The shape of every long hashing job in the shim (creating, checking):
// `work` runs on `workers` threads while the calling thread passes
// done() / total to `progress` every 100 ms; a non-zero answer calls
// `cancel`, which must make the workers stop. Returns once all have.
void run_parallel(int workers, std::function<void()> const& work, int64_t total, std::function<int64_t()> const& done,
                  btx_progress_fn progress, void* progress_context, std::function<void()> const& cancel);

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
