// The session object behind the opaque btx_session pointer, and its
// generation-tagged torrent handle table.
#pragma once

#include "btx.h"
#include "guard.hpp"

#include <libtorrent/session.hpp>
#include <libtorrent/torrent_handle.hpp>
#include <libtorrent/torrent_info.hpp>
#include <libtorrent/torrent_status.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

struct btx_session {
    explicit btx_session(lt::session_params params) : session(std::move(params)) {}
    ~btx_session();

    lt::session session;

    // Guards the handle table; libtorrent's own calls are thread-safe.
    std::mutex mutex;

    // A handle is (generation << 32) | (slot index + 1), so 0 is never valid
    // and a slot reused after a removal gives out handles the old ones can't
    // match.
    btx_torrent track(lt::torrent_handle const& h, bool plugged);
    lt::torrent_handle resolve(btx_torrent handle);
    btx_torrent handle_of(lt::torrent_handle const& h);  // 0 if untracked
    void forget(btx_torrent handle);
    // A torrent that cannot run (paused by its user, not queued) is added
    // without libtorrent's peer plugins (ut_metadata, ut_pex, smart_ban):
    // they cost 480 bytes a torrent, a twelfth of a daemon of 100,000 paused
    // ones. They are given to it before it can first talk to a peer.
    void plug(lt::torrent_handle const& h);
    // The best info-hash as hex, cached so events need no blocking call into
    // libtorrent; "" if untracked.
    std::string hash_of(lt::torrent_handle const& h);
    // A magnet learns its v2 hash with its metadata.
    void refresh_hashes(lt::torrent_handle const& h);
    btx_torrent find(std::string const& hex);

    // libtorrent adds a second's payload to its all-time counters only on its
    // next one-second tick, so a download that ends within a second would be
    // saved as 0 bytes downloaded. The counters at the start of the current
    // run (add or resume, when libtorrent's per-run counters restart) plus
    // that run's live payload bytes are never behind.
    void start_run(lt::torrent_handle const& h, int64_t downloaded, int64_t uploaded);
    std::pair<int64_t, int64_t> all_time_totals(lt::torrent_status const& st);
    // What a status snapshot adds to libtorrent's status, from one lookup
    // (a status of 5,000 torrents made 20,000): the handle (0 if untracked),
    // every real file's bytes and the all-time totals above.
    struct status_extras {
        btx_torrent handle = 0;
        int64_t size = 0;
        std::pair<int64_t, int64_t> totals;
    };
    status_extras extras_of(lt::torrent_status const& st, lt::torrent_info const* ti);
    // The peers a pause disconnected, for resume to dial again.
    void remember_peers(lt::torrent_handle const& h, std::vector<lt::tcp::endpoint> peers);
    std::vector<lt::tcp::endpoint> take_remembered_peers(lt::torrent_handle const& h);
    // Every real file's bytes, cached: 0 until the metadata is known.
    int64_t size_of(lt::torrent_handle const& h, lt::torrent_info const* ti);
    // libtorrent keeps when the next announce is due, not when the last one
    // was: the event drain notes when each tracker's announce ended.
    void note_announce(lt::torrent_handle const& h, std::string const& url, int64_t when);
    int64_t last_announce(lt::torrent_handle const& h, std::string const& url);

    // DHT gets in flight, by target hex (a mutable item's is SHA-1 of key +
    // salt), with the nodes that have answered with a value so far. While
    // any is in flight, DHT packets are reported so answers can be counted.
    struct dht_lookup {
        std::string key_hex;  // "" for immutable items
        std::set<lt::udp::endpoint> nodes;
        int in_flight = 0;
    };
    std::map<std::string, dht_lookup> dht_answers;
    // The self-pipe behind btx_session_wake_fd: [read, write], -1 until asked for.
    int wake_pipe[2] = {-1, -1};
    // libtorrent is stopped (btx_session_close): calls into it would wait
    // for a network thread that is gone.
    bool closed = false;
    void close();
    // Torrents' stop jobs in libtorrent's disk threads (see close).
    std::shared_ptr<std::atomic<int>> disk_stops = std::make_shared<std::atomic<int>>(0);

