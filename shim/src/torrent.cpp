#include "files.hpp"
#include "guard.hpp"
#include "session.hpp"
#include "torrent_file.hpp"

#include <libtorrent/add_torrent_params.hpp>
#include <libtorrent/address.hpp>
#include <libtorrent/hex.hpp>
#include <libtorrent/magnet_uri.hpp>
#include <libtorrent/peer_info.hpp>
#include <libtorrent/read_resume_data.hpp>
#include <libtorrent/torrent_info.hpp>

#include <algorithm>
#include <string>

namespace {

lt::tcp::endpoint parse_endpoint(std::string const& text) {
    // "host:port" or "[v6]:port"; host must be a literal address so that
    // connecting never triggers a DNS lookup behind the caller's back.
    auto const colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
        throw btx::failure(BTX_ERR_INVALID_ARG, "peer '" + text + "' is not HOST:PORT");
    std::string host = text.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    char* end = nullptr;
    long const port = std::strtol(text.c_str() + colon + 1, &end, 10);
    if (*end != '\0' || port <= 0 || port > 65535)
        throw btx::failure(BTX_ERR_INVALID_ARG, "peer '" + text + "' has an invalid port");
    lt::error_code ec;
    auto const address = lt::make_address(host, ec);
    if (ec) throw btx::failure(BTX_ERR_INVALID_ARG, "peer '" + text + "' is not an IP address and port");
    return {address, static_cast<unsigned short>(port)};
}

lt::add_torrent_params params_from_source(btx_add_params const& p) {
    int const sources = (p.metainfo != nullptr) + (p.magnet_uri != nullptr) + (p.resume_data != nullptr);
    if (sources != 1)
        throw btx::failure(BTX_ERR_INVALID_ARG, "exactly one of metainfo, magnet_uri and resume_data must be given");

    if (p.resume_data != nullptr) {
        lt::error_code ec;
        auto atp = lt::read_resume_data(
            {reinterpret_cast<char const*>(p.resume_data), std::ptrdiff_t(p.resume_data_len)}, ec, btx::torrent_limits());
        if (ec) throw btx::failure(BTX_ERR_PARSE, "invalid resume data: " + ec.message());
        return atp;
    }
    if (p.magnet_uri != nullptr) {
        lt::error_code ec;
        auto atp = lt::parse_magnet_uri(p.magnet_uri, ec);
        if (ec) throw btx::failure(BTX_ERR_PARSE, "invalid magnet link: " + ec.message());
        return atp;
    }
    lt::add_torrent_params atp;
    atp.ti = btx::torrent_from(btx::decode_torrent(reinterpret_cast<char const*>(p.metainfo), p.metainfo_len));
    return atp;
}

using btx::with_torrent;

}  // namespace

