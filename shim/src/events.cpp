// The event drain: libtorrent's alerts are only valid until the next
// pop_alerts, so each one the CLI cares about is copied into a btx_event.
#include "dht_bytes.hpp"
#include "disk_error.hpp"
#include "guard.hpp"
#include "session.hpp"

#include <libtorrent/alert_types.hpp>
#include <libtorrent/bencode.hpp>
#include <libtorrent/write_resume_data.hpp>

#include <algorithm>
#include <chrono>
#include <set>
#include <string>
#include <utility>
#include <unistd.h>

namespace {

void free_event(btx_event& e) {
    std::free(e.message);
    std::free(e.data);
    std::free(e.url);
    if (e.dht != nullptr) {
        std::free(e.dht->salt);
        std::free(e.dht->value);
        std::free(e.dht);
    }
}

struct event_builder {
    btx_session& session;
    std::vector<btx_event> events;

    btx_event& push(int type, lt::alert const* a) {
        events.push_back(btx_event{});
        btx_event& e = events.back();
        e.type = type;
        e.message = btx::copy_string(a->message());
        if (type == BTX_EVENT_DHT_ITEM || type == BTX_EVENT_DHT_PUT) e.dht = btx::alloc_array<btx_dht_item>(1);
        if (auto const* ta = dynamic_cast<lt::torrent_alert const*>(a)) {
            e.torrent = session.handle_of(ta->handle);
            btx::copy_into(e.info_hash, sizeof e.info_hash, session.hash_of(ta->handle));
        }
        return e;
    }

