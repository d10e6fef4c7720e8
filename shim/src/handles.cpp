#include "files.hpp"
#include "guard.hpp"
#include "session.hpp"

#include <libtorrent/extensions/smart_ban.hpp>
#include <libtorrent/extensions/ut_metadata.hpp>
#include <libtorrent/extensions/ut_pex.hpp>
#include <libtorrent/hex.hpp>

#include <algorithm>

btx_torrent btx_session::track(lt::torrent_handle const& h, bool plugged) {
    // A blocking call into libtorrent, so made before the lock: a batch on
    // libtorrent's thread may be waiting for the lock (btx_session_batch).
    lt::info_hash_t const hashes = h.info_hashes();
    std::lock_guard<std::mutex> lock(mutex);
    auto existing = index_.find(h);
    if (existing != index_.end()) return make_handle(existing->second);

    uint32_t slot;
    if (!free_slots_.empty()) {
        slot = free_slots_.back();
        free_slots_.pop_back();
    } else {
        slot = uint32_t(slots_.size());
        slots_.emplace_back();
    }
    slots_[slot].torrent = h;
    slots_[slot].generation += 1;
    slots_[slot].live = true;
    slots_[slot].plugged = plugged;
    slots_[slot].run_start_downloaded = 0;
    slots_[slot].run_start_uploaded = 0;
    slots_[slot].size = -1;
    slots_[slot].rare.reset();
    slots_[slot].hashes = hashes;
    index_[h] = slot;
    return make_handle(slot);
}

lt::torrent_handle btx_session::resolve(btx_torrent handle) {
    std::lock_guard<std::mutex> lock(mutex);
    uint64_t const index = handle & 0xffffffffu;
    uint32_t const generation = uint32_t(handle >> 32);
    if (index == 0 || index > slots_.size())
        throw btx::failure(BTX_ERR_BAD_HANDLE, "no such torrent handle");
    slot const& s = slots_[index - 1];
    if (!s.live || s.generation != generation)
        throw btx::failure(BTX_ERR_BAD_HANDLE, "the torrent handle is stale (the torrent was removed)");
    return s.torrent;
}

btx_torrent btx_session::handle_of(lt::torrent_handle const& h) {
    std::lock_guard<std::mutex> lock(mutex);
    auto found = index_.find(h);
    return found == index_.end() ? 0 : make_handle(found->second);
}

void btx_session::forget(btx_torrent handle) {
    std::lock_guard<std::mutex> lock(mutex);
    uint64_t const index = handle & 0xffffffffu;
    if (index == 0 || index > slots_.size()) return;
    slot& s = slots_[index - 1];
    if (!s.live || s.generation != uint32_t(handle >> 32)) return;
    index_.erase(s.torrent);
    s.live = false;
    s.torrent = lt::torrent_handle();
    s.rare.reset();
    free_slots_.push_back(uint32_t(index - 1));
}

std::string btx_session::hash_of(lt::torrent_handle const& h) {
    std::lock_guard<std::mutex> lock(mutex);
    auto found = index_.find(h);
    if (found == index_.end()) return {};
    return btx::best_hash_hex(slots_[found->second].hashes);
}

void btx_session::refresh_hashes(lt::torrent_handle const& h) {
    lt::info_hash_t const hashes = h.info_hashes();
    std::lock_guard<std::mutex> lock(mutex);
    auto found = index_.find(h);
    if (found != index_.end()) slots_[found->second].hashes = hashes;
}

btx_torrent btx_session::find(std::string const& hex) {
    // Compared as bytes: hex that is not a whole hash matches nothing.
    lt::sha1_hash v1;
    lt::sha256_hash v2;
    bool const is_v1 = hex.size() == 40 && lt::aux::from_hex({hex.data(), 40}, v1.data());
    bool const is_v2 = hex.size() == 64 && lt::aux::from_hex({hex.data(), 64}, v2.data());
    if (!is_v1 && !is_v2) return 0;
    std::lock_guard<std::mutex> lock(mutex);
    for (uint32_t i = 0; i < slots_.size(); ++i) {
        slot const& s = slots_[i];
        if (!s.live) continue;
        if (is_v1 ? s.hashes.has_v1() && s.hashes.v1 == v1 : s.hashes.has_v2() && s.hashes.v2 == v2) return make_handle(i);
    }
    return 0;
}

void btx_session::start_run(lt::torrent_handle const& h, int64_t downloaded, int64_t uploaded) {
    std::lock_guard<std::mutex> lock(mutex);
    auto found = index_.find(h);
    if (found == index_.end()) return;
    slots_[found->second].run_start_downloaded = downloaded;
    slots_[found->second].run_start_uploaded = uploaded;
}

