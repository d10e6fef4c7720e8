#include "disk_guard.hpp"

#include <libtorrent/disk_buffer_holder.hpp>
#include <libtorrent/io_context.hpp>
#include <libtorrent/storage_defs.hpp>

#include <boost/asio/post.hpp>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace {

// libtorrent reports a disk error as its error_code's message, so each
// refusal's text (which names the link) gets a code of its own here.
class escape_category final : public boost::system::error_category {
public:
    char const* name() const noexcept override { return "btx.save_path"; }

    std::string message(int code) const override {
        std::lock_guard<std::mutex> lock(mutex_);
        if (code < 1 || size_t(code) > messages_.size()) return "would be written outside the save path";
        return messages_[size_t(code - 1)];
    }

    lt::error_code code_for(std::string const& message) {
        std::lock_guard<std::mutex> lock(mutex_);
        auto found = std::find(messages_.begin(), messages_.end(), message);
        if (found == messages_.end()) found = messages_.insert(messages_.end(), message);
        return lt::error_code(int(found - messages_.begin()) + 1, *this);
    }

private:
    mutable std::mutex mutex_;
    std::vector<std::string> messages_;
};

escape_category& escapes() {
    static escape_category category;
    return category;
}

std::string real_path(std::string const& path) {
    char* resolved = ::realpath(path.c_str(), nullptr);
    if (resolved == nullptr) return "";
    std::string result(resolved);
    std::free(resolved);
    return result;
}

std::string link_target(std::string const& link) {
    std::vector<char> buffer(4096);
    ssize_t const n = ::readlink(link.c_str(), buffer.data(), buffer.size());
    return n > 0 ? std::string(buffer.data(), size_t(n)) : std::string("?");
}

bool inside(std::string const& path, std::string const& root) {
    if (root == "/") return true;
    return path == root || (path.size() > root.size() && path.compare(0, root.size(), root) == 0 && path[root.size()] == '/');
}

// Walks a torrent's paths under a save path the way open(2) will: every
// component that exists is looked at once (folders are shared by many files).
class escape_walker {
public:
    explicit escape_walker(std::string save_path) : save_path_(std::move(save_path)), root_(real_path(save_path_)) {}

    // "" when `relative` stays inside; the reason otherwise. `skip_last`:
    // the last component is a symlink libtorrent makes itself.
    std::string check(std::string const& relative, bool skip_last) {
        // libtorrent's parser never makes these, but renamed files in resume data are taken as they are.
        if (!relative.empty() && relative.front() == '/') return relative + " is an absolute path, outside the save path";
        if (("/" + relative + "/").find("/../") != std::string::npos) return relative + " climbs out of the save path";
        // A save path that does not exist yet holds nothing to follow.
        if (root_.empty()) return "";
        std::string resolved = root_;
        std::string::size_type start = 0;
        while (start < relative.size()) {
            std::string::size_type end = relative.find('/', start);
            if (end == std::string::npos) end = relative.size();
            if (end == relative.size() && skip_last) return "";
            std::string const prefix = relative.substr(0, end);
            auto known = resolved_.find(prefix);
            if (known == resolved_.end()) {
                std::string reason;
                std::string const next = (resolved == "/" ? "" : resolved) + "/" + relative.substr(start, end - start);
                known = resolved_.emplace(prefix, step(next, save_path_ + "/" + prefix, reason)).first;
                if (!reason.empty()) return reason;
            }
            // Not there (or not ours to look into): libtorrent creates it, or reports its own error.
            if (known->second.empty()) return "";
            resolved = known->second;
            start = end + 1;
        }
        return "";
    }

private:
    // Where `next` really is: itself, a symlink's target inside the save
    // path, or "" when it does not exist. Sets `reason` for a link out.
    std::string step(std::string const& next, std::string const& shown, std::string& reason) {
        struct stat st {};
        if (::lstat(next.c_str(), &st) != 0) return "";
        if (!S_ISLNK(st.st_mode)) return next;
        std::string const target = real_path(next);
        // A dangling link counts as leading out: open(O_CREAT) would make its target, wherever it is.
        if (target.empty() || !inside(target, root_)) {
            reason = "would be written through the symlink " + shown + " to "
                     + (target.empty() ? link_target(next) + " (missing)" : target) + ", outside the save path "
                     + save_path_;
            return "";
        }
        return target;
    }

    std::string save_path_;
    std::string root_;
    std::map<std::string, std::string> resolved_;
};