    void add(lt::alert const* a) {
        switch (a->type()) {
        case lt::add_torrent_alert::alert_type: {
            auto const* x = lt::alert_cast<lt::add_torrent_alert>(a);
            // A failed add reports its error here; a successful one is tracked.
            push(x->error ? BTX_EVENT_TORRENT_ERROR : BTX_EVENT_ADDED, a);
            break;
        }
        case lt::metadata_received_alert::alert_type:
            session.refresh_hashes(lt::alert_cast<lt::metadata_received_alert>(a)->handle);
            push(BTX_EVENT_METADATA_RECEIVED, a);
            break;
        case lt::state_changed_alert::alert_type:
            push(BTX_EVENT_STATE_CHANGED, a).value = int(lt::alert_cast<lt::state_changed_alert>(a)->state);
            break;
        case lt::torrent_finished_alert::alert_type: push(BTX_EVENT_FINISHED, a); break;
        case lt::torrent_paused_alert::alert_type: push(BTX_EVENT_PAUSED, a); break;
        case lt::torrent_resumed_alert::alert_type: push(BTX_EVENT_RESUMED, a); break;
        case lt::torrent_checked_alert::alert_type: push(BTX_EVENT_CHECKED, a); break;
        case lt::torrent_removed_alert::alert_type: {
            auto const* x = lt::alert_cast<lt::torrent_removed_alert>(a);
            btx_event& e = push(BTX_EVENT_REMOVED, a);
            btx::copy_into(e.info_hash, sizeof e.info_hash, btx::best_hash_hex(x->info_hashes));
            break;
        }
        case lt::torrent_deleted_alert::alert_type: push(BTX_EVENT_FILES_DELETED, a); break;
        case lt::state_update_alert::alert_type: {
            auto const& changed = lt::alert_cast<lt::state_update_alert>(a)->status;
            session.status_updates.insert(session.status_updates.end(), changed.begin(), changed.end());
            if (session.status_posts > 0) --session.status_posts;
            break;
        }
        case lt::save_resume_data_alert::alert_type: {
            auto const* x = lt::alert_cast<lt::save_resume_data_alert>(a);
            lt::add_torrent_params params = x->params;
            try {
                auto const totals = session.all_time_totals(x->handle.status({}));
                params.total_downloaded = std::max(params.total_downloaded, totals.first);
                params.total_uploaded = std::max(params.total_uploaded, totals.second);
            } catch (lt::system_error const&) {
                // Removed meanwhile: its counters stay as libtorrent saved them.
            }
            std::vector<char> const buf = lt::write_resume_data_buf(params);
            btx_event& e = push(BTX_EVENT_RESUME_DATA, a);
            btx::copy_into(e.info_hash, sizeof e.info_hash, btx::best_hash_hex(x->params.info_hashes));
            e.data = btx::copy_bytes(buf.data(), buf.size());
            e.data_len = buf.size();
            e.value = params.have_pieces.count();
            break;
        }
        case lt::save_resume_data_failed_alert::alert_type: {
            bool const unchanged = lt::alert_cast<lt::save_resume_data_failed_alert>(a)->error
                == lt::errors::resume_data_not_modified;
            push(unchanged ? BTX_EVENT_RESUME_DATA_UNCHANGED : BTX_EVENT_RESUME_DATA_FAILED, a);
            break;
        }
        case lt::torrent_error_alert::alert_type: push(BTX_EVENT_TORRENT_ERROR, a); break;
        case lt::file_error_alert::alert_type: {
            auto const* x = lt::alert_cast<lt::file_error_alert>(a);
            btx_event& e = push(BTX_EVENT_FILE_ERROR, a);
            replace_message(e, btx::disk_error_message(x->filename(), x->error, x->op));
            break;
        }
        case lt::hash_failed_alert::alert_type:
            push(BTX_EVENT_HASH_FAILED, a).value = static_cast<int>(lt::alert_cast<lt::hash_failed_alert>(a)->piece_index);
            break;
        case lt::tracker_reply_alert::alert_type: {
            auto const* x = lt::alert_cast<lt::tracker_reply_alert>(a);
            btx_event& e = push_tracker(BTX_EVENT_TRACKER_REPLY, *x);
            e.value = x->num_peers;
            session.note_announce(x->handle, x->tracker_url(), unix_now());
            break;
        }
        case lt::tracker_error_alert::alert_type: {
            auto const* x = lt::alert_cast<lt::tracker_error_alert>(a);
            // libtorrent announces from every listen address and reports the
            // ones that cannot reach the tracker's (an IPv6 socket, an IPv4
            // URL) as skipped: not an error.
            if (x->error == lt::errors::announce_skipped) break;
            btx_event& e = push_tracker(BTX_EVENT_TRACKER_ERROR, *x);
            session.note_announce(x->handle, x->tracker_url(), unix_now());
            std::string const reason = *x->failure_reason() ? x->failure_reason() : x->error.message();
            // A hybrid announces each of its hashes: a tracker that refuses
            // one may serve the other, which "not authorized" alone hides.
            lt::info_hash_t const hashes = x->handle.info_hashes();
            std::string const which = !(hashes.has_v1() && hashes.has_v2()) ? ""
                : x->version == lt::protocol_version::V1 ? " (v1 announce)" : " (v2 announce)";
            replace_message(e, "tracker " + std::string(x->tracker_url()) + which + ": " + reason);
            break;
        }
        case lt::scrape_reply_alert::alert_type: {
            auto const* x = lt::alert_cast<lt::scrape_reply_alert>(a);
            push_tracker(BTX_EVENT_SCRAPE_REPLY, *x).value = x->complete;
            break;
        }
        case lt::scrape_failed_alert::alert_type: {
            auto const* x = lt::alert_cast<lt::scrape_failed_alert>(a);
            btx_event& e = push_tracker(BTX_EVENT_SCRAPE_FAILED, *x);
            std::string const reason = *x->error_message() ? x->error_message() : x->error.message();
            replace_message(e, "tracker " + std::string(x->tracker_url()) + ": " + reason);
            break;
        }
        case lt::storage_moved_alert::alert_type: {
            btx_event& e = push(BTX_EVENT_STORAGE_MOVED, a);
            replace_message(e, lt::alert_cast<lt::storage_moved_alert>(a)->storage_path());
            break;
        }
        case lt::storage_moved_failed_alert::alert_type: {
            auto const* x = lt::alert_cast<lt::storage_moved_failed_alert>(a);
            btx_event& e = push(BTX_EVENT_STORAGE_MOVE_FAILED, a);
            // A file in the way fails the move with no error code of its own.
            lt::error_code const error = x->error ? x->error : lt::error_code(EEXIST, lt::generic_category());
            std::string const path = x->file_path();
            replace_message(e, path.empty() ? error.message() + " (" + lt::operation_name(x->op) + ")"
                                            : btx::disk_error_message(path, error, x->op));
            break;
        }
        case lt::listen_succeeded_alert::alert_type: {
            // One event per listening port: the TCP socket's (uTP shares the port).
            auto const* x = lt::alert_cast<lt::listen_succeeded_alert>(a);
            if (x->socket_type == lt::socket_type_t::tcp) push(BTX_EVENT_LISTEN_SUCCEEDED, a).value = x->port;
            break;
        }
        case lt::listen_failed_alert::alert_type: push(BTX_EVENT_LISTEN_FAILED, a); break;
        case lt::dht_bootstrap_alert::alert_type: push(BTX_EVENT_DHT_BOOTSTRAPPED, a); break;
        case lt::dht_pkt_alert::alert_type: count_answer(*lt::alert_cast<lt::dht_pkt_alert>(a)); break;
        case lt::dht_immutable_item_alert::alert_type: {
            auto const* x = lt::alert_cast<lt::dht_immutable_item_alert>(a);
            btx_dht_item& item = push_item(BTX_EVENT_DHT_ITEM, a);
            std::string const target = btx::to_hex(x->target.data(), 20);
            btx::copy_into(item.target, sizeof item.target, target);
            set_value(item, x->item);
            item.authoritative = 1;
            item.nodes = finish_get(target, true);
            break;
        }
        case lt::dht_mutable_item_alert::alert_type: {
            auto const* x = lt::alert_cast<lt::dht_mutable_item_alert>(a);
            btx_dht_item& item = push_item(BTX_EVENT_DHT_ITEM, a);
            fill_mutable(item, x->key, x->signature, x->salt, x->seq);
            set_value(item, x->item);
            item.authoritative = x->authoritative;
            item.nodes = finish_get(item.target, x->authoritative);
            break;
        }
        case lt::dht_put_alert::alert_type: {
            auto const* x = lt::alert_cast<lt::dht_put_alert>(a);
            btx_event& e = push(BTX_EVENT_DHT_PUT, a);
            btx_dht_item& item = *e.dht;
            bool const is_mutable = std::any_of(x->public_key.begin(), x->public_key.end(), [](char c) { return c != 0; });
            if (is_mutable) {
                fill_mutable(item, x->public_key, x->signature, x->salt, x->seq);
                std::lock_guard<std::mutex> lock(session.mutex);
                auto const conflict = session.dht_cas_conflicts.find(item.target);
                if (conflict != session.dht_cas_conflicts.end()) {
                    replace_message(e, "cas mismatch: the item's seq is " + std::to_string(conflict->second));
                    session.dht_cas_conflicts.erase(conflict);
                }
            } else {
                btx::copy_into(item.target, sizeof item.target, btx::to_hex(x->target.data(), 20));
            }
            item.nodes = x->num_success;
            break;
        }
        case lt::url_seed_alert::alert_type: {
            auto const* x = lt::alert_cast<lt::url_seed_alert>(a);
            btx_event& e = push(BTX_EVENT_WEB_SEED_ERROR, a);
            e.url = btx::copy_string(x->server_url());
            replace_message(e, x->error ? x->error.message() : std::string(x->error_message()));
            break;
        }
        case lt::peer_error_alert::alert_type: {
            auto const* x = lt::alert_cast<lt::peer_error_alert>(a);
            char const* why = web_seed_failure(x->error);
            if (why == nullptr) break;
            btx_event& e = push(BTX_EVENT_WEB_SEED_ERROR, a);
            e.url = btx::copy_string(web_seed_at(x->handle, x->endpoint));
            replace_message(e, why);
            break;
        }
        case lt::file_completed_alert::alert_type: {
            // Its path as btx files shows it (pad files, which libtorrent also completes, are no one's).
            auto const* x = lt::alert_cast<lt::file_completed_alert>(a);
            std::shared_ptr<lt::torrent_info const> ti;
            try {
                ti = x->handle.torrent_file();
            } catch (lt::system_error const&) {
                // Removed since (a torrent added from resume data and removed
                // at once completes its files on the way): no one to tell.
                break;
            }
            if (!ti || ti->files().pad_file_at(x->index)) break;
            btx_event& e = push(BTX_EVENT_FILE_COMPLETED, a);
            e.value = static_cast<int>(x->index);
            replace_message(e, ti->files().file_path(x->index));
            break;
        }
        case lt::peer_blocked_alert::alert_type: {
            // The other reasons (uTP off, privileged ports) are settings, not the blocklist.
            auto const* x = lt::alert_cast<lt::peer_blocked_alert>(a);
            if (x->reason != lt::peer_blocked_alert::ip_filter) break;
            btx_event& e = push(BTX_EVENT_PEER_BLOCKED, a);
            replace_message(e, x->endpoint.address().to_string());
            break;
        }
        default: break;
        }
    }

