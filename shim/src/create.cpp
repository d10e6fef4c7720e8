// btx_create_torrent: builds a .torrent from a list of files.
#include "guard.hpp"
#include "piece_hasher.hpp"

#include <libtorrent/bencode.hpp>
#include <libtorrent/create_torrent.hpp>

#include <thread>

namespace {

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

// Hashes every piece with btx's own hasher (piece_hasher.hpp) and hands the
// hashes to libtorrent, which builds the merkle trees and the metadata.
void set_hashes(lt::create_torrent& ct, btx_create_params const& p) {
    lt::file_storage const& fs = ct.files();
    std::string const base = p.base_dir;
    btx::hash_plan plan;
    plan.files.reserve(size_t(fs.num_files()));
    for (lt::file_index_t i : fs.file_range())
        plan.files.push_back({base + "/" + fs.file_path(i), fs.file_offset(i), fs.file_size(i), fs.pad_file_at(i)});
    plan.total_size = fs.total_size();
    plan.piece_length = fs.piece_length();
    plan.v1 = !ct.is_v2_only();
    plan.v2 = !ct.is_v1_only();
    btx::piece_hashes const hashes = btx::hash_pieces(plan, thread_count(p.num_threads), p.progress, p.progress_context);

    for (size_t i = 0; i < hashes.v1.size(); ++i) ct.set_hash(lt::piece_index_t(int(i)), hashes.v1[i]);
    if (!plan.v2) return;
    for (lt::file_index_t f : fs.file_range()) {
        if (fs.pad_file_at(f) || fs.file_size(f) == 0) continue;
        int64_t const first = fs.file_offset(f) / plan.piece_length;
        int64_t const count = (fs.file_size(f) + plan.piece_length - 1) / plan.piece_length;
        for (int64_t i = 0; i < count; ++i)
            ct.set_hash2(f, lt::piece_index_t::diff_type(int(i)), hashes.v2[size_t(first + i)]);
    }
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
        set_hashes(ct, p);

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
