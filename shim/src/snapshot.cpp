// Status, file and peer snapshots: each crosses the ABI in one call as an
// array of plain structs that the caller frees.
#include "files.hpp"
#include "guard.hpp"
#include "session.hpp"

#include <libtorrent/peer_info.hpp>
#include <libtorrent/torrent_info.hpp>
#include <libtorrent/torrent_status.hpp>

#include <algorithm>
#include <chrono>

namespace {

void fill_status(lt::torrent_status const& st, lt::torrent_info const* ti, btx_session::status_extras const& extras,
                 btx_status& out) {
    out.handle = extras.handle;
    if (st.info_hashes.has_v1())
        btx::copy_into(out.info_hash_v1, sizeof out.info_hash_v1, btx::to_hex(st.info_hashes.v1.data(), 20));
    if (st.info_hashes.has_v2())
        btx::copy_into(out.info_hash_v2, sizeof out.info_hash_v2, btx::to_hex(st.info_hashes.v2.data(), 32));
    out.name = btx::copy_string(st.name);
    out.save_path = btx::copy_string(st.save_path);
    out.error = btx::copy_string(st.errc ? st.errc.message() : std::string());
    out.state = int(st.state);
    out.paused = bool(st.flags & lt::torrent_flags::paused);
    out.has_metadata = st.has_metadata;
    // libtorrent's own ratio passed 1.02 while a placed file was rechecked (its
    // wanted-done counted pieces twice for a moment): a fraction is shown as one.
    out.progress = std::clamp(st.progress, 0.0f, 1.0f);
    out.total_size = extras.size;
    out.total_wanted = st.total_wanted;
    out.total_done = st.total_wanted_done;
    out.total_downloaded = extras.totals.first;
    out.total_uploaded = extras.totals.second;
    out.session_downloaded = st.total_payload_download;
    out.session_uploaded = st.total_payload_upload;
    // libtorrent's rates are moving averages that take seconds to decay: a
    // paused torrent moves nothing, and a finished one downloads nothing.
    bool const paused = bool(st.flags & lt::torrent_flags::paused);
    out.download_rate = paused || st.is_finished ? 0 : st.download_payload_rate;
    out.upload_rate = paused ? 0 : st.upload_payload_rate;
    out.num_peers = st.num_peers;
    out.num_seeds = st.num_seeds;
    // The piece count without asking for the whole bitfield (query_pieces).
    out.num_pieces = ti ? ti->num_pieces() : st.pieces.size();
    out.pieces_done = st.num_pieces;
    out.added_time = int64_t(st.added_time);
    out.completed_time = int64_t(st.completed_time);
    out.auto_managed = bool(st.flags & lt::torrent_flags::auto_managed);
    out.queue_position = btx::queue_position_of(st.queue_position, st.flags);
}

template <class T, class Free>
struct array_guard {
    T* items;
    size_t count;
    Free release;
    ~array_guard() { if (items != nullptr) release(items, count); }
    T* take() { T* p = items; items = nullptr; return p; }
};

// What status snapshots of many torrents ask libtorrent for: no piece bitfields.
lt::status_flags_t const snapshot_flags =
    lt::torrent_handle::query_name | lt::torrent_handle::query_save_path | lt::torrent_handle::query_torrent_file;

// `skip_untracked`: torrents removed by another thread since are dropped, not reported stale.
int fill_statuses(btx_session& s, std::vector<lt::torrent_status> const& statuses, bool skip_untracked,
                  btx_status** out, size_t* out_count) {
    array_guard<btx_status, decltype(&btx_status_free)> result{
        btx::alloc_array<btx_status>(statuses.size()), statuses.size(), &btx_status_free};
    size_t filled = 0;
    for (lt::torrent_status const& st : statuses) {
        auto const ti = st.torrent_file.lock();
        auto const extras = s.extras_of(st, ti.get());
        if (extras.handle == 0 && skip_untracked) continue;
        fill_status(st, ti.get(), extras, result.items[filled++]);
    }
    result.count = filled;
    *out_count = filled;
    *out = result.take();
    return BTX_OK;
}

}  // namespace

