// Checking data on disk against a .torrent with no session: `btx verify
// FILE.torrent DIR`. The files are read directly, one worker per core, as
// when creating: v1 and hybrid torrents by their SHA-1 pieces (padding
// hashed as the zeros it stands for), v2 torrents by the SHA-256 merkle
// roots of their piece layers.
#include "files.hpp"
#include "guard.hpp"
#include "torrent_file.hpp"
#include "piece_hasher.hpp"

#include <libtorrent/file_storage.hpp>
#include <libtorrent/hasher.hpp>
#include <libtorrent/torrent_info.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <mutex>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace {

int64_t const block_size = 16 << 10;

int64_t size_on_disk(std::string const& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return -1;
    return st.st_size;
}

// A BEP 52 merkle root over `leaves`, padded with zero hashes to `width`
// leaves (a power of two).
lt::sha256_hash merkle_root(std::vector<lt::sha256_hash> leaves, size_t width) {
    leaves.resize(width);
    while (leaves.size() > 1) {
        for (size_t i = 0; i < leaves.size() / 2; ++i) {
            lt::hasher256 h;
            h.update(leaves[2 * i].data(), int(leaves[2 * i].size()));
            h.update(leaves[2 * i + 1].data(), int(leaves[2 * i + 1].size()));
            leaves[i] = h.final();
        }
        leaves.resize(leaves.size() / 2);
    }
    return leaves.empty() ? lt::sha256_hash() : leaves[0];
}

size_t power_of_two_at_least(size_t n) {
    size_t p = 1;
    while (p < n) p *= 2;
    return p;
}

class content_check {
public:
    content_check(lt::torrent_info const& ti, std::string save_path)
        : ti_(ti), fs_(ti.files()), save_path_(std::move(save_path)), v2_only_(!ti.info_hashes().has_v1()),
          num_pieces_(fs_.num_pieces()), states_(size_t(num_pieces_), BTX_CONTENT_MISSING) {
        for (lt::file_index_t i : fs_.file_range())
            disk_sizes_.push_back(fs_.pad_file_at(i) ? 0 : size_on_disk(fs_.file_path(i, save_path_)));
        int64_t const batch_bytes = 64 << 20;
        batch_ = std::max<int64_t>(1, batch_bytes / fs_.piece_length());
    }

    int64_t num_pieces() const { return num_pieces_; }
    int64_t pieces_done() const { return done_.load(std::memory_order_relaxed); }
    bool v2_only() const { return v2_only_; }
    std::vector<uint8_t> const& states() const { return states_; }
    int64_t disk_size(lt::file_index_t i) const { return disk_sizes_[size_t(static_cast<int>(i))]; }

    void cancel(btx_result code, std::string const& message) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!failed_.exchange(true)) {
            error_code_ = code;
            error_ = message;
        }
    }

    void rethrow_if_failed() const {
        if (failed_) throw btx::failure(error_code_, error_);
    }

    void work() {
        reader reader;
        try {
            for (;;) {
                int64_t const first = next_batch_.fetch_add(1) * batch_;
                if (first >= num_pieces_ || failed_) break;
                for (int64_t piece = first; piece < std::min(num_pieces_, first + batch_) && !failed_; ++piece) {
                    states_[size_t(piece)] = check_piece(lt::piece_index_t(int(piece)), reader);
                    done_.fetch_add(1, std::memory_order_relaxed);
                }
            }
        } catch (btx::failure const& e) {
            cancel(e.code, e.what());
        } catch (std::exception const& e) {
            cancel(BTX_ERR_INTERNAL, e.what());
        }
    }

