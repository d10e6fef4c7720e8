// A parallel piece hasher for v1, v2 and hybrid torrents. libtorrent's
// set_piece_hashes goes through its disk I/O subsystem: it tops out below
// what two cores can hash and, with the mmap disk I/O, keeps every byte it
// read resident. Here each worker hashes two pieces at once (digest.hpp),
// straight from windows mapped over the files (content_reader.hpp), so the
// resident set stays at a few windows per worker for any input size.
#pragma once

#include "btx.h"
#include "content_reader.hpp"

#include <libtorrent/sha1_hash.hpp>

#include <cstdint>
#include <functional>
#include <vector>

namespace btx {

// The shape of every long hashing job in the shim (creating, checking):
// `work` runs on `workers` threads while the calling thread passes
// done() / total to `progress` every 100 ms; a non-zero answer calls
// `cancel`, which must make the workers stop. Returns once all have.
void run_parallel(int workers, std::function<void()> const& work, int64_t total, std::function<int64_t()> const& done,
                  btx_progress_fn progress, void* progress_context, std::function<void()> const& cancel);

struct hash_plan {
    std::vector<content_file> files;  // in the torrent's order, pad files included
    int64_t total_size = 0;           // of the stream, pad files included
    int piece_length = 0;
    bool v1 = true;  // SHA-1 of every piece, pad bytes included
    bool v2 = false;  // every file starts a piece; the merkle root of each piece's 16 KiB blocks
};

struct piece_hashes {
    std::vector<lt::sha1_hash> v1;    // per piece, when the plan asked for v1
    std::vector<lt::sha256_hash> v2;  // per piece, when the plan asked for v2: the root of the piece's subtree
};

// Throws failure on I/O errors (a file that got shorter too) or when
// `progress` asks to stop. Runs `progress` on the calling thread.
piece_hashes hash_pieces(hash_plan const& plan, int num_threads, btx_progress_fn progress, void* progress_context);

}  // namespace btx