class guarded_disk final : public lt::disk_interface {
public:
    guarded_disk(lt::io_context& ios, std::unique_ptr<lt::disk_interface> inner, std::shared_ptr<std::atomic<int>> stops)
        : ios_(ios), inner_(std::move(inner)), stops_(std::move(stops)) {}

    lt::storage_holder new_torrent(lt::storage_params const& p, std::shared_ptr<void> const& torrent) override {
        lt::storage_holder held = inner_->new_torrent(p, torrent);
        lt::storage_index_t const index = held;
        std::lock_guard<std::mutex> lock(mutex_);
        auto& s = storages_[index];
        s.held = std::move(held);
        s.files = p.mapped_files != nullptr ? p.mapped_files : &p.files;
        s.save_path = p.path;
        s.refused = false;
        return lt::storage_holder(index, *this);
    }

    void remove_torrent(lt::storage_index_t index) override {
        lt::storage_holder held;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            auto const found = storages_.find(index);
            if (found == storages_.end()) return;
            held = std::move(found->second.held);
            storages_.erase(found);
        }
        // `held` gives the storage back to libtorrent's disk I/O as it goes.
    }

    // The first disk job of every torrent: it creates empty files and the
    // torrent's own symlinks before anything is downloaded.
    void async_check_files(lt::storage_index_t index, lt::add_torrent_params const* resume_data,
                           lt::aux::vector<std::string, lt::file_index_t> links,
                           std::function<void(lt::status_t, lt::storage_error const&)> handler) override {
        lt::storage_error const error = check(index, true);
        if (error) return post([handler, error] { handler(lt::status_t::fatal_disk_error, error); });
        inner_->async_check_files(index, resume_data, std::move(links), std::move(handler));
    }

    // A refused torrent that is resumed goes on to a recheck and downloads
    // without another async_check_files: until the link is gone, its reads
    // and writes fail the same way.
    bool async_write(lt::storage_index_t index, lt::peer_request const& r, char const* buf,
                     std::shared_ptr<lt::disk_observer> o, std::function<void(lt::storage_error const&)> handler,
                     lt::disk_job_flags_t flags) override {
        lt::storage_error const error = check(index, false);
        if (error) {
            post([handler, error] { handler(error); });
            return false;
        }
        return inner_->async_write(index, r, buf, std::move(o), std::move(handler), flags);
    }

    void async_read(lt::storage_index_t index, lt::peer_request const& r,
                    std::function<void(lt::disk_buffer_holder, lt::storage_error const&)> handler,
                    lt::disk_job_flags_t flags) override {
        lt::storage_error const error = check(index, false);
        if (error) return post([handler, error] { handler(lt::disk_buffer_holder(), error); });
        inner_->async_read(index, r, std::move(handler), flags);
    }

    void async_hash(lt::storage_index_t index, lt::piece_index_t piece, lt::span<lt::sha256_hash> v2,
                    lt::disk_job_flags_t flags,
                    std::function<void(lt::piece_index_t, lt::sha1_hash const&, lt::storage_error const&)> handler) override {
        lt::storage_error const error = check(index, false);
        if (error) return post([handler, piece, error] { handler(piece, lt::sha1_hash(), error); });
        inner_->async_hash(index, piece, v2, flags, std::move(handler));
    }

    void async_hash2(lt::storage_index_t index, lt::piece_index_t piece, int offset, lt::disk_job_flags_t flags,
                     std::function<void(lt::piece_index_t, lt::sha256_hash const&, lt::storage_error const&)> handler) override {
        lt::storage_error const error = check(index, false);
        if (error) return post([handler, piece, error] { handler(piece, lt::sha256_hash(), error); });
        inner_->async_hash2(index, piece, offset, flags, std::move(handler));
    }

    void async_move_storage(lt::storage_index_t index, std::string path, lt::move_flags_t flags,
                            std::function<void(lt::status_t, std::string const&, lt::storage_error const&)> handler) override {
        lt::storage_error const error = check(index, true, &path);
        if (error) {
            std::string const old_path = save_path(index);
            return post([handler, old_path, error] { handler(lt::status_t::fatal_disk_error, old_path, error); });
        }
        inner_->async_move_storage(index, std::move(path), flags,
                                   [this, index, handler = std::move(handler)](lt::status_t st, std::string const& now,
                                                                               lt::storage_error const& e) {
                                       {
                                           std::lock_guard<std::mutex> lock(mutex_);
                                           auto const found = storages_.find(index);
                                           if (found != storages_.end()) found->second.save_path = now;
                                       }
                                       handler(st, now, e);
                                   });
    }

    void async_release_files(lt::storage_index_t index, std::function<void()> handler) override {
        inner_->async_release_files(index, std::move(handler));
    }
    void async_stop_torrent(lt::storage_index_t index, std::function<void()> handler) override {
        ++*stops_;
        inner_->async_stop_torrent(index, [stops = stops_, handler = std::move(handler)] {
            --*stops;
            if (handler) handler();
        });
    }
    void async_rename_file(lt::storage_index_t index, lt::file_index_t file, std::string name,
                           std::function<void(std::string const&, lt::file_index_t, lt::storage_error const&)> handler) override {
        inner_->async_rename_file(index, file, std::move(name), std::move(handler));
    }
    void async_delete_files(lt::storage_index_t index, lt::remove_flags_t options,
                            std::function<void(lt::storage_error const&)> handler) override {
        inner_->async_delete_files(index, options, std::move(handler));
    }
    void async_set_file_priority(lt::storage_index_t index, lt::aux::vector<lt::download_priority_t, lt::file_index_t> prio,
                                 std::function<void(lt::storage_error const&,
                                                    lt::aux::vector<lt::download_priority_t, lt::file_index_t>)> handler) override {
        inner_->async_set_file_priority(index, std::move(prio), std::move(handler));
    }
    void async_clear_piece(lt::storage_index_t index, lt::piece_index_t piece,
                           std::function<void(lt::piece_index_t)> handler) override {
        inner_->async_clear_piece(index, piece, std::move(handler));
    }
    void update_stats_counters(lt::counters& c) const override { inner_->update_stats_counters(c); }
    std::vector<lt::open_file_state> get_status(lt::storage_index_t index) const override { return inner_->get_status(index); }
    void abort(bool wait) override { inner_->abort(wait); }
    void submit_jobs() override { inner_->submit_jobs(); }
    void settings_updated() override { inner_->settings_updated(); }

