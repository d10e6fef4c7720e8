// One way to read a .torrent (or resume data holding one) everywhere: the
// same limits for info, add, verify and a restart, so a torrent shown is a
// torrent that can be added, and BEP 3's canonical integers.
#pragma once

#include <libtorrent/bdecode.hpp>
#include <libtorrent/torrent_info.hpp>

#include <cstddef>
#include <memory>

namespace btx {

// libtorrent's defaults refuse a real torrent of 300,000 files (10 MB,
// 3 million tokens); these take torrents far past that and still bound
// what a hostile file can make btx allocate.
lt::load_torrent_limits torrent_limits();

// Decodes a .torrent: throws failure(BTX_ERR_PARSE) for bencode that is
// damaged, over the limits, or not canonical (an integer like i05e, i-0e or
// i+5e, which BEP 3 forbids: two encodings of one torrent would give two
// info-hashes).
lt::bdecode_node decode_torrent(char const* bytes, std::size_t len);

// The torrent a decoded file holds, or failure(BTX_ERR_PARSE) saying why not.
std::shared_ptr<lt::torrent_info> torrent_from(lt::bdecode_node const& root);

}  // namespace btx