private:
    // One open file per worker: its pieces come in file order.
    struct reader {
        int index = -1;
        int fd = -1;
        std::vector<char> buffer = std::vector<char>(size_t(128 << 10));
        ~reader() { close(); }
        void close() {
            if (fd >= 0) ::close(fd);
            fd = -1;
            index = -1;
        }
    };

    int open_file(reader& r, lt::file_index_t file) {
        int const index = static_cast<int>(file);
        if (r.index == index) return r.fd;
        r.close();
        std::string const path = fs_.file_path(file, save_path_);
        r.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (r.fd < 0) throw btx::failure(BTX_ERR_IO, "cannot read " + path + ": " + std::strerror(errno));
        r.index = index;
        ::posix_fadvise(r.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
        return r.fd;
    }

    // Feeds the slice's bytes to `sink` in chunks of at most the buffer's
    // size; padding is zeros.
    template <class Sink>
    void read_slice(lt::file_slice const& slice, reader& r, Sink&& sink) {
        if (fs_.pad_file_at(slice.file_index)) {
            std::fill(r.buffer.begin(), r.buffer.end(), 0);
            for (int64_t left = slice.size; left > 0;) {
                int64_t const n = std::min<int64_t>(left, int64_t(r.buffer.size()));
                sink(r.buffer.data(), n);
                left -= n;
            }
            return;
        }
        int const fd = open_file(r, slice.file_index);
        std::string const path = fs_.file_path(slice.file_index, save_path_);
        for (int64_t at = slice.offset, end = slice.offset + slice.size; at < end;) {
            int64_t const n = std::min<int64_t>(end - at, int64_t(r.buffer.size()));
            btx::read_fully(fd, path, r.buffer.data(), n, at);
            sink(r.buffer.data(), n);
            at += n;
        }
    }

    uint8_t check_piece(lt::piece_index_t piece, reader& r) {
        std::vector<lt::file_slice> const slices = fs_.map_block(piece, 0, fs_.piece_size(piece));
        for (auto const& s : slices)
            if (!fs_.pad_file_at(s.file_index) && disk_size(s.file_index) < s.offset + s.size) return BTX_CONTENT_MISSING;
        bool const good = v2_only_ ? check_v2(piece, slices, r) : check_v1(piece, slices, r);
        return good ? BTX_CONTENT_GOOD : BTX_CONTENT_BAD;
    }

    bool check_v1(lt::piece_index_t piece, std::vector<lt::file_slice> const& slices, reader& r) {
        lt::hasher h;
        for (auto const& s : slices) read_slice(s, r, [&](char const* data, int64_t n) { h.update(data, int(n)); });
        return h.final() == ti_.hash_for_piece(piece);
    }

    // A v2 piece lies in one file: the merkle root of its 16 KiB blocks is
    // that file's piece-layer entry, or, for a file of one piece or less,
    // the file's root (whose tree is only as wide as its blocks need).
    bool check_v2(lt::piece_index_t piece, std::vector<lt::file_slice> const& slices, reader& r) {
        auto const file = std::find_if(slices.begin(), slices.end(),
                                       [&](lt::file_slice const& s) { return !fs_.pad_file_at(s.file_index); });
        if (file == slices.end()) return true;
        std::vector<lt::sha256_hash> leaves;
        lt::hasher256 block;
        int64_t in_block = 0;
        read_slice(*file, r, [&](char const* data, int64_t n) {
            while (n > 0) {
                int64_t const take = std::min(n, block_size - in_block);
                block.update(data, int(take));
                in_block += take;
                data += take;
                n -= take;
                if (in_block == block_size) {
                    leaves.push_back(block.final());
                    block.reset();
                    in_block = 0;
                }
            }
        });
        if (in_block > 0) leaves.push_back(block.final());

        int64_t const piece_length = fs_.piece_length();
        int64_t const file_size = fs_.file_size(file->file_index);
        lt::span<char const> const layer = ti_.piece_layer(file->file_index);
        bool const one_piece = file_size <= piece_length;
        size_t const width = one_piece ? power_of_two_at_least(leaves.size()) : size_t(piece_length / block_size);
        size_t const k = one_piece ? 0 : size_t(file->offset / piece_length);
        if (layer.size() < std::ptrdiff_t((k + 1) * 32)) return false;
        return merkle_root(std::move(leaves), width) == lt::sha256_hash(layer.data() + k * 32);
    }

    lt::torrent_info const& ti_;
    lt::file_storage const& fs_;
    std::string const save_path_;
    bool const v2_only_;
    int64_t const num_pieces_;
    int64_t batch_ = 1;
    std::vector<int64_t> disk_sizes_;
    std::vector<uint8_t> states_;
    std::atomic<int64_t> next_batch_{0};
    std::atomic<int64_t> done_{0};
    std::atomic<bool> failed_{false};
    std::mutex mutex_;
    btx_result error_code_ = BTX_OK;
    std::string error_;
};

}  // namespace