private:
    struct storage {
        lt::storage_holder held;
        lt::file_storage const* files = nullptr;
        std::string save_path;
        // Refused at its check: every later job looks again, so removing the
        // link and resuming is enough.
        bool refused = false;
    };

    template <class F>
    void post(F&& f) {
        boost::asio::post(ios_, std::forward<F>(f));
    }

    std::string save_path(lt::storage_index_t index) {
        std::lock_guard<std::mutex> lock(mutex_);
        auto const found = storages_.find(index);
        return found == storages_.end() ? std::string() : found->second.save_path;
    }

    // `always`: look even when the storage was not refused before.
    // `new_path`: the save path to check instead of the current one.
    lt::storage_error check(lt::storage_index_t index, bool always, std::string const* new_path = nullptr) {
        lt::file_storage const* files = nullptr;
        std::string path;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            auto const found = storages_.find(index);
            if (found == storages_.end() || (!always && !found->second.refused)) return {};
            files = found->second.files;
            path = new_path != nullptr ? *new_path : found->second.save_path;
        }
        lt::file_index_t file{};
        std::string const reason = btx::path_escape(*files, path, file);
        {
            std::lock_guard<std::mutex> lock(mutex_);
            auto const found = storages_.find(index);
            if (found != storages_.end() && new_path == nullptr) found->second.refused = !reason.empty();
        }
        if (reason.empty()) return {};
        return lt::storage_error(escapes().code_for(reason), file, lt::operation_t::file_open);
    }

    lt::io_context& ios_;
    std::unique_ptr<lt::disk_interface> inner_;
    std::shared_ptr<std::atomic<int>> stops_;
    std::mutex mutex_;
    std::map<lt::storage_index_t, storage> storages_;
};

}  // namespace

namespace btx {

std::string path_escape(lt::file_storage const& fs, std::string const& save_path, lt::file_index_t& file) {
    escape_walker walker(save_path);
    for (lt::file_index_t i : fs.file_range()) {
        if (fs.pad_file_at(i)) continue;
        std::string const reason = walker.check(fs.file_path(i), bool(fs.file_flags(i) & lt::file_storage::flag_symlink));
        if (!reason.empty()) {
            file = i;
            return reason;
        }
    }
    return "";
}

lt::disk_io_constructor_type guarded_disk_io(lt::disk_io_constructor_type inner,
                                             std::shared_ptr<std::atomic<int>> stops_in_flight) {
    return [inner = std::move(inner), stops = std::move(stops_in_flight)](
               lt::io_context& ios, lt::settings_interface const& settings, lt::counters& counters) {
        return std::unique_ptr<lt::disk_interface>(new guarded_disk(ios, inner(ios, settings, counters), stops));
    };
}

}  // namespace btx
