// btx_create_torrent: builds a .torrent from a list of files.
#include "guard.hpp"
#include "piece_hasher.hpp"

#include <libtorrent/bencode.hpp>
#include <libtorrent/create_torrent.hpp>
#include <libtorrent/settings_pack.hpp>

#include <thread>

namespace {

struct cancelled {};

int thread_count(int requested) {
    if (requested > 0) return requested;
    unsigned const cores = std::thread::hardware_concurrency();
    return cores == 0 ? 1 : int(cores);
}

lt::create_flags_t flags_for(int format) {
    switch (format) {
    case BTX_FORMAT_V1: return lt::create_torrent::v1_only;
    case BTX_FORMAT_V2: return lt::create_torrent::v2_only;
    case BTX_FORMAT_HYBRID: return {};
    default: throw btx::failure(BTX_ERR_INVALID_ARG, "unknown torrent format " + std::to_string(format));
    }
}

void hash_v1(lt::create_torrent& ct, btx_create_params const& p) {
    lt::file_storage const& fs = ct.files();
    std::string const base = p.base_dir;
    std::vector<btx::content_file> files;
    files.reserve(size_t(fs.num_files()));
    for (lt::file_index_t i : fs.file_range())
        files.push_back({base + "/" + fs.file_path(i), fs.file_offset(i), fs.file_size(i)});
    auto const hashes = btx::hash_v1_pieces(files, fs.total_size(), fs.piece_length(), thread_count(p.num_threads),
                                            p.progress, p.progress_context);
    for (size_t i = 0; i < hashes.size(); ++i) ct.set_hash(lt::piece_index_t(int(i)), hashes[i]);
}

// v2 needs SHA-256 merkle trees per file; libtorrent's hasher does that,
// given one hashing and one disk thread per core.
void hash_with_libtorrent(lt::create_torrent& ct, btx_create_params const& p) {
    int const threads = thread_count(p.num_threads);
    lt::settings_pack settings;
    settings.set_int(lt::settings_pack::hashing_threads, threads);
    settings.set_int(lt::settings_pack::aio_threads, threads);
    int64_t const total = ct.num_pieces();
    int64_t done = 0;
    lt::error_code ec;
    try {
        lt::set_piece_hashes(ct, p.base_dir, settings, [&](lt::piece_index_t) {
            ++done;
            if (p.progress != nullptr && (done % 16 == 0 || done == total)
                && p.progress(p.progress_context, done, total) != 0)
                throw cancelled();
        }, ec);
    } catch (cancelled const&) {
        throw btx::failure(BTX_ERR_CANCELLED, "cancelled");
    }
    if (ec) throw btx::failure(btx::classify(ec), "cannot hash " + std::string(p.base_dir) + ": " + ec.message());
}

}  // namespace

extern "C" {

int btx_create_torrent(btx_create_params const* params, uint8_t** out, size_t* out_len) {
    return btx::guarded([&] {
        btx::require(params, "params");
        btx::require(out, "out");
        btx::require(out_len, "out_len");
        *out = nullptr;
        *out_len = 0;
        btx_create_params const& p = *params;
        btx::require(p.base_dir, "base_dir");
        if (p.num_files == 0) throw btx::failure(BTX_ERR_INVALID_ARG, "no files to put in the torrent");
        btx::require(p.file_paths, "file_paths");
        btx::require(p.file_sizes, "file_sizes");
        int const pl = p.piece_length;
        if (pl < 16 * 1024 || (pl & (pl - 1)) != 0)
            throw btx::failure(BTX_ERR_INVALID_ARG, "piece length must be a power of two of at least 16 KiB");

        lt::file_storage fs;
        for (size_t i = 0; i < p.num_files; ++i) {
            btx::require(p.file_paths[i], "file path");
            if (p.file_sizes[i] < 0) throw btx::failure(BTX_ERR_INVALID_ARG, "negative file size");
            fs.add_file(p.file_paths[i], p.file_sizes[i]);
        }
        if (fs.total_size() == 0) throw btx::failure(BTX_ERR_INVALID_ARG, "there is no data to hash: every file is empty");

        lt::create_torrent ct(fs, pl, flags_for(p.format));
        if (p.format == BTX_FORMAT_V1) hash_v1(ct, p);
        else hash_with_libtorrent(ct, p);

        for (size_t i = 0; i < p.num_trackers; ++i) {
            btx::require(p.trackers[i], "tracker");
            ct.add_tracker(p.trackers[i], p.tracker_tiers != nullptr ? p.tracker_tiers[i] : int(i));
        }
        for (size_t i = 0; i < p.num_web_seeds; ++i) {
            btx::require(p.web_seeds[i], "web seed");
            ct.add_url_seed(p.web_seeds[i]);
        }
        ct.set_priv(p.is_private != 0);
        if (p.comment != nullptr && *p.comment) ct.set_comment(p.comment);
        if (p.creator != nullptr && *p.creator) ct.set_creator(p.creator);
        ct.set_creation_date(std::time_t(p.creation_date));

        lt::entry torrent = ct.generate();
        // libtorrent has no setter for the "source" key; private trackers use
        // it inside the info dictionary to give cross-seeded torrents distinct hashes.
        if (p.source != nullptr && *p.source) torrent["info"]["source"] = p.source;
        std::vector<char> bytes;
        lt::bencode(std::back_inserter(bytes), torrent);
        *out = btx::copy_bytes(bytes.data(), bytes.size());
        *out_len = bytes.size();
        return BTX_OK;
    });
}

}
