// A torrent's pieces: which it has, which are arriving, how many peers have
// each; and the priorities and deadlines that steer which come next.
#include "guard.hpp"
#include "session.hpp"

#include <libtorrent/peer_info.hpp>
#include <libtorrent/torrent_info.hpp>
#include <libtorrent/torrent_status.hpp>

#include <memory>
#include <string>
#include <vector>

namespace {

using btx::with_torrent;

std::shared_ptr<lt::torrent_info const> metadata(lt::torrent_handle const& h) {
    auto ti = h.torrent_file();
    if (!ti || !ti->is_valid()) throw btx::failure(BTX_ERR_NO_METADATA, "the torrent's metadata has not arrived yet");
    return ti;
}

// libtorrent counts availability in its piece picker, which a seed does not
// have: then the peers' own bitfields say it.
std::vector<int> availability(lt::torrent_handle const& h, int num_pieces) {
    std::vector<int> counts;
    h.piece_availability(counts);
    if (int(counts.size()) == num_pieces) return counts;
    counts.assign(size_t(num_pieces), 0);
    std::vector<lt::peer_info> peers;
    h.get_peer_info(peers);
    for (lt::peer_info const& p : peers) {
        int const n = std::min(num_pieces, p.pieces.size());
        for (int i = 0; i < n; ++i)
            if (p.pieces.get_bit(lt::piece_index_t(i))) ++counts[size_t(i)];
    }
    return counts;
}

}  // namespace

extern "C" {

int btx_torrent_piece_map(btx_session* session, btx_torrent torrent, btx_piece_map** out) {
    return btx::guarded([&] {
        auto& s = btx::checked(session);
        btx::require(out, "out");
        *out = nullptr;
        lt::torrent_handle const h = s.resolve(torrent);
        auto const ti = metadata(h);
        int const n = ti->num_pieces();
        lt::torrent_status const st = h.status(lt::torrent_handle::query_pieces);
        std::vector<lt::partial_piece_info> const arriving = h.get_download_queue();
        std::vector<int> const peers = availability(h, n);

        std::unique_ptr<btx_piece_map, decltype(&btx_piece_map_free)> map(btx::alloc_array<btx_piece_map>(1),
                                                                           &btx_piece_map_free);
        map->num_pieces = size_t(n);
        map->piece_length = ti->piece_length();
        map->states = btx::alloc_array<uint8_t>(size_t(n));
        map->availability = btx::alloc_array<int32_t>(size_t(n));
        for (int i = 0; i < n && i < st.pieces.size(); ++i)
            if (st.pieces.get_bit(lt::piece_index_t(i))) map->states[i] = BTX_PIECE_HAVE;
        // The status comes first: a piece it calls verified that is still in
        // the queue has blocks not yet written (the queue keeps a piece until
        // its last block is on disk).
        for (lt::partial_piece_info const& p : arriving) {
            int const i = static_cast<int>(p.piece_index);
            if (i < 0 || i >= n) continue;
            map->states[i] |= (map->states[i] & BTX_PIECE_HAVE) ? BTX_PIECE_WRITING : BTX_PIECE_DOWNLOADING;
        }
        for (int i = 0; i < n; ++i) map->availability[i] = peers[size_t(i)];
        *out = map.release();
        return BTX_OK;
    });
}

void btx_piece_map_free(btx_piece_map* map) {
    if (map == nullptr) return;
    std::free(map->states);
    std::free(map->availability);
    std::free(map);
}

int btx_torrent_set_piece_priorities(btx_session* session, btx_torrent torrent, uint8_t const* priorities,
                                     size_t count) {
    return with_torrent(session, torrent, [&](lt::torrent_handle const& h) {
        size_t const n = size_t(metadata(h)->num_pieces());
        if (count != n)
            throw btx::failure(BTX_ERR_INVALID_ARG, "expected one priority per piece (" + std::to_string(n) + "), got "
                                                        + std::to_string(count));
        btx::require(priorities, "priorities");
        std::vector<lt::download_priority_t> list(n);
        for (size_t i = 0; i < n; ++i) {
            if (priorities[i] > 7)
                throw btx::failure(BTX_ERR_INVALID_ARG, "piece " + std::to_string(i) + ": priority "
                                                            + std::to_string(priorities[i]) + " is not 0..7");
            list[i] = lt::download_priority_t(priorities[i]);
        }
        h.prioritize_pieces(list);
    });
}

int btx_torrent_set_piece_deadline(btx_session* session, btx_torrent torrent, int piece, int milliseconds) {
    return with_torrent(session, torrent, [&](lt::torrent_handle const& h) {
        int const n = metadata(h)->num_pieces();
        if (piece < 0 || piece >= n)
            throw btx::failure(BTX_ERR_INVALID_ARG, "piece " + std::to_string(piece) + " is not 0.." + std::to_string(n - 1));
        if (milliseconds < 0) throw btx::failure(BTX_ERR_INVALID_ARG, "a deadline must not be negative");
        h.set_piece_deadline(lt::piece_index_t(piece), milliseconds);
    });
}

int btx_torrent_clear_piece_deadlines(btx_session* session, btx_torrent torrent) {
    return with_torrent(session, torrent, [&](lt::torrent_handle const& h) { h.clear_piece_deadlines(); });
}

}
