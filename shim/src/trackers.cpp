// A torrent's trackers and web seeds: listed with what libtorrent knows of
// each, added, removed, announced to and scraped.
#include "guard.hpp"
#include "session.hpp"

#include <libtorrent/announce_entry.hpp>
#include <libtorrent/error_code.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <functional>
#include <memory>
#include <set>
#include <string>

namespace {

using btx::with_torrent;

bool starts_with(std::string const& text, char const* prefix) { return text.rfind(prefix, 0) == 0; }

// A URL btx can hand to libtorrent: the scheme, something after it, and no
// whitespace or control characters (which a tracker request would carry on).
void require_url(char const* url, std::initializer_list<char const*> schemes, char const* what) {
    btx::require(url, what);
    std::string const text = url;
    bool const scheme_ok = std::any_of(schemes.begin(), schemes.end(), [&](char const* scheme) {
        return starts_with(text, scheme) && text.size() > std::strlen(scheme);
    });
    bool const clean = std::none_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) <= ' '; });
    if (scheme_ok && clean) return;
    std::string names;
    for (char const* scheme : schemes) names += (names.empty() ? "" : ", ") + std::string(scheme);
    throw btx::failure(BTX_ERR_INVALID_ARG, "'" + text + "' is not a " + what + " URL (" + names + ")");
}

// Trackers write what they like into failure reasons and warnings; a
// status line gets one line of printable text.
std::string one_line(std::string const& text) {
    std::string out;
    for (char c : text) {
        bool const space = static_cast<unsigned char>(c) < ' ' || c == 0x7f || c == ' ';
        if (space) {
            if (!out.empty() && out.back() != ' ') out += ' ';
        } else {
            out += c;
        }
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    if (out.size() > 300) out = out.substr(0, 297) + "...";
    return out;
}

int64_t unix_time(lt::time_point32 when) {
    auto const from_now = std::chrono::duration_cast<std::chrono::seconds>(when - lt::clock_type::now());
    auto const now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
    return std::max<int64_t>(now.count(), (now + from_now).count());
}

// One row per tracker, summing up libtorrent's announces from each listen
// socket and for each of a hybrid torrent's hashes.
void summarize(lt::announce_entry const& ae, lt::info_hash_t const& hashes, bool running, btx_tracker_status& out) {
    bool updating = false, working = false, failed = false, any = false, all_gave_up = true;
    bool const hybrid = hashes.has_v1() && hashes.has_v2();
    std::string message, other_failure;
    // The tracker's own words ("not authorized") say more than a local
    // error of another endpoint ("timed out"): they win.
    bool said_by_tracker = false;
    lt::time_point32 next = lt::time_point32::max();
    out.seeds = out.peers = out.downloaded = -1;
    for (lt::announce_endpoint const& ep : ae.endpoints) {
        if (!ep.enabled) continue;
        for (lt::protocol_version const v : {lt::protocol_version::V1, lt::protocol_version::V2}) {
            if (!hashes.has(v)) continue;
            lt::announce_infohash const& a = ep.info_hashes[v];
            // A socket that cannot reach the tracker's address family.
            if (a.last_error == lt::errors::announce_skipped) continue;
            any = true;
            out.seeds = std::max(out.seeds, a.scrape_complete);
            out.peers = std::max(out.peers, a.scrape_incomplete);
            out.downloaded = std::max(out.downloaded, a.scrape_downloaded);
            bool const contacted = a.min_announce != lt::time_point32::min();
            if (ae.fail_limit == 0 || a.fails < ae.fail_limit) all_gave_up = false;
            if (a.updating) {
                updating = true;
            } else if (contacted && a.fails == 0) {
                if (!working) message = a.message;  // a warning, if any
                working = true;
            } else if (a.fails > 0) {
                std::string const reason = a.message.empty() ? a.last_error.message() : a.message;
                if (!working && (message.empty() || (!said_by_tracker && !a.message.empty()))) {
                    message = reason;
                    said_by_tracker = !a.message.empty();
                }
                if (hybrid) other_failure = (v == lt::protocol_version::V1 ? "v1 announce: " : "v2 announce: ") + reason;
                failed = true;
            }
            if (!a.updating && contacted && a.next_announce != lt::time_point32::min()) next = std::min(next, a.next_announce);
        }
    }
    if (updating) out.state = BTX_TRACKER_UPDATING;
    else if (working) out.state = BTX_TRACKER_WORKING;
    else if (any && failed && all_gave_up) out.state = BTX_TRACKER_DISABLED;
    else if (failed) out.state = BTX_TRACKER_ERROR;
    else if (!any && !ae.endpoints.empty()) out.state = BTX_TRACKER_DISABLED;
    else out.state = BTX_TRACKER_NOT_CONTACTED;
    // Working for one of a hybrid's hashes and refused for the other: say which.
    if (working && !other_failure.empty()) message = message.empty() ? other_failure : message + "; " + other_failure;
    out.message = btx::copy_string(one_line(message));
    out.next_announce = running && next != lt::time_point32::max() ? unix_time(next) : 0;
}

}  // namespace

