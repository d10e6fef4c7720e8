#include "piece_hasher.hpp"

#include "bus_guard.hpp"
#include "digest.hpp"
#include "guard.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace btx {

namespace {

constexpr int64_t block_size = 16 << 10;  // v2's merkle leaves

int64_t next_power_of_two(int64_t n) {
    int64_t p = 1;
    while (p < n) p *= 2;
    return p;
}

// Where a piece's file data ends and how many leaves its subtree has.
struct v2_piece {
    int64_t data_length;  // bytes of file data; the rest of the piece is padding
    int64_t leaves;       // a power of two: blocks of the piece, or of the file when smaller than a piece
};

// Everything a worker needs for one piece.
struct piece_work {
    int64_t index = -1;
    int64_t start = 0;
    int64_t read_length = 0;  // bytes of the stream to read: the piece, or only its data for v2-only
    v2_piece v2 = {0, 0};
    sha1_digest sha1;
    std::vector<lt::sha256_hash> leaves;
};

class hash_job {
public:
    explicit hash_job(hash_plan const& plan, int workers)
        : plan_(plan), num_pieces_((plan.total_size + plan.piece_length - 1) / plan.piece_length),
          workers_(workers) {
        if (plan.v1) result_.v1.resize(size_t(num_pieces_));
        if (plan.v2) {
            result_.v2.resize(size_t(num_pieces_));
            // Every piece starts in the file that owns it (v2 layouts pad each file to a piece boundary).
            owner_.assign(size_t(num_pieces_), -1);
            for (size_t i = 0; i < plan.files.size(); ++i) {
                content_file const& f = plan.files[i];
                if (f.pad || f.size == 0) continue;
                if (f.offset % plan.piece_length != 0)
                    throw failure(BTX_ERR_INTERNAL, "a v2 file does not start on a piece boundary");
                for (int64_t p = f.offset / plan.piece_length; p * plan.piece_length < f.offset + f.size; ++p)
                    owner_[size_t(p)] = int(i);
            }
        }
    }

    int64_t num_pieces() const { return num_pieces_; }
    int64_t pieces_done() const { return done_.load(std::memory_order_relaxed); }
    bool failed() const { return failed_.load(); }
    piece_hashes& result() { return result_; }

    void cancel(btx_result code, std::string const& message) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!failed_.exchange(true)) {
            error_code_ = code;
            error_ = message;
        }
    }

    [[noreturn]] void rethrow() const { throw failure(error_code_, error_); }

    void work() {
        try {
            content_reader reader(plan_.files);
            piece_work a, b;
            int64_t first = 0, last = 0;
            while (claim(first, last)) {
                for (int64_t p = first; p < last && !failed_; p += 2) {
                    prepare(a, p);
                    prepare(b, p + 1 < last ? p + 1 : -1);
                    hash_pair(reader, a, b);
                    finish(a);
                    finish(b);
                    done_.fetch_add(b.index >= 0 ? 2 : 1, std::memory_order_relaxed);
                }
            }
        } catch (failure const& e) {
            cancel(e.code, e.what());
        } catch (std::exception const& e) {
            cancel(BTX_ERR_INTERNAL, e.what());
        }
    }

