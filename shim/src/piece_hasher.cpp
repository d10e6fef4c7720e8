#include "piece_hasher.hpp"

#include "guard.hpp"

#include <libtorrent/hasher.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <thread>
#include <unistd.h>

namespace btx {

namespace {

class hash_job {
public:
    hash_job(std::vector<content_file> const& files, int64_t total_size, int piece_length, int workers)
        : files_(files), total_size_(total_size), piece_length_(piece_length),
          num_pieces_((total_size + piece_length - 1) / piece_length), hashes_(size_t(num_pieces_)) {
        // Batches big enough that each worker reads long sequential runs
        // (kernel read-ahead keeps up), small enough to balance the workers.
        int64_t const batch_bytes = std::min<int64_t>(64 << 20, std::max<int64_t>(total_size / (workers * 4), 1));
        batch_pieces_ = std::max<int64_t>(1, batch_bytes / piece_length);
    }

    int64_t num_pieces() const { return num_pieces_; }
    int64_t pieces_done() const { return done_.load(std::memory_order_relaxed); }
    bool failed() const { return failed_.load(); }
    std::vector<lt::sha1_hash>& hashes() { return hashes_; }

    void cancel(btx_result code, std::string const& message) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!failed_.exchange(true)) {
            error_code_ = code;
            error_ = message;
        }
    }

    [[noreturn]] void rethrow() const { throw failure(error_code_, error_); }

    void work() {
        std::vector<char> buffer(static_cast<size_t>(chunk_size));
        open_file file;
        try {
            for (;;) {
                int64_t const first = next_batch_.fetch_add(1) * batch_pieces_;
                if (first >= num_pieces_ || failed_) break;
                int64_t const last = std::min(num_pieces_, first + batch_pieces_);
                for (int64_t piece = first; piece < last && !failed_; ++piece) {
                    hash_piece(piece, buffer, file);
                    done_.fetch_add(1, std::memory_order_relaxed);
                }
            }
        } catch (failure const& e) {
            cancel(e.code, e.what());
        } catch (std::exception const& e) {
            cancel(BTX_ERR_INTERNAL, e.what());
        }
        file.close();
    }

private:
    struct open_file {
        size_t index = SIZE_MAX;
        int fd = -1;
        void close() {
            if (fd >= 0) ::close(fd);
            fd = -1;
            index = SIZE_MAX;
        }
    };

    // Reads go through a small buffer that stays in the core's L2 cache
    // while SHA-1 consumes it; a piece-sized buffer would make every byte
    // travel to and from main memory twice.
    static constexpr int64_t chunk_size = 128 << 10;

    void hash_piece(int64_t piece, std::vector<char>& buffer, open_file& file) {
        int64_t const start = piece * piece_length_;
        int64_t const length = std::min<int64_t>(piece_length_, total_size_ - start);
        // The first file that ends after `start`; empty files end where they begin.
        auto it = std::upper_bound(files_.begin(), files_.end(), start,
                                   [](int64_t pos, content_file const& f) { return pos < f.offset + f.size; });
        lt::hasher hasher;
        int64_t filled = 0;
        while (filled < length) {
            if (it == files_.end()) throw failure(BTX_ERR_INTERNAL, "piece extends past the last file");
            content_file const& f = *it;
            if (f.size == 0) { ++it; continue; }
            size_t const index = size_t(it - files_.begin());
            if (file.index != index) {
                file.close();
                file.fd = ::open(f.path.c_str(), O_RDONLY | O_CLOEXEC);
                if (file.fd < 0) throw failure(BTX_ERR_IO, "cannot read " + f.path + ": " + std::strerror(errno));
                file.index = index;
                ::posix_fadvise(file.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
            }
            int64_t in_file = start + filled - f.offset;
            int64_t const end = in_file + std::min<int64_t>(length - filled, f.size - in_file);
            while (in_file < end) {
                int64_t const want = std::min<int64_t>(chunk_size, end - in_file);
                read_fully(file.fd, f.path, buffer.data(), want, in_file);
                hasher.update(buffer.data(), int(want));
                in_file += want;
                filled += want;
            }
            ++it;
        }
        hashes_[size_t(piece)] = hasher.final();
    }

    std::vector<content_file> const& files_;
    int64_t const total_size_;
    int64_t const piece_length_;
    int64_t const num_pieces_;
    int64_t batch_pieces_ = 1;
    std::vector<lt::sha1_hash> hashes_;
    std::atomic<int64_t> next_batch_{0};
    std::atomic<int64_t> done_{0};
    std::atomic<bool> failed_{false};
    std::mutex mutex_;
    btx_result error_code_ = BTX_OK;
    std::string error_;
};

}  // namespace

void read_fully(int fd, std::string const& path, char* dest, int64_t want, int64_t offset) {
    while (want > 0) {
        ssize_t const n = ::pread(fd, dest, size_t(want), offset);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw failure(BTX_ERR_IO, "cannot read " + path + ": " + std::strerror(errno));
        if (n == 0) throw failure(BTX_ERR_IO, path + " got shorter while it was being hashed");
        dest += n;
        offset += n;
        want -= n;
    }
}

void run_parallel(int workers, std::function<void()> const& work, int64_t total, std::function<int64_t()> const& done,
                  btx_progress_fn progress, void* progress_context, std::function<void()> const& cancel) {
    std::mutex mutex;
    std::condition_variable finished;
    int running = workers;
    std::vector<std::thread> threads;
    threads.reserve(size_t(workers));
    for (int i = 0; i < workers; ++i) {
        threads.emplace_back([&] {
            work();
            std::lock_guard<std::mutex> lock(mutex);
            if (--running == 0) finished.notify_all();
        });
    }
    // The caller's thread only reports progress, so callbacks never run on a worker.
    {
        std::unique_lock<std::mutex> lock(mutex);
        while (running > 0) {
            finished.wait_for(lock, std::chrono::milliseconds(100));
            if (progress != nullptr && running > 0) {
                lock.unlock();
                if (progress(progress_context, done(), total) != 0) cancel();
                lock.lock();
            }
        }
    }
    for (auto& t : threads) t.join();
}

std::vector<lt::sha1_hash> hash_v1_pieces(std::vector<content_file> const& files, int64_t total_size,
                                          int piece_length, int num_threads, btx_progress_fn progress,
                                          void* progress_context) {
    int const workers = std::max(1, num_threads);
    hash_job job(files, total_size, piece_length, workers);

    run_parallel(workers, [&] { job.work(); }, job.num_pieces(), [&] { return job.pieces_done(); }, progress,
                 progress_context, [&] { job.cancel(BTX_ERR_CANCELLED, "cancelled"); });
    if (job.failed()) job.rethrow();
    if (progress != nullptr) progress(progress_context, job.num_pieces(), job.num_pieces());
    return std::move(job.hashes());
}

}  // namespace btx