extern "C" {

int btx_torrent_add(btx_session* session, btx_add_params const* params, btx_torrent* out) {
    return btx::guarded([&] {
        auto& s = btx::checked(session);
        btx::require(params, "params");
        btx::require(out, "out");
        *out = 0;
        lt::add_torrent_params atp = params_from_source(*params);
        if (params->save_path != nullptr) atp.save_path = params->save_path;
        if (atp.save_path.empty()) throw btx::failure(BTX_ERR_INVALID_ARG, "no save path");

        bool const keep = params->flags & BTX_ADD_KEEP_SAVED_SETTINGS;
        lt::torrent_flags_t const saved = atp.flags;
        // libtorrent's default flags are "paused + auto-managed" (the queue
        // unpauses them). btx decides both: a torrent runs unless the user
        // paused it, and is queued only when asked to be (or, keeping saved
        // settings, when it was).
        atp.flags &= ~(lt::torrent_flags::auto_managed | lt::torrent_flags::paused);
        atp.flags &= ~lt::torrent_flags::duplicate_is_error;
        // Resume data records every flag; these belong to a run, not to the
        // torrent. upload_mode is what a full disk left behind: a new run
        // tries to write again. Settings the user set to last stay.
        lt::torrent_flags_t const per_run = lt::torrent_flags::sequential_download | lt::torrent_flags::upload_mode;
        atp.flags &= ~(per_run | lt::torrent_flags::stop_when_ready | lt::torrent_flags::disable_dht
                       | lt::torrent_flags::disable_lsd | lt::torrent_flags::disable_pex);
        if (keep) atp.flags |= saved & (per_run | lt::torrent_flags::auto_managed);
        // Resume data may carry apply_ip_filter off (another client wrote
        // it, or someone edited it). Such a torrent would not only ignore the
        // blocklist: libtorrent stops filtering incoming connections for the
        // whole session while any torrent is exempt.
        atp.flags |= lt::torrent_flags::apply_ip_filter;
        if (params->flags & BTX_ADD_AUTO_MANAGED) atp.flags |= lt::torrent_flags::auto_managed;
        if (params->flags & BTX_ADD_PAUSED) {
            atp.flags |= lt::torrent_flags::paused;
            atp.flags &= ~lt::torrent_flags::auto_managed;
        }
        if (params->flags & BTX_ADD_SEQUENTIAL) atp.flags |= lt::torrent_flags::sequential_download;
        if (params->flags & BTX_ADD_SEED_MODE) atp.flags |= lt::torrent_flags::seed_mode;

        // Extra trackers go after the torrent's own, one tier each.
        atp.tracker_tiers.resize(atp.trackers.size(), 0);
        int tier = atp.tracker_tiers.empty() ? 0 : *std::max_element(atp.tracker_tiers.begin(), atp.tracker_tiers.end()) + 1;
        for (size_t i = 0; i < params->num_trackers; ++i) {
            btx::require(params->trackers[i], "tracker");
            atp.trackers.emplace_back(params->trackers[i]);
            atp.tracker_tiers.push_back(tier++);
        }
        for (size_t i = 0; i < params->num_peers; ++i) {
            btx::require(params->peers[i], "peer");
            atp.peers.push_back(parse_endpoint(params->peers[i]));
        }
        if (params->num_file_priorities > 0) {
            btx::require(params->file_priorities, "file_priorities");
            if (!atp.ti) throw btx::failure(BTX_ERR_NO_METADATA, "file priorities need the torrent's metadata");
            atp.file_priorities = btx::expand_priorities(atp.ti->files(), params->file_priorities,
                                                         params->num_file_priorities);
        }
        if (params->download_limit < 0 || params->upload_limit < 0)
            throw btx::failure(BTX_ERR_INVALID_ARG, "a rate limit is negative");
        auto const limit = [](int64_t bytes) { return bytes > 0 ? int(std::min<int64_t>(bytes, INT32_MAX)) : -1; };
        if (!keep || params->download_limit > 0) atp.download_limit = limit(params->download_limit);
        if (!keep || params->upload_limit > 0) atp.upload_limit = limit(params->upload_limit);

        bool const can_run = !(atp.flags & lt::torrent_flags::paused) || (atp.flags & lt::torrent_flags::auto_managed);
        if (can_run) atp.extensions.assign(btx::peer_plugins().begin(), btx::peer_plugins().end());
        int64_t const downloaded = atp.total_downloaded, uploaded = atp.total_uploaded;
        lt::error_code ec;
        lt::torrent_handle const h = s.session.add_torrent(std::move(atp), ec);
        if (ec) throw lt::system_error(ec);
        *out = s.track(h, can_run);
        s.start_run(h, downloaded, uploaded);
        return BTX_OK;
    });
}

int btx_torrent_remove(btx_session* session, btx_torrent torrent, int delete_files) {
    return btx::guarded([&] {
        auto& s = btx::checked(session);
        lt::torrent_handle const h = s.resolve(torrent);
        s.session.remove_torrent(h, delete_files ? lt::session::delete_files : lt::remove_flags_t{});
        s.forget(torrent);
        return BTX_OK;
    });
}

int btx_torrent_pause(btx_session* session, btx_torrent torrent) {
    return with_torrent(session, torrent, [&](lt::torrent_handle const& h) {
        btx::remember_dialled_peers(*session, h);
        h.unset_flags(lt::torrent_flags::auto_managed);
        h.pause(lt::torrent_handle::graceful_pause);
    });
}

}  // extern "C"

namespace btx {

void remember_dialled_peers(btx_session& s, lt::torrent_handle const& h) {
    std::vector<lt::peer_info> peers;
    h.get_peer_info(peers);
    std::vector<lt::tcp::endpoint> dialled;
    for (auto const& p : peers)
        if (p.flags & lt::peer_info::outgoing_connection) dialled.push_back(p.ip);
    s.remember_peers(h, std::move(dialled));
}

// libtorrent keeps the peers a pause disconnected in its peer list and
// won't dial them again for a minute (min_reconnect_time), so a resumed
// torrent would sit idle although its peers and tracker are right there.
// Forgetting them and adding back the ones we had dialled makes them fresh
// candidates; a reannounce brings the tracker's at once.
void redial_remembered_peers(btx_session& s, lt::torrent_handle const& h) {
    std::vector<lt::tcp::endpoint> const peers = s.take_remembered_peers(h);
    if (!peers.empty()) lt::torrent_handle(h).clear_peers();
    for (auto const& ep : peers) h.connect_peer(ep);
    h.force_reannounce();
}

}  // namespace btx