    btx_dht_item& push_item(int type, lt::alert const* a) { return *push(type, a).dht; }

    /// The copy is made before the old text goes: a bad_alloc in between
    /// would leave the event holding freed memory, freed again by free_event.
    static void replace_message(btx_event& e, std::string const& text) {
        char* copy = btx::copy_string(text);
        std::free(e.message);
        e.message = copy;
    }

    /// Why a web seed's answer was refused, for the errors only an HTTP
    /// peer gives; nullptr for any other peer error.
    static char const* web_seed_failure(lt::error_code const& ec) {
        if (ec == lt::errors::invalid_range)
            return "the server ignores Range requests (it answered with other bytes than asked for); "
                   "libtorrent tries it again every 30 s";
        if (ec == lt::errors::no_content_length) return "the server's answer has no Content-Length";
        if (ec == lt::errors::http_parse_error) return "the server's answer is not HTTP";
        return nullptr;
    }

    /// The torrent's web seed at `endpoint`: the one whose URL names that
    /// address and port, else the only one; "" when that cannot be told.
    static std::string web_seed_at(lt::torrent_handle const& h, lt::tcp::endpoint const& endpoint) {
        std::set<std::string> seeds;
        try { seeds = h.url_seeds(); } catch (...) { return ""; }
        std::string const address = endpoint.address().is_v6() ? "[" + endpoint.address().to_string() + "]"
                                                                 : endpoint.address().to_string();
        std::string const port = std::to_string(endpoint.port());
        for (auto const& url : seeds) {
            auto const start = url.find("://");
            if (start == std::string::npos) continue;
            std::string authority = url.substr(start + 3, url.find('/', start + 3) - (start + 3));
            bool const https = url.compare(0, 5, "https") == 0;
            if (authority.find(']') == std::string::npos ? authority.find(':') == std::string::npos
                                                          : authority.back() == ']')
                authority += https ? ":443" : ":80";
            if (authority == address + ":" + port) return url;
        }
        return seeds.size() == 1 ? *seeds.begin() : "";
    }

