// libtorrent's download queue (auto-managed torrents only) and pausing the
// whole session.
#include "guard.hpp"
#include "session.hpp"

#include <vector>

namespace {

// The torrents not paused themselves, in one call to libtorrent's thread
// rather than one each: a daemon of 30,000 took 1.1 s to stop on those.
std::vector<lt::torrent_handle> running_torrents(btx_session& s) {
    std::vector<lt::torrent_status> const running = s.session.get_torrent_status(
        [](lt::torrent_status const& st) { return !(st.flags & lt::torrent_flags::paused); }, {});
    std::vector<lt::torrent_handle> handles;
    handles.reserve(running.size());
    for (auto const& st : running) handles.push_back(st.handle);
    return handles;
}

}  // namespace

extern "C" {

int btx_torrent_queue_position(btx_session* session, btx_torrent torrent, int* out) {
    return btx::with_torrent(session, torrent, [&](lt::torrent_handle const& h) {
        btx::require(out, "out");
        *out = btx::queue_position_of(h.queue_position(), h.flags());
    });
}

int btx_torrent_queue_move(btx_session* session, btx_torrent torrent, int move) {
    return btx::with_torrent(session, torrent, [&](lt::torrent_handle const& h) {
        switch (move) {
        case BTX_QUEUE_UP: h.queue_position_up(); break;
        case BTX_QUEUE_DOWN: h.queue_position_down(); break;
        case BTX_QUEUE_TOP: h.queue_position_top(); break;
        case BTX_QUEUE_BOTTOM: h.queue_position_bottom(); break;
        default: throw btx::failure(BTX_ERR_INVALID_ARG, "unknown queue move " + std::to_string(move));
        }
    });
}

int btx_torrent_queue_set(btx_session* session, btx_torrent torrent, int position) {
    return btx::with_torrent(session, torrent, [&](lt::torrent_handle const& h) {
        if (position < 0) throw btx::failure(BTX_ERR_INVALID_ARG, "a queue position counts from 0");
        h.queue_position_set(lt::queue_position_t{position});
    });
}

// Like a torrent's pause and resume, the session's remember the peers it
// dropped and dial them again (see btx_torrent_resume).
int btx_session_pause(btx_session* session) {
    return btx::guarded([&] {
        auto& s = btx::checked(session);
        if (s.session.is_paused()) return BTX_OK;
        for (lt::torrent_handle const& h : running_torrents(s)) btx::remember_dialled_peers(s, h);
        s.session.pause();
        return BTX_OK;
    });
}

int btx_session_resume(btx_session* session) {
    return btx::guarded([&] {
        auto& s = btx::checked(session);
        if (!s.session.is_paused()) return BTX_OK;
        s.session.resume();
        for (lt::torrent_handle const& h : running_torrents(s)) btx::redial_remembered_peers(s, h);
        return BTX_OK;
    });
}

int btx_session_is_paused(btx_session* session, int* out_paused) {
    return btx::guarded([&] {
        auto& s = btx::checked(session);
        btx::require(out_paused, "out_paused");
        *out_paused = s.session.is_paused();
        return BTX_OK;
    });
}

}