namespace {

// libtorrent restarts a torrent's per-run counters when it resumes.
void resume_run(btx_session& s, lt::torrent_handle const& h) {
    // A resume is a try again: a full disk left the torrent in upload mode
    // (it would never download), other file errors in an error state.
    h.unset_flags(lt::torrent_flags::upload_mode);
    h.clear_error();
    s.plug(h);
    h.resume();
    btx::redial_remembered_peers(s, h);
    lt::torrent_status const st = h.status({});
    s.start_run(h, st.all_time_download, st.all_time_upload);
}

}  // namespace

extern "C" {

int btx_torrent_resume(btx_session* session, btx_torrent torrent) {
    return with_torrent(session, torrent, [&](lt::torrent_handle const& h) { resume_run(*session, h); });
}

int btx_torrent_force_recheck(btx_session* session, btx_torrent torrent) {
    return with_torrent(session, torrent, [&](lt::torrent_handle const& h) {
        bool const paused = bool(h.flags() & lt::torrent_flags::paused);
        h.force_recheck();
        if (!paused) return;
        // A paused torrent's check waits for a resume. stop_when_ready runs
        // the check and pauses it again before it talks to any peer; set
        // after force_recheck, which leaves the downloading states that
        // would trigger it at once.
        h.set_flags(lt::torrent_flags::stop_when_ready);
        resume_run(*session, h);
    });
}

int btx_torrent_connect_peer(btx_session* session, btx_torrent torrent, char const* endpoint) {
    return with_torrent(session, torrent, [&](lt::torrent_handle const& h) {
        btx::require(endpoint, "endpoint");
        // As a tracker's peer: libtorrent then forgives one failed dial of an
        // endpoint it knows (peer_list::update_peer), so a peer the user
        // named that was down a while is not dropped after three dials.
        h.connect_peer(parse_endpoint(endpoint), lt::peer_info::tracker);
    });
}

int btx_torrent_set_file_priorities(btx_session* session, btx_torrent torrent, uint8_t const* priorities,
                                    size_t count) {
    return with_torrent(session, torrent, [&](lt::torrent_handle const& h) {
        if (count > 0) btx::require(priorities, "priorities");
        auto const ti = h.torrent_file();
        if (!ti) throw btx::failure(BTX_ERR_NO_METADATA, "the torrent's metadata has not arrived yet");
        h.prioritize_files(btx::expand_priorities(ti->files(), priorities, count));
    });
}

int btx_torrent_rename_file(btx_session* session, btx_torrent torrent, int index, char const* path) {
    return with_torrent(session, torrent, [&](lt::torrent_handle const& h) {
        btx::require(path, "path");
        std::string const text = path;
        bool bad = text.empty() || text.front() == '/' || text.back() == '/';
        size_t start = 0;
        while (!bad && start <= text.size()) {
            size_t const end = std::min(text.find('/', start), text.size());
            std::string const part = text.substr(start, end - start);
            bad = part.empty() || part == "." || part == ".." || part.find('\\') != std::string::npos
                || std::any_of(part.begin(), part.end(), [](char c) { return static_cast<unsigned char>(c) < ' '; });
            start = end + 1;
        }
        if (bad) throw btx::failure(BTX_ERR_INVALID_ARG, "'" + text + "' is not a path inside the torrent's folder");
        auto const ti = h.torrent_file();
        if (!ti) throw btx::failure(BTX_ERR_NO_METADATA, "the torrent's metadata has not arrived yet");
        auto const files = btx::real_files(ti->files());
        if (index < 0 || size_t(index) >= files.size())
            throw btx::failure(BTX_ERR_INVALID_ARG, "no file " + std::to_string(index));
        h.rename_file(files[size_t(index)], text);
    });
}

int btx_torrent_save_resume(btx_session* session, btx_torrent torrent, int only_if_modified) {
    return with_torrent(session, torrent, [&](lt::torrent_handle const& h) {
        h.save_resume_data(lt::torrent_handle::save_info_dict
                           | (only_if_modified ? lt::torrent_handle::only_if_modified : lt::resume_data_flags_t{}));
    });
}

int btx_torrent_find(btx_session* session, char const* info_hash_hex, btx_torrent* out) {
    return btx::guarded([&] {
        auto& s = btx::checked(session);
        btx::require(info_hash_hex, "info_hash_hex");
        btx::require(out, "out");
        *out = 0;
        std::string const hex = info_hash_hex;
        *out = s.find(hex);
        if (*out != 0) return BTX_OK;
        throw btx::failure(BTX_ERR_BAD_HANDLE, "no torrent with info-hash " + hex);
    });
}

}
