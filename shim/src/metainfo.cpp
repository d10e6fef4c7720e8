// Reading .torrent files without a session (btx info, btx files).
#include "guard.hpp"

#include <libtorrent/bdecode.hpp>
#include <libtorrent/magnet_uri.hpp>
#include <libtorrent/torrent_info.hpp>

extern "C" {

int btx_metainfo_parse(uint8_t const* bytes, size_t len, int want_files, btx_metainfo** out) {
    return btx::guarded([&] {
        btx::require(bytes, "bytes");
        btx::require(out, "out");
        *out = nullptr;
        if (len == 0) throw btx::failure(BTX_ERR_PARSE, "empty file");
        lt::load_torrent_limits limits;
        limits.max_buffer_size = std::numeric_limits<int>::max();
        lt::torrent_info const ti(lt::span<char const>(reinterpret_cast<char const*>(bytes), std::ptrdiff_t(len)),
                                  limits, lt::from_span);

        std::unique_ptr<btx_metainfo, decltype(&btx_metainfo_free)> info(
            static_cast<btx_metainfo*>(std::calloc(1, sizeof(btx_metainfo))), &btx_metainfo_free);
        if (!info) throw std::bad_alloc();
        btx_metainfo& m = *info;

        m.name = btx::copy_string(ti.name());
        lt::info_hash_t const hashes = ti.info_hashes();
        if (hashes.has_v1()) btx::copy_into(m.info_hash_v1, sizeof m.info_hash_v1, btx::to_hex(hashes.v1.data(), 20));
        if (hashes.has_v2()) btx::copy_into(m.info_hash_v2, sizeof m.info_hash_v2, btx::to_hex(hashes.v2.data(), 32));
        m.piece_length = ti.piece_length();
        m.num_pieces = ti.num_pieces();
        m.total_size = ti.total_size();
        m.is_private = ti.priv();
        m.comment = btx::copy_string(ti.comment());
        m.creator = btx::copy_string(ti.creator());
        lt::bdecode_node const source = ti.info("source");
        m.source = btx::copy_string(source.type() == lt::bdecode_node::string_t ? std::string(source.string_value()) : "");
        m.creation_date = int64_t(ti.creation_date());
        m.magnet_uri = btx::copy_string(lt::make_magnet_uri(ti));

        auto const& trackers = ti.trackers();
        m.trackers = btx::alloc_array<btx_tracker>(trackers.size());
        for (auto const& t : trackers) {
            m.trackers[m.num_trackers].url = btx::copy_string(t.url);
            m.trackers[m.num_trackers].tier = t.tier;
            ++m.num_trackers;
        }
        auto const& seeds = ti.web_seeds();
        m.web_seeds = btx::alloc_array<char*>(seeds.size());
        for (auto const& w : seeds) m.web_seeds[m.num_web_seeds++] = btx::copy_string(w.url);

        lt::file_storage const& fs = ti.files();
        if (want_files) {
            m.files = btx::alloc_array<btx_file>(size_t(fs.num_files()));
            for (lt::file_index_t i : fs.file_range()) {
                btx_file& f = m.files[m.num_files];
                f.path = btx::copy_string(fs.file_path(i));
                ++m.num_files;
                f.size = fs.file_size(i);
                f.offset = fs.file_offset(i);
                f.is_pad = fs.pad_file_at(i);
                f.priority = 4;
            }
        } else {
            m.num_files = size_t(fs.num_files());
        }
        *out = info.release();
        return BTX_OK;
    });
}

void btx_metainfo_free(btx_metainfo* info) {
    if (info == nullptr) return;
    std::free(info->name);
    std::free(info->comment);
    std::free(info->creator);
    std::free(info->source);
    std::free(info->magnet_uri);
    for (size_t i = 0; i < info->num_trackers; ++i) std::free(info->trackers[i].url);
    std::free(info->trackers);
    for (size_t i = 0; i < info->num_web_seeds; ++i) std::free(info->web_seeds[i]);
    std::free(info->web_seeds);
    if (info->files != nullptr) btx_files_free(info->files, info->num_files);
    std::free(info);
}

}
