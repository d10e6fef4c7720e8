// The event drain: libtorrent's alerts are only valid until the next
// pop_alerts, so each one the CLI cares about is copied into a btx_event.
#include "guard.hpp"
#include "session.hpp"

#include <libtorrent/alert_types.hpp>
#include <libtorrent/write_resume_data.hpp>

#include <chrono>

namespace {

struct event_builder {
    btx_session& session;
    std::vector<btx_event> events;

    btx_event& push(int type, lt::alert const* a) {
        events.push_back(btx_event{});
        btx_event& e = events.back();
        e.type = type;
        e.message = btx::copy_string(a->message());
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
        case lt::save_resume_data_alert::alert_type: {
            auto const* x = lt::alert_cast<lt::save_resume_data_alert>(a);
            std::vector<char> const buf = lt::write_resume_data_buf(x->params);
            btx_event& e = push(BTX_EVENT_RESUME_DATA, a);
            btx::copy_into(e.info_hash, sizeof e.info_hash, btx::best_hash_hex(x->params.info_hashes));
            e.data = btx::copy_bytes(buf.data(), buf.size());
            e.data_len = buf.size();
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
            // "PATH: REASON (OPERATION)" reads better than the alert's own text.
            auto const* x = lt::alert_cast<lt::file_error_alert>(a);
            btx_event& e = push(BTX_EVENT_FILE_ERROR, a);
            std::free(e.message);
            e.message = btx::copy_string(std::string(x->filename()) + ": " + x->error.message() + " ("
                                         + lt::operation_name(x->op) + ")");
            break;
        }
        case lt::hash_failed_alert::alert_type:
            push(BTX_EVENT_HASH_FAILED, a).value = static_cast<int>(lt::alert_cast<lt::hash_failed_alert>(a)->piece_index);
            break;
        case lt::tracker_reply_alert::alert_type:
            push(BTX_EVENT_TRACKER_REPLY, a).value = lt::alert_cast<lt::tracker_reply_alert>(a)->num_peers;
            break;
        case lt::tracker_error_alert::alert_type: push(BTX_EVENT_TRACKER_ERROR, a); break;
        case lt::listen_succeeded_alert::alert_type: {
            // One event per listening port: the TCP socket's (uTP shares the port).
            auto const* x = lt::alert_cast<lt::listen_succeeded_alert>(a);
            if (x->socket_type == lt::socket_type_t::tcp) push(BTX_EVENT_LISTEN_SUCCEEDED, a).value = x->port;
            break;
        }
        case lt::listen_failed_alert::alert_type: push(BTX_EVENT_LISTEN_FAILED, a); break;
        case lt::dht_bootstrap_alert::alert_type: push(BTX_EVENT_DHT_BOOTSTRAPPED, a); break;
        default: break;
        }
    }
};

}  // namespace

extern "C" {

int btx_session_events(btx_session* session, int timeout_ms, btx_event** out, size_t* out_count) {
    return btx::guarded([&] {
        auto& s = btx::checked(session);
        btx::require(out, "out");
        btx::require(out_count, "out_count");
        *out = nullptr;
        *out_count = 0;
        if (timeout_ms > 0) s.session.wait_for_alert(std::chrono::milliseconds(timeout_ms));
        std::vector<lt::alert*> alerts;
        s.session.pop_alerts(&alerts);

        event_builder builder{s, {}};
        btx_event* result = nullptr;
        try {
            for (lt::alert const* a : alerts) builder.add(a);
            result = btx::alloc_array<btx_event>(builder.events.size());
        } catch (...) {
            for (auto& e : builder.events) {
                std::free(e.message);
                std::free(e.data);
            }
            throw;
        }
        if (!builder.events.empty()) std::memcpy(result, builder.events.data(), builder.events.size() * sizeof(btx_event));
        *out = result;
        *out_count = builder.events.size();
        return BTX_OK;
    });
}

void btx_events_free(btx_event* events, size_t count) {
    if (events == nullptr) return;
    for (size_t i = 0; i < count; ++i) {
        std::free(events[i].message);
        std::free(events[i].data);
    }
    std::free(events);
}

}
