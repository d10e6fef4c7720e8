// A torrent's own rate limits, connection caps and behaviour flags: what
// `btx set` changes while it runs, kept in its resume data.
#include "guard.hpp"
#include "session.hpp"

#include <climits>
#include <string>
#include <utility>

namespace {

using btx::with_torrent;

// libtorrent says "unlimited" as -1, 0, INT_MAX or 2^24-1 depending on the
// setting; btx says 0.
int64_t unlimited_as_zero(int value) { return value <= 0 || value >= (1 << 24) - 1 ? 0 : value; }

// What btx's flag bits stand for in libtorrent.
std::pair<uint32_t, lt::torrent_flags_t> const flag_map[] = {
    {BTX_TORRENT_SEQUENTIAL, lt::torrent_flags::sequential_download},
    {BTX_TORRENT_SUPER_SEEDING, lt::torrent_flags::super_seeding},
    {BTX_TORRENT_UPLOAD_MODE, lt::torrent_flags::upload_mode},
    {BTX_TORRENT_SHARE_MODE, lt::torrent_flags::share_mode},
    {BTX_TORRENT_AUTO_MANAGED, lt::torrent_flags::auto_managed},
};

uint32_t const all_flags = BTX_TORRENT_SEQUENTIAL | BTX_TORRENT_SUPER_SEEDING | BTX_TORRENT_UPLOAD_MODE
    | BTX_TORRENT_SHARE_MODE | BTX_TORRENT_AUTO_MANAGED;

}  // namespace

extern "C" {

int btx_torrent_limits(btx_session* session, btx_torrent torrent, btx_limits* out) {
    return with_torrent(session, torrent, [&](lt::torrent_handle const& h) {
        btx::require(out, "out");
        *out = btx_limits{};
        out->download_rate = unlimited_as_zero(h.download_limit());
        out->upload_rate = unlimited_as_zero(h.upload_limit());
        out->max_connections = int(unlimited_as_zero(h.max_connections()));
        out->max_uploads = int(unlimited_as_zero(h.max_uploads()));
    });
}

int btx_torrent_set_limits(btx_session* session, btx_torrent torrent, btx_limits const* limits) {
    return with_torrent(session, torrent, [&](lt::torrent_handle const& h) {
        btx::require(limits, "limits");
        btx_limits const& l = *limits;
        if (l.download_rate < 0 || l.upload_rate < 0 || l.download_rate > INT_MAX || l.upload_rate > INT_MAX)
            throw btx::failure(BTX_ERR_INVALID_ARG, "a rate limit must be 0..2147483647 bytes/s");
        if (l.max_connections < 0 || l.max_connections == 1)
            throw btx::failure(BTX_ERR_INVALID_ARG, "max_connections must be 0 (unlimited) or at least 2");
        if (l.max_uploads < 0) throw btx::failure(BTX_ERR_INVALID_ARG, "max_uploads must not be negative");
        // libtorrent: 0 is unlimited for rates, -1 for the caps.
        h.set_download_limit(int(l.download_rate));
        h.set_upload_limit(int(l.upload_rate));
        h.set_max_connections(l.max_connections > 0 ? l.max_connections : -1);
        h.set_max_uploads(l.max_uploads > 0 ? l.max_uploads : -1);
    });
}

int btx_torrent_flags(btx_session* session, btx_torrent torrent, uint32_t* out) {
    return with_torrent(session, torrent, [&](lt::torrent_handle const& h) {
        btx::require(out, "out");
        lt::torrent_flags_t const flags = h.flags();
        *out = 0;
        for (auto const& [bit, flag] : flag_map)
            if (flags & flag) *out |= bit;
    });
}

int btx_torrent_set_flags(btx_session* session, btx_torrent torrent, uint32_t flags, uint32_t mask) {
    return with_torrent(session, torrent, [&](lt::torrent_handle const& h) {
        if (mask & ~all_flags) throw btx::failure(BTX_ERR_INVALID_ARG, "unknown flag bits " + std::to_string(mask & ~all_flags));
        lt::torrent_flags_t set{}, touched{};
        for (auto const& [bit, flag] : flag_map) {
            if (!(mask & bit)) continue;
            touched |= flag;
            if (flags & bit) set |= flag;
        }
        // The queue may start it.
        if (set & lt::torrent_flags::auto_managed) session->plug(h);
        h.set_flags(set, touched);
    });
}

}