    btx_event& push_tracker(int type, lt::tracker_alert const& a) {
        btx_event& e = push(type, &a);
        e.url = btx::copy_string(a.tracker_url());
        return e;
    }

    static int64_t unix_now() {
        return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    }

    void fill_mutable(btx_dht_item& item, std::array<char, 32> const& key, std::array<char, 64> const& sig,
                      std::string const& salt, std::int64_t seq) {
        item.is_mutable = 1;
        btx::copy_into(item.public_key, sizeof item.public_key, btx::to_hex(key.data(), 32));
        btx::copy_into(item.signature, sizeof item.signature, btx::to_hex(sig.data(), 64));
        btx::copy_into(item.target, sizeof item.target, btx::mutable_target_hex(key.data(), salt));
        item.salt = btx::copy_bytes(salt.data(), salt.size());
        item.salt_len = salt.size();
        item.seq = seq;
    }

    static void set_value(btx_dht_item& item, lt::entry const& value) {
        if (value.type() == lt::entry::undefined_t) return;
        std::vector<char> encoded;
        lt::bencode(std::back_inserter(encoded), value);
        item.value = btx::copy_bytes(encoded.data(), encoded.size());
        item.value_len = encoded.size();
    }

    // An incoming reply that carries a value, to a get we have in flight.
    void count_answer(lt::dht_pkt_alert const& a) {
        if (a.direction != lt::dht_pkt_alert::incoming) return;
        btx::dht_answer const answer = btx::read_dht_answer(a.pkt_buf());
        if (!answer.has_value) return;
        std::lock_guard<std::mutex> lock(session.mutex);
        if (!answer.key_hex.empty()) {
            // The reply names no salt: it counts for every get of that key.
            for (auto& entry : session.dht_answers)
                if (entry.second.key_hex == answer.key_hex) entry.second.nodes.insert(a.node);
        } else {
            auto const get = session.dht_answers.find(answer.target_hex);
            if (get != session.dht_answers.end()) get->second.nodes.insert(a.node);
        }
    }