extern "C" {

int btx_check_content(uint8_t const* metainfo, size_t len, char const* save_path, int num_threads,
                      btx_progress_fn progress, void* progress_context, btx_content_check** out) {
    return btx::guarded([&] {
        btx::require(metainfo, "metainfo");
        btx::require(save_path, "save_path");
        btx::require(out, "out");
        *out = nullptr;
        auto const torrent = btx::torrent_from(btx::decode_torrent(reinterpret_cast<char const*>(metainfo), len));
        lt::torrent_info const& ti = *torrent;
        // A v2 torrent may come without its piece layers (peers send them
        // later); with no hashes there is nothing to check pieces against.
        if (!ti.info_hashes().has_v1())
            for (lt::file_index_t i : ti.files().file_range())
                if (!ti.files().pad_file_at(i) && ti.files().file_size(i) > 0 && ti.piece_layer(i).empty())
                    throw btx::failure(BTX_ERR_PARSE, "the torrent has no piece layer for " + ti.files().file_path(i)
                                                          + ": its v2 pieces cannot be checked");
        content_check check(ti, save_path);

        int const workers = num_threads > 0 ? num_threads : int(std::max(1u, std::thread::hardware_concurrency()));
        btx::run_parallel(workers, [&] { check.work(); }, check.num_pieces(), [&] { return check.pieces_done(); },
                          progress, progress_context, [&] { check.cancel(BTX_ERR_CANCELLED, "cancelled"); });
        check.rethrow_if_failed();
        if (progress != nullptr) progress(progress_context, check.num_pieces(), check.num_pieces());

        std::unique_ptr<btx_content_check, decltype(&btx_content_check_free)> result(
            btx::alloc_array<btx_content_check>(1), &btx_content_check_free);
        btx_content_check& r = *result;
        r.hash_version = check.v2_only() ? 2 : 1;
        std::vector<uint8_t> const& states = check.states();
        r.num_pieces = states.size();
        r.pieces = btx::copy_bytes(reinterpret_cast<char const*>(states.data()), states.size());

        lt::file_storage const& fs = ti.files();
        std::vector<lt::file_index_t> const files = btx::real_files(fs);
        r.files = btx::alloc_array<btx_content_file>(files.size());
        for (lt::file_index_t const i : files) {
            btx_content_file& f = r.files[r.num_files++];
            f.path = btx::copy_string(fs.file_path(i));
            f.size = fs.file_size(i);
            f.size_on_disk = check.disk_size(i);
            bool bad = f.size_on_disk > f.size, missing = false;
            f.first_piece = -1;
            if (f.size > 0) {
                int64_t const first = fs.file_offset(i) / fs.piece_length();
                int64_t const last = (fs.file_offset(i) + f.size - 1) / fs.piece_length();
                f.first_piece = int(first);
                for (int64_t p = first; p <= last; ++p) {
                    ++f.pieces;
                    f.pieces_good += states[size_t(p)] == BTX_CONTENT_GOOD;
                    bad |= states[size_t(p)] == BTX_CONTENT_BAD;
                    missing |= states[size_t(p)] == BTX_CONTENT_MISSING;
                }
            }
            f.state = f.size_on_disk < 0 ? BTX_CONTENT_MISSING
                : bad                    ? BTX_CONTENT_BAD
                : missing                ? BTX_CONTENT_INCOMPLETE
                                         : BTX_CONTENT_GOOD;
        }
        *out = result.release();
        return BTX_OK;
    });
}

void btx_content_check_free(btx_content_check* check) {
    if (check == nullptr) return;
    std::free(check->pieces);
    if (check->files != nullptr)
        for (size_t i = 0; i < check->num_files; ++i) std::free(check->files[i].path);
    std::free(check->files);
    std::free(check);
}

}