private:
    // Guided self-scheduling: large runs of pieces while much is left (long
    // sequential reads), smaller ones towards the end so that the workers
    // finish together. Even counts keep pieces paired.
    bool claim(int64_t& first, int64_t& last) {
        int64_t const most = std::max<int64_t>(2, (32 << 20) / plan_.piece_length);
        int64_t current = next_piece_.load();
        for (;;) {
            if (current >= num_pieces_ || failed_) return false;
            int64_t const left = num_pieces_ - current;
            int64_t take = std::clamp<int64_t>(left / (2 * workers_), 2, most);
            take += take % 2;
            if (next_piece_.compare_exchange_weak(current, current + take)) {
                first = current;
                last = std::min(num_pieces_, current + take);
                return true;
            }
        }
    }

    void prepare(piece_work& w, int64_t piece) {
        w.index = piece;
        if (piece < 0) return;
        int64_t const pl = plan_.piece_length;
        w.start = piece * pl;
        w.read_length = std::min(pl, plan_.total_size - w.start);
        w.sha1 = sha1_digest();
        if (!plan_.v2) return;
        content_file const& f = plan_.files[size_t(owner_[size_t(piece)])];
        int64_t const data = std::min(pl, f.offset + f.size - w.start);
        int64_t const leaves = f.size < pl ? next_power_of_two((f.size + block_size - 1) / block_size) : pl / block_size;
        w.v2 = {data, leaves};
        if (!plan_.v1) w.read_length = data;
        w.leaves.assign(size_t(leaves), lt::sha256_hash());
    }

    void hash_pair(content_reader& reader, piece_work& a, piece_work& b) {
        int64_t const length = std::max(a.read_length, b.index >= 0 ? b.read_length : 0);
        for (int64_t at = 0; at < length && !failed_; at += content_reader::max_span) {
            int64_t const na = std::clamp<int64_t>(a.read_length - at, 0, content_reader::max_span);
            int64_t const nb = b.index >= 0 ? std::clamp<int64_t>(b.read_length - at, 0, content_reader::max_span) : 0;
            content_reader::span const sa = na > 0 ? reader.read(0, a.start + at, na) : content_reader::span{nullptr, -1};
            content_reader::span const sb = nb > 0 ? reader.read(1, b.start + at, nb) : content_reader::span{nullptr, -1};
            bool const ok = touch_mapped([&] {
                if (plan_.v1) {
                    int64_t const both = std::min(na, nb);
                    if (both > 0) sha1_digest::update_pair(a.sha1, sa.data, b.sha1, sb.data, size_t(both));
                    if (na > both) a.sha1.update(sa.data + both, size_t(na - both));
                    if (nb > both) b.sha1.update(sb.data + both, size_t(nb - both));
                }
                if (plan_.v2) hash_leaves(a, sa.data, at, na, b, sb.data, nb);
            });
            if (!ok) {
                int const file = sa.file >= 0 ? sa.file : sb.file;
                throw failure(BTX_ERR_IO, reader.path(file) + " got shorter while it was being hashed");
            }
        }
    }

    // The v2 leaves in [at, at + n) of both pieces, two at a time. Only data
    // is hashed: leaves past a file's end stay zero, as BEP 52 says.
    static void hash_leaves(piece_work& a, uint8_t const* da, int64_t at, int64_t na, piece_work& b,
                            uint8_t const* db, int64_t nb) {
        struct leaf {
            uint8_t const* data;
            int64_t length;
            lt::sha256_hash* out;
        };
        leaf pending[2 * content_reader::max_span / block_size];
        int count = 0;
        auto collect = [&](piece_work& w, uint8_t const* d, int64_t n) {
            int64_t const end = std::min(at + n, w.v2.data_length);
            for (int64_t off = at; off < end; off += block_size)
                pending[count++] = {d + (off - at), std::min(block_size, end - off), &w.leaves[size_t(off / block_size)]};
        };
        if (na > 0) collect(a, da, na);
        if (nb > 0) collect(b, db, nb);
        int i = 0;
        for (; i + 1 < count; i += 2) {
            leaf const& x = pending[i];
            leaf const& y = pending[i + 1];
            sha256_digest hx, hy;
            if (x.length == y.length) {
                sha256_digest::update_pair(hx, x.data, hy, y.data, size_t(x.length));
            } else {
                hx.update(x.data, size_t(x.length));
                hy.update(y.data, size_t(y.length));
            }
            *x.out = hx.final();
            *y.out = hy.final();
        }
        if (i < count) {
            sha256_digest h;
            h.update(pending[i].data, size_t(pending[i].length));
            *pending[i].out = h.final();
        }
    }

    void finish(piece_work& w) {
        if (w.index < 0) return;
        if (plan_.v1) result_.v1[size_t(w.index)] = w.sha1.final();
        if (plan_.v2) result_.v2[size_t(w.index)] = merkle_root(w.leaves);
    }

    // Folds a power-of-two row of hashes in place to its root.
    static lt::sha256_hash merkle_root(std::vector<lt::sha256_hash>& row) {
        for (size_t width = row.size(); width > 1; width /= 2) {
            for (size_t i = 0; i < width / 2; ++i) {
                sha256_digest h;
                h.update(reinterpret_cast<uint8_t const*>(row[2 * i].data()), 32);
                h.update(reinterpret_cast<uint8_t const*>(row[2 * i + 1].data()), 32);
                row[i] = h.final();
            }
        }
        return row[0];
    }

    hash_plan const& plan_;
    int64_t const num_pieces_;
    int const workers_;
    std::vector<int> owner_;  // v2: the file each piece belongs to
    piece_hashes result_;
    std::atomic<int64_t> next_piece_{0};
    std::atomic<int64_t> done_{0};
    std::atomic<bool> failed_{false};
    std::mutex mutex_;
    btx_result error_code_ = BTX_OK;
    std::string error_;
};

}  // namespace

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

piece_hashes hash_pieces(hash_plan const& plan, int num_threads, btx_progress_fn progress, void* progress_context) {
    int const workers = std::max(1, num_threads);
    hash_job job(plan, workers);
    bus_guard_scope bus_guard;
    run_parallel(workers, [&] { job.work(); }, job.num_pieces(), [&] { return job.pieces_done(); }, progress,
                 progress_context, [&] { job.cancel(BTX_ERR_CANCELLED, "cancelled"); });
    if (job.failed()) job.rethrow();
    if (progress != nullptr) progress(progress_context, job.num_pieces(), job.num_pieces());
    return std::move(job.result());
}

}  // namespace btx