    // How many nodes answered; a finished get stops the packet reports when
    // it was the last one in flight.
    int finish_get(std::string const& id, bool finished) {
        bool none_left = false;
        int answers = 0;
        {
            std::lock_guard<std::mutex> lock(session.mutex);
            auto const get = session.dht_answers.find(id);
            if (get == session.dht_answers.end()) return 0;
            answers = int(get->second.nodes.size());
            if (finished && --get->second.in_flight <= 0) session.dht_answers.erase(get);
            none_left = session.dht_answers.empty();
        }
        if (finished && none_left) btx::set_packet_alerts(session, false);
        return answers;
    }
};

}  // namespace

void btx_session::drop_pending_events() {
    for (auto& e : pending_events) free_event(e);
    pending_events.clear();
}

extern "C" {

int btx_session_events(btx_session* session, int timeout_ms, btx_event** out, size_t* out_count) {
    return btx::guarded([&] {
        auto& s = btx::checked(session);
        btx::require(out, "out");
        btx::require(out_count, "out_count");
        *out = nullptr;
        *out_count = 0;
        if (timeout_ms > 0 && s.pending_events.empty()) s.session.wait_for_alert(std::chrono::milliseconds(timeout_ms));
        std::vector<lt::alert*> alerts;
        s.session.pop_alerts(&alerts);

        event_builder builder{s, std::exchange(s.pending_events, {})};
        btx_event* result = nullptr;
        try {
            for (lt::alert const* a : alerts) builder.add(a);
            result = btx::alloc_array<btx_event>(builder.events.size());
        } catch (...) {
            for (auto& e : builder.events) free_event(e);
            throw;
        }
        if (!builder.events.empty()) std::memcpy(result, builder.events.data(), builder.events.size() * sizeof(btx_event));
        *out = result;
        *out_count = builder.events.size();
        return BTX_OK;
    });
}

int btx_session_status_updates_now(btx_session* session, int timeout_ms, btx_status** out, size_t* out_count) {
    int const posted = btx_session_post_status_updates(session);
    if (posted != BTX_OK) return posted;
    int const drained = btx::guarded([&] {
        auto& s = btx::checked(session);
        auto const deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
        // The alerts popped meanwhile become events for btx_session_events,
        // in order, after any kept from before.
        event_builder builder{s, std::exchange(s.pending_events, {})};
        bool answered = true;
        try {
            while (s.status_posts > 0) {
                auto const left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
                if (left.count() <= 0) {
                    answered = false;
                    break;
                }
                s.session.wait_for_alert(left);
                std::vector<lt::alert*> alerts;
                s.session.pop_alerts(&alerts);
                for (lt::alert const* a : alerts) builder.add(a);
            }
        } catch (...) {
            s.pending_events = std::move(builder.events);
            throw;
        }
        s.pending_events = std::move(builder.events);
        // The host sleeps on the wake pipe, which these alerts no longer fill.
        if (!s.pending_events.empty() && s.wake_pipe[1] >= 0) {
            char const byte = 1;
            ssize_t const ignored = ::write(s.wake_pipe[1], &byte, 1);
            (void)ignored;
        }
        if (!answered) {
            // A full alert queue drops the update: no later wait should count on it.
            s.status_posts = 0;
            throw btx::failure(BTX_ERR_INTERNAL, "libtorrent posted no state update in time");
        }
        return BTX_OK;
    });
    if (drained != BTX_OK) return drained;
    return btx_session_status_updates(session, out, out_count);
}

void btx_events_free(btx_event* events, size_t count) {
    if (events == nullptr) return;
    for (size_t i = 0; i < count; ++i) free_event(events[i]);
    std::free(events);
}

}