    // Statuses from state_update_alerts not taken yet (btx_session_status_updates).
    std::vector<lt::torrent_status> status_updates;
    // post_torrent_updates asked for whose state_update_alert has not come in.
    int status_posts = 0;
    // Events drained while waiting for those (btx_session_status_updates_now),
    // handed out first by the next btx_session_events.
    std::vector<btx_event> pending_events;
    void drop_pending_events();

    // A put's CAS that found a different seq, by target hex.
    std::map<std::string, int64_t> dht_cas_conflicts;

private:
    // What few torrents have, kept apart: in every slot it cost 72 bytes a
    // torrent, a sixth of a slot at 100,000.
    struct rarely {
        std::vector<lt::tcp::endpoint> paused_peers;
        std::map<std::string, int64_t> announced;  // tracker URL -> unix seconds
    };
    // Hashes as bytes, not hex: two strings were 130 bytes a torrent.
    struct slot {
        lt::torrent_handle torrent;
        uint32_t generation = 0;
        bool live = false;
        bool plugged = false;
        lt::info_hash_t hashes;
        int64_t run_start_downloaded = 0, run_start_uploaded = 0;
        int64_t size = -1;
        std::unique_ptr<rarely> rare;
        rarely& rare_part() {
            if (!rare) rare = std::make_unique<rarely>();
            return *rare;
        }
    };
    std::vector<slot> slots_;
    std::vector<uint32_t> free_slots_;
    // torrent_handle orders by owner, which stays valid for expired handles.
    std::map<lt::torrent_handle, uint32_t> index_;

    btx_torrent make_handle(uint32_t slot) const {
        return (uint64_t(slots_[slot].generation) << 32) | uint64_t(slot + 1);
    }
};

namespace btx {

using plugin_maker = std::shared_ptr<lt::torrent_plugin> (*)(lt::torrent_handle const&, lt::client_data_t);
// libtorrent's default per-torrent plugins, which btx gives each torrent
// itself (btx_session::plug) instead of the session giving them to all.
std::vector<plugin_maker> const& peer_plugins();

// The events btx reports need these alert categories and no others; the
// chattier ones (peer, block progress, DHT packets) would cost CPU on every
// piece. DHT packets are turned on only while a get is in flight. ip_block
// posts only when a peer is refused: with no IP filter, next to never.
lt::alert_category_t const event_categories = lt::alert_category::status | lt::alert_category::error
    | lt::alert_category::storage | lt::alert_category::tracker | lt::alert_category::dht
    | lt::alert_category::file_progress | lt::alert_category::ip_block
    // peer_error_alert: the only word of a web seed whose server ignores Range.
    | lt::alert_category::peer;

void set_packet_alerts(btx_session& s, bool on);

// A mutable item's DHT id: SHA-1 of its public key and salt, as hex.
std::string mutable_target_hex(char const* key32, std::string const& salt);

// Throws failure(BTX_ERR_BAD_HANDLE) for a NULL session.
btx_session& checked(btx_session* session);

// The best info-hash (v1 when present, else v2) as hex.
std::string best_hash_hex(lt::info_hash_t const& hashes);

// libtorrent numbers every incomplete torrent; btx calls only auto-managed
// ones queued, since the queue starts and stops no other.
inline int queue_position_of(lt::queue_position_t position, lt::torrent_flags_t flags) {
    return (flags & lt::torrent_flags::auto_managed) ? static_cast<int>(position) : -1;
}

// The peers a pause disconnects that we had dialled, kept to dial again at
// once when the torrent (or the session) resumes.
void remember_dialled_peers(btx_session& s, lt::torrent_handle const& h);
void redial_remembered_peers(btx_session& s, lt::torrent_handle const& h);

// An exported call on one torrent: the session checked, the handle
// resolved, whatever is thrown turned into a code.
template <class Action>
int with_torrent(btx_session* session, btx_torrent torrent, Action&& action) {
    return guarded([&] {
        action(checked(session).resolve(torrent));
        return BTX_OK;
    });
}

}  // namespace btx