std::pair<int64_t, int64_t> btx_session::all_time_totals(lt::torrent_status const& st) {
    std::lock_guard<std::mutex> lock(mutex);
    auto found = index_.find(st.handle);
    if (found == index_.end()) return {st.all_time_download, st.all_time_upload};
    slot const& s = slots_[found->second];
    return {std::max(st.all_time_download, s.run_start_downloaded + st.total_payload_download),
            std::max(st.all_time_upload, s.run_start_uploaded + st.total_payload_upload)};
}

void btx_session::remember_peers(lt::torrent_handle const& h, std::vector<lt::tcp::endpoint> peers) {
    std::lock_guard<std::mutex> lock(mutex);
    auto found = index_.find(h);
    if (found != index_.end() && !peers.empty()) slots_[found->second].rare_part().paused_peers = std::move(peers);
}

std::vector<lt::tcp::endpoint> btx_session::take_remembered_peers(lt::torrent_handle const& h) {
    std::lock_guard<std::mutex> lock(mutex);
    auto found = index_.find(h);
    if (found == index_.end() || !slots_[found->second].rare) return {};
    return std::exchange(slots_[found->second].rare->paused_peers, {});
}

btx_session::status_extras btx_session::extras_of(lt::torrent_status const& st, lt::torrent_info const* ti) {
    bool const has_files = ti != nullptr && ti->is_valid();
    std::lock_guard<std::mutex> lock(mutex);
    auto found = index_.find(st.handle);
    if (found == index_.end()) return {};
    slot& s = slots_[found->second];
    if (has_files && s.size < 0) s.size = btx::real_size(ti->files());
    return {make_handle(found->second), has_files ? s.size : 0,
            {std::max(st.all_time_download, s.run_start_downloaded + st.total_payload_download),
             std::max(st.all_time_upload, s.run_start_uploaded + st.total_payload_upload)}};
}

int64_t btx_session::size_of(lt::torrent_handle const& h, lt::torrent_info const* ti) {
    if (ti == nullptr || !ti->is_valid()) return 0;
    std::lock_guard<std::mutex> lock(mutex);
    auto found = index_.find(h);
    if (found == index_.end()) return btx::real_size(ti->files());
    slot& s = slots_[found->second];
    if (s.size < 0) s.size = btx::real_size(ti->files());
    return s.size;
}

void btx_session::note_announce(lt::torrent_handle const& h, std::string const& url, int64_t when) {
    std::lock_guard<std::mutex> lock(mutex);
    auto found = index_.find(h);
    if (found != index_.end()) slots_[found->second].rare_part().announced[url] = when;
}

int64_t btx_session::last_announce(lt::torrent_handle const& h, std::string const& url) {
    std::lock_guard<std::mutex> lock(mutex);
    auto found = index_.find(h);
    if (found == index_.end() || !slots_[found->second].rare) return 0;
    auto const& announced = slots_[found->second].rare->announced;
    auto const when = announced.find(url);
    return when == announced.end() ? 0 : when->second;
}

namespace btx {

btx_session& checked(btx_session* session) {
    if (session == nullptr) throw failure(BTX_ERR_BAD_HANDLE, "no session (NULL)");
    if (session->closed) throw failure(BTX_ERR_BAD_HANDLE, "the session is closed");
    return *session;
}

std::string best_hash_hex(lt::info_hash_t const& hashes) {
    if (hashes.has_v1()) return to_hex(hashes.v1.data(), hashes.v1.size());
    if (hashes.has_v2()) return to_hex(hashes.v2.data(), hashes.v2.size());
    return {};
}

}  // namespace btx

std::vector<btx::plugin_maker> const& btx::peer_plugins() {
    static std::vector<plugin_maker> const makers = {lt::create_ut_metadata_plugin, lt::create_ut_pex_plugin,
                                                     lt::create_smart_ban_plugin};
    return makers;
}

void btx_session::plug(lt::torrent_handle const& h) {
    {
        std::lock_guard<std::mutex> lock(mutex);
        auto found = index_.find(h);
        if (found == index_.end() || slots_[found->second].plugged) return;
        slots_[found->second].plugged = true;
    }
    // Queued on libtorrent's thread ahead of whatever lets the torrent run.
    lt::torrent_handle owned = h;
    for (auto const& make : btx::peer_plugins()) owned.add_extension(make);
}