extern "C" {

int btx_torrent_trackers(btx_session* session, btx_torrent torrent, btx_tracker_status** out, size_t* out_count) {
    return btx::guarded([&] {
        auto& s = btx::checked(session);
        btx::require(out, "out");
        btx::require(out_count, "out_count");
        *out = nullptr;
        *out_count = 0;
        lt::torrent_handle const h = s.resolve(torrent);
        std::vector<lt::announce_entry> const trackers = h.trackers();
        lt::torrent_status const st = h.status({});
        // Announces are scheduled only while the torrent (and the session) runs.
        bool const running = !(st.flags & lt::torrent_flags::paused) && !s.session.is_paused();
        size_t const n = trackers.size();
        std::unique_ptr<btx_tracker_status, std::function<void(btx_tracker_status*)>> result(
            btx::alloc_array<btx_tracker_status>(n), [n](btx_tracker_status* p) { btx_tracker_statuses_free(p, n); });
        for (size_t i = 0; i < n; ++i) {
            lt::announce_entry const& ae = trackers[i];
            btx_tracker_status& t = result.get()[i];
            t.url = btx::copy_string(ae.url);
            t.tier = ae.tier;
            t.last_announce = s.last_announce(h, ae.url);
            summarize(ae, st.info_hashes, running, t);
        }
        *out = result.release();
        *out_count = n;
        return BTX_OK;
    });
}

void btx_tracker_statuses_free(btx_tracker_status* trackers, size_t count) {
    if (trackers == nullptr) return;
    for (size_t i = 0; i < count; ++i) {
        std::free(trackers[i].url);
        std::free(trackers[i].message);
    }
    std::free(trackers);
}

int btx_torrent_add_tracker(btx_session* session, btx_torrent torrent, char const* url, int tier) {
    return with_torrent(session, torrent, [&](lt::torrent_handle const& h) {
        require_url(url, {"http://", "https://", "udp://"}, "tracker");
        if (tier < 0 || tier > 255) throw btx::failure(BTX_ERR_INVALID_ARG, "tier " + std::to_string(tier) + " is not 0..255");
        lt::announce_entry entry(url);
        entry.tier = std::uint8_t(tier);
        h.add_tracker(entry);
    });
}

int btx_torrent_remove_tracker(btx_session* session, btx_torrent torrent, char const* url) {
    return with_torrent(session, torrent, [&](lt::torrent_handle const& h) {
        btx::require(url, "url");
        std::vector<lt::announce_entry> trackers = h.trackers();
        auto const kept = std::remove_if(trackers.begin(), trackers.end(),
                                         [&](lt::announce_entry const& ae) { return ae.url == url; });
        if (kept == trackers.end())
            throw btx::failure(BTX_ERR_NOT_FOUND, std::string("the torrent has no tracker ") + url);
        trackers.erase(kept, trackers.end());
        h.replace_trackers(trackers);
    });
}

int btx_torrent_reannounce(btx_session* session, btx_torrent torrent) {
    return with_torrent(session, torrent, [&](lt::torrent_handle const& h) {
        h.force_reannounce(0, -1, lt::torrent_handle::ignore_min_interval);
        h.force_dht_announce();
    });
}

int btx_torrent_scrape(btx_session* session, btx_torrent torrent) {
    return with_torrent(session, torrent, [&](lt::torrent_handle const& h) {
        int const n = int(h.trackers().size());
        if (n == 0) throw btx::failure(BTX_ERR_NOT_FOUND, "the torrent has no trackers");
        // With no index libtorrent scrapes only the tracker that answered last.
        for (int i = 0; i < n; ++i) h.scrape_tracker(i);
    });
}

int btx_torrent_web_seeds(btx_session* session, btx_torrent torrent, char*** out, size_t* out_count) {
    return btx::guarded([&] {
        auto& s = btx::checked(session);
        btx::require(out, "out");
        btx::require(out_count, "out_count");
        *out = nullptr;
        *out_count = 0;
        std::set<std::string> const seeds = s.resolve(torrent).url_seeds();
        size_t const n = seeds.size();
        std::unique_ptr<char*, std::function<void(char**)>> result(btx::alloc_array<char*>(n),
                                                                   [n](char** p) { btx_strings_free(p, n); });
        size_t i = 0;
        for (auto const& url : seeds) result.get()[i++] = btx::copy_string(url);
        *out = result.release();
        *out_count = n;
        return BTX_OK;
    });
}

void btx_strings_free(char** strings, size_t count) {
    if (strings == nullptr) return;
    for (size_t i = 0; i < count; ++i) std::free(strings[i]);
    std::free(strings);
}

int btx_torrent_add_web_seed(btx_session* session, btx_torrent torrent, char const* url) {
    return with_torrent(session, torrent, [&](lt::torrent_handle const& h) {
        require_url(url, {"http://", "https://"}, "web seed");
        h.add_url_seed(url);
    });
}

int btx_torrent_remove_web_seed(btx_session* session, btx_torrent torrent, char const* url) {
    return with_torrent(session, torrent, [&](lt::torrent_handle const& h) {
        btx::require(url, "url");
        if (h.url_seeds().count(url) == 0)
            throw btx::failure(BTX_ERR_NOT_FOUND, std::string("the torrent has no web seed ") + url);
        h.remove_url_seed(url);
    });
}

}
