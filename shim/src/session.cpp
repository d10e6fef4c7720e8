#include "disk_guard.hpp"
#include "guard.hpp"
#include "session.hpp"

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

#include <libtorrent/alert.hpp>
#include <libtorrent/fingerprint.hpp>
#include <libtorrent/mmap_disk_io.hpp>
#include <libtorrent/posix_disk_io.hpp>
#include <libtorrent/session.hpp>
#include <libtorrent/session_params.hpp>
#include <libtorrent/session_status.hpp>
#include <libtorrent/settings_pack.hpp>

#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <unistd.h>

namespace {

bool parse_bool(std::string const& text, char const* name) {
    if (text == "1" || text == "true" || text == "yes" || text == "on") return true;
    if (text == "0" || text == "false" || text == "no" || text == "off") return false;
    throw btx::failure(BTX_ERR_INVALID_ARG, std::string("setting ") + name + " expects a boolean, got '" + text + "'");
}

int parse_int(std::string const& text, char const* name) {
    char* end = nullptr;
    errno = 0;
    long long const v = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || errno != 0 || v < INT32_MIN || v > INT32_MAX)
        throw btx::failure(BTX_ERR_INVALID_ARG, std::string("setting ") + name + " expects an integer, got '" + text + "'");
    return int(v);
}

// btx's own setting beside libtorrent's: the disk I/O subsystem, chosen when
// a session starts. mmap (libtorrent's default) maps the files and lets the
// page cache hold what it wrote; posix reads and writes with pread/pwrite.
constexpr char const* disk_io_setting = "disk_io";

lt::disk_io_constructor_type disk_io_named(std::string const& name) {
    if (name == "mmap") return lt::mmap_disk_io_constructor;
    if (name == "posix") return lt::posix_disk_io_constructor;
    throw btx::failure(BTX_ERR_INVALID_ARG, "setting disk_io expects mmap or posix, got '" + name + "'");
}

void apply(lt::settings_pack& pack, btx_setting const* settings, size_t count, bool starting) {
    if (count > 0) btx::require(settings, "settings");
    for (size_t i = 0; i < count; ++i) {
        btx::require(settings[i].name, "setting name");
        btx::require(settings[i].value, "setting value");
        char const* name = settings[i].name;
        std::string const value = settings[i].value;
        if (std::strcmp(name, disk_io_setting) == 0) {
            if (!starting) throw btx::failure(BTX_ERR_INVALID_ARG, "disk_io is chosen when a session starts");
            continue;
        }
        int const key = lt::setting_by_name(name);
        if (key < 0) throw btx::failure(BTX_ERR_INVALID_ARG, std::string("unknown libtorrent setting: ") + name);
        switch (key & lt::settings_pack::type_mask) {
        case lt::settings_pack::string_type_base: pack.set_str(key, value); break;
        case lt::settings_pack::int_type_base: pack.set_int(key, parse_int(value, name)); break;
        case lt::settings_pack::bool_type_base: pack.set_bool(key, parse_bool(value, name)); break;
        }
    }
}

}  // namespace

namespace {

// libtorrent finds a torrent to remove by walking its list of torrents from
// the front (the order get_torrent_status answers in), then moves the last
// into the gap. Removed from the back, every removal walked the whole list:
// 1.6 s of a 100,000-torrent stop. When the queue runs in that same order
// (torrents queued as they were added), removing the first and then the
// rest from the back keeps both cheap: each next one is then the list's
// first and the queue's last. Otherwise the queue's order alone decides.
void order_for_removal(std::vector<lt::torrent_status>& torrents) {
    lt::queue_position_t last{-1};
    bool queued_in_list_order = true;
    for (auto const& t : torrents) {
        if (t.queue_position < lt::queue_position_t{0}) continue;
        queued_in_list_order = queued_in_list_order && t.queue_position > last;
        last = t.queue_position;
    }
    if (queued_in_list_order && torrents.size() > 1) {
        std::reverse(torrents.begin() + 1, torrents.end());
        return;
    }
    std::sort(torrents.begin(), torrents.end(),
              [](lt::torrent_status const& a, lt::torrent_status const& b) { return a.queue_position > b.queue_position; });
}

}  // namespace

