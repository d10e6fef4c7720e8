// The session object behind the opaque btx_session pointer, and its
// generation-tagged torrent handle table.
#pragma once

#include "btx.h"

#include <libtorrent/session.hpp>
#include <libtorrent/torrent_handle.hpp>

#include <cstdint>
#include <map>
#include <mutex>
#include <vector>

struct btx_session {
    explicit btx_session(lt::session_params params) : session(std::move(params)) {}

    lt::session session;

    // Guards the handle table; libtorrent's own calls are thread-safe.
    std::mutex mutex;

    // A handle is (generation << 32) | (slot index + 1), so 0 is never valid
    // and a slot reused after a removal gives out handles the old ones can't
    // match.
    btx_torrent track(lt::torrent_handle const& h);
    lt::torrent_handle resolve(btx_torrent handle);
    btx_torrent handle_of(lt::torrent_handle const& h);  // 0 if untracked
    void forget(btx_torrent handle);
    // The best info-hash as hex, cached so events need no blocking call into
    // libtorrent; "" if untracked.
    std::string hash_of(lt::torrent_handle const& h);
    // A magnet learns its v2 hash with its metadata.
    void refresh_hashes(lt::torrent_handle const& h);
    btx_torrent find(std::string const& hex);

private:
    struct slot {
        lt::torrent_handle torrent;
        uint32_t generation = 0;
        bool live = false;
        std::string v1_hex, v2_hex;
    };
    void cache_hashes(slot& s);
    std::vector<slot> slots_;
    std::vector<uint32_t> free_slots_;
    // torrent_handle orders by owner, which stays valid for expired handles.
    std::map<lt::torrent_handle, uint32_t> index_;

    btx_torrent make_handle(uint32_t slot) const {
        return (uint64_t(slots_[slot].generation) << 32) | uint64_t(slot + 1);
    }
};

namespace btx {

// Throws failure(BTX_ERR_BAD_HANDLE) for a NULL session.
btx_session& checked(btx_session* session);

// The best info-hash (v1 when present, else v2) as hex.
std::string best_hash_hex(lt::info_hash_t const& hashes);

}  // namespace btx