extern "C" {

int btx_torrent_status(btx_session* session, btx_torrent torrent, btx_status** out, size_t* out_count) {
    return btx::guarded([&] {
        auto& s = btx::checked(session);
        btx::require(out, "out");
        btx::require(out_count, "out_count");
        *out = nullptr;
        *out_count = 0;
        if (torrent != 0) return fill_statuses(s, {s.resolve(torrent).status()}, false, out, out_count);
        // One round trip to libtorrent's thread for every torrent at once.
        return fill_statuses(s, s.session.get_torrent_status([](lt::torrent_status const&) { return true; }, snapshot_flags),
                             true, out, out_count);
    });
}

int btx_session_post_status_updates(btx_session* session) {
    return btx::guarded([&] {
        auto& s = btx::checked(session);
        ++s.status_posts;
        s.session.post_torrent_updates(snapshot_flags);
        return BTX_OK;
    });
}

int btx_session_status_updates(btx_session* session, btx_status** out, size_t* out_count) {
    return btx::guarded([&] {
        auto& s = btx::checked(session);
        btx::require(out, "out");
        btx::require(out_count, "out_count");
        *out = nullptr;
        *out_count = 0;
        std::vector<lt::torrent_status> updates;
        updates.swap(s.status_updates);
        return fill_statuses(s, updates, true, out, out_count);
    });
}

void btx_status_free(btx_status* statuses, size_t count) {
    if (statuses == nullptr) return;
    for (size_t i = 0; i < count; ++i) {
        std::free(statuses[i].name);
        std::free(statuses[i].save_path);
        std::free(statuses[i].error);
    }
    std::free(statuses);
}

int btx_torrent_files(btx_session* session, btx_torrent torrent, btx_file** out, size_t* out_count) {
    return btx::guarded([&] {
        auto& s = btx::checked(session);
        btx::require(out, "out");
        btx::require(out_count, "out_count");
        *out = nullptr;
        *out_count = 0;
        lt::torrent_handle const h = s.resolve(torrent);
        auto const ti = h.torrent_file();
        if (!ti) throw btx::failure(BTX_ERR_NO_METADATA, "the torrent's metadata has not arrived yet");
        lt::file_storage const& fs = ti->files();
        std::vector<std::int64_t> progress;
        h.file_progress(progress, lt::torrent_handle::piece_granularity);
        std::vector<lt::download_priority_t> const priorities = h.get_file_priorities();

        std::vector<lt::file_index_t> const files = btx::real_files(fs);
        size_t const n = files.size();
        array_guard<btx_file, decltype(&btx_files_free)> result{btx::alloc_array<btx_file>(n), n, &btx_files_free};
        for (size_t j = 0; j < n; ++j) {
            lt::file_index_t const i = files[j];
            btx_file& f = result.items[j];
            f.path = btx::copy_string(fs.file_path(i));
            f.size = fs.file_size(i);
            f.offset = fs.file_offset(i);
            size_t const k = size_t(static_cast<int>(i));
            f.done = k < progress.size() ? progress[k] : 0;
            f.priority = k < priorities.size() ? int(static_cast<std::uint8_t>(priorities[k])) : 4;
            btx::set_root(f, fs, i);
        }
        *out_count = n;
        *out = result.take();
        return BTX_OK;
    });
}

void btx_files_free(btx_file* files, size_t count) {
    if (files == nullptr) return;
    for (size_t i = 0; i < count; ++i) std::free(files[i].path);
    std::free(files);
}

int btx_torrent_peers(btx_session* session, btx_torrent torrent, btx_peer** out, size_t* out_count) {
    return btx::guarded([&] {
        auto& s = btx::checked(session);
        btx::require(out, "out");
        btx::require(out_count, "out_count");
        *out = nullptr;
        *out_count = 0;
        std::vector<lt::peer_info> peers;
        s.resolve(torrent).get_peer_info(peers);
        array_guard<btx_peer, decltype(&btx_peers_free)> result{btx::alloc_array<btx_peer>(peers.size()),
                                                               peers.size(), &btx_peers_free};
        for (size_t i = 0; i < peers.size(); ++i) {
            lt::peer_info const& p = peers[i];
            btx_peer& o = result.items[i];
            auto const& ep = p.ip;
            std::string const addr = ep.address().is_v6()
                ? "[" + ep.address().to_string() + "]:" + std::to_string(ep.port())
                : ep.address().to_string() + ":" + std::to_string(ep.port());
            btx::copy_into(o.address, sizeof o.address, addr);
            btx::copy_into(o.client, sizeof o.client, p.client);
            uint32_t flags = 0;
            if (p.flags & lt::peer_info::interesting) flags |= BTX_PEER_WE_INTERESTED;
            if (p.flags & lt::peer_info::remote_choked) flags |= BTX_PEER_THEY_CHOKE_US;
            if (p.flags & lt::peer_info::remote_interested) flags |= BTX_PEER_THEY_INTERESTED;
            if (p.flags & lt::peer_info::choked) flags |= BTX_PEER_WE_CHOKE_THEM;
            if (p.flags & lt::peer_info::seed) flags |= BTX_PEER_SEED;
            if (p.flags & (lt::peer_info::rc4_encrypted | lt::peer_info::plaintext_encrypted)) flags |= BTX_PEER_ENCRYPTED;
            if (p.flags & lt::peer_info::utp_socket) flags |= BTX_PEER_UTP;
            if (!(p.flags & lt::peer_info::outgoing_connection)) flags |= BTX_PEER_INCOMING;
            o.flags = flags;
            o.progress = p.progress;
            o.download_rate = p.payload_down_speed;
            o.upload_rate = p.payload_up_speed;
            o.total_downloaded = p.total_download;
            o.total_uploaded = p.total_upload;
        }
        *out_count = peers.size();
        *out = result.take();
        return BTX_OK;
    });
}

void btx_peers_free(btx_peer* peers, size_t) { std::free(peers); }

}