void btx_session::close() {
    if (closed) return;
    session.set_alert_notify([] {});
    // Stopping many torrents was O(n²) in libtorrent three times over, 10 s
    // for 30,000 paused ones. An aborted torrent leaves the download queue
    // and every torrent behind it is renumbered; one that never ran (paused
    // since it was added) is still in that queue, and the session aborts
    // in the order added. Removed last-first, each is the queue's last. And
    // each stop is a disk job from a pool that frees into a sorted list, a
    // walk of every free slot: a few hundred at a time keep that list short.
    // Best effort: whatever fails here, the session is still aborted.
    try {
        std::vector<lt::torrent_status> torrents = session.get_torrent_status([](lt::torrent_status const&) { return true; }, {});
        order_for_removal(torrents);
        size_t const batch = 256;
        // One stop that takes long (queued behind a move) ends the pacing, not every batch's wait.
        bool pacing = true;
        for (size_t i = 0; i < torrents.size(); ++i) {
            session.remove_torrent(torrents[i].handle);
            if (!pacing || (i + 1) % batch != 0) continue;
            // A call that waits for the network thread: the batch's stops are asked for by then.
            (void)session.is_paused();
            auto const deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(100);
            while (disk_stops->load() > 0 && pacing) {
                std::this_thread::sleep_for(std::chrono::microseconds(100));
                pacing = std::chrono::steady_clock::now() < deadline;
            }
        }
    } catch (...) {
    }
    { lt::session_proxy const stopped = session.abort(); }
    closed = true;
}

btx_session::~btx_session() {
    // Join libtorrent's threads while the members they may still touch (the
    // mutex, the DHT maps, the wake pipe) exist: aborted DHT lookups call
    // back into them, and `session` is destroyed after every other member.
    close();
    drop_pending_events();
    if (wake_pipe[0] < 0) return;
    ::close(wake_pipe[0]);
    ::close(wake_pipe[1]);
}

extern "C" {

int btx_session_wake_fd(btx_session* session, int* out_fd) {
    return btx::guarded([&] {
        auto& s = btx::checked(session);
        btx::require(out_fd, "out_fd");
        std::lock_guard<std::mutex> lock(s.mutex);
        if (s.wake_pipe[0] < 0) {
            if (::pipe2(s.wake_pipe, O_NONBLOCK | O_CLOEXEC) != 0)
                throw btx::failure(BTX_ERR_IO, std::string("pipe: ") + std::strerror(errno));
            int const writer = s.wake_pipe[1];
            // Runs on libtorrent's thread when the alert queue turns non-empty;
            // a full pipe already says "wake up".
            s.session.set_alert_notify([writer] {
                char const byte = 1;
                ssize_t const ignored = ::write(writer, &byte, 1);
                (void)ignored;
            });
        }
        *out_fd = s.wake_pipe[0];
        return BTX_OK;
    });
}

int btx_session_new(btx_setting const* settings, size_t num_settings,
                    uint8_t const* dht_state, size_t dht_state_len, btx_session** out) {
    return btx::guarded([&] {
        btx::require(out, "out");
        *out = nullptr;
        lt::session_params params;
        // Each torrent gets them when it can run (btx_session::plug).
        params.extensions.clear();
        lt::disk_io_constructor_type disk_io = lt::default_disk_io_constructor;
        for (size_t i = 0; settings != nullptr && i < num_settings; ++i)
            if (settings[i].name != nullptr && std::strcmp(settings[i].name, disk_io_setting) == 0)
                disk_io = disk_io_named(settings[i].value != nullptr ? settings[i].value : "");
        auto disk_stops = std::make_shared<std::atomic<int>>(0);
        params.disk_io_constructor = btx::guarded_disk_io(disk_io, disk_stops);
        lt::dht::dht_state saved_dht;
        if (dht_state != nullptr && dht_state_len > 0) {
            // A damaged routing table is only a slower bootstrap, never a reason to fail.
            try {
                saved_dht = lt::read_session_params(
                    {reinterpret_cast<char const*>(dht_state), std::ptrdiff_t(dht_state_len)},
                    lt::session_handle::save_dht_state).dht_state;
            } catch (...) {
            }
        }
        lt::settings_pack& pack = params.settings;
        pack.set_int(lt::settings_pack::alert_mask, btx::event_categories);
        pack.set_int(lt::settings_pack::alert_queue_size, 10000);
        pack.set_str(lt::settings_pack::peer_fingerprint, lt::generate_fingerprint("BX", 0, 1, 0, 0));
        pack.set_str(lt::settings_pack::user_agent, std::string("btx/0.1 libtorrent/") + lt::version());
        apply(pack, settings, num_settings, true);
        // A DHT started with the session ignores session_params.dht_state's
        // node ids in libtorrent 2.0.8, so the node id would change every run.
        // Starting the DHT after set_dht_state keeps it.
        bool const dht = pack.get_bool(lt::settings_pack::enable_dht);
        bool const restore = dht && !saved_dht.nids.empty();
        if (restore) pack.set_bool(lt::settings_pack::enable_dht, false);
        auto session = std::make_unique<btx_session>(std::move(params));
        session->disk_stops = disk_stops;
        if (restore) {
            session->session.set_dht_state(std::move(saved_dht));
            lt::settings_pack on;
            on.set_bool(lt::settings_pack::enable_dht, true);
            session->session.apply_settings(std::move(on));
        }
        *out = session.release();
        return BTX_OK;
    });
}

void btx_session_free(btx_session* session) {
    btx::guarded([&] {
        delete session;
        return BTX_OK;
    });
}

int btx_session_close(btx_session* session) {
    return btx::guarded([&] {
        if (session == nullptr) throw btx::failure(BTX_ERR_BAD_HANDLE, "no session (NULL)");
        session->close();
        return BTX_OK;
    });
}

int btx_session_apply_settings(btx_session* session, btx_setting const* settings, size_t num_settings) {
    return btx::guarded([&] {
        auto& s = btx::checked(session);
        lt::settings_pack pack;
        apply(pack, settings, num_settings, false);
        s.session.apply_settings(std::move(pack));
        return BTX_OK;
    });
}

int btx_session_listen_port(btx_session* session, int* out_port) {
    return btx::guarded([&] {
        auto& s = btx::checked(session);
        btx::require(out_port, "out_port");
        *out_port = s.session.is_listening() ? s.session.listen_port() : 0;
        return BTX_OK;
    });
}

int btx_session_dht_state(btx_session* session, uint8_t** out, size_t* out_len) {
    return btx::guarded([&] {
        auto& s = btx::checked(session);
        btx::require(out, "out");
        btx::require(out_len, "out_len");
        auto const flags = lt::session_handle::save_dht_state;
        std::vector<char> const buf = lt::write_session_params_buf(s.session.session_state(flags), flags);
        *out = btx::copy_bytes(buf.data(), buf.size());
        *out_len = buf.size();
        return BTX_OK;
    });
}

int btx_session_disk_queue(btx_session* session, int* out_waiting_write, int* out_waiting_read) {
    return btx::guarded([&] {
        auto& s = btx::checked(session);
        btx::require(out_waiting_write, "out_waiting_write");
        btx::require(out_waiting_read, "out_waiting_read");
        // As for the DHT's node count: the one synchronous read of these in 2.0.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
        auto const status = s.session.status();
#pragma GCC diagnostic pop
        *out_waiting_write = status.disk_write_queue;
        *out_waiting_read = status.disk_read_queue;
        return BTX_OK;
    });
}

}
