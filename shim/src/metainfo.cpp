// Reading metainfo without a session (btx info, btx files, btx status on
// saved state): from .torrent bytes, a magnet link or resume data.
#include "metainfo.hpp"

#include "guard.hpp"

#include <libtorrent/bdecode.hpp>
#include <libtorrent/magnet_uri.hpp>
#include <libtorrent/read_resume_data.hpp>
#include <libtorrent/torrent_info.hpp>

#include <algorithm>

namespace {

using metainfo_ptr = std::unique_ptr<btx_metainfo, decltype(&btx_metainfo_free)>;

int priority_of(lt::add_torrent_params const& atp, lt::file_index_t i) {
    auto const k = size_t(static_cast<int>(i));
    return k < atp.file_priorities.size() ? int(static_cast<std::uint8_t>(atp.file_priorities[k])) : 4;
}

// Verified bytes of file i: the parts of it that lie in pieces we have.
int64_t file_done(lt::file_storage const& fs, lt::typed_bitfield<lt::piece_index_t> const& have, lt::file_index_t i) {
    int64_t const size = fs.file_size(i);
    if (size == 0 || have.empty()) return 0;
    int64_t const begin = fs.file_offset(i);
    int64_t const end = begin + size;
    int64_t const piece_length = fs.piece_length();
    int64_t done = 0;
    for (int64_t p = begin / piece_length; p * piece_length < end && p < have.size(); ++p) {
        if (!have.get_bit(lt::piece_index_t(int(p)))) continue;
        done += std::min(end, (p + 1) * piece_length) - std::max(begin, p * piece_length);
    }
    return done;
}

void fill_hashes(btx_metainfo& m, lt::info_hash_t const& hashes) {
    if (hashes.has_v1()) btx::copy_into(m.info_hash_v1, sizeof m.info_hash_v1, btx::to_hex(hashes.v1.data(), 20));
    if (hashes.has_v2()) btx::copy_into(m.info_hash_v2, sizeof m.info_hash_v2, btx::to_hex(hashes.v2.data(), 32));
}

}  // namespace

namespace btx {

btx_metainfo* build_metainfo(lt::add_torrent_params const& atp, bool want_files) {
    metainfo_ptr info(static_cast<btx_metainfo*>(std::calloc(1, sizeof(btx_metainfo))), &btx_metainfo_free);
    if (!info) throw std::bad_alloc();
    btx_metainfo& m = *info;
    lt::torrent_info const* ti = atp.ti.get();

    m.name = copy_string(ti ? ti->name() : atp.name);
    fill_hashes(m, ti ? ti->info_hashes() : atp.info_hashes);
    m.magnet_uri = copy_string(ti ? lt::make_magnet_uri(*ti) : lt::make_magnet_uri(atp));

    // A .torrent's trackers live in its torrent_info; resume data and magnets
    // keep theirs in the params.
    std::vector<lt::announce_entry> trackers = ti ? ti->trackers() : std::vector<lt::announce_entry>{};
    for (size_t i = 0; i < atp.trackers.size(); ++i) {
        lt::announce_entry e(atp.trackers[i]);
        e.tier = std::uint8_t(i < atp.tracker_tiers.size() ? atp.tracker_tiers[i] : 0);
        if (std::none_of(trackers.begin(), trackers.end(), [&](auto const& t) { return t.url == e.url; }))
            trackers.push_back(e);
    }
    m.trackers = alloc_array<btx_tracker>(trackers.size());
    for (auto const& t : trackers) {
        m.trackers[m.num_trackers].url = copy_string(t.url);
        m.trackers[m.num_trackers].tier = t.tier;
        ++m.num_trackers;
    }
    std::vector<std::string> seeds = atp.url_seeds;
    if (ti)
        for (auto const& w : ti->web_seeds())
            if (std::find(seeds.begin(), seeds.end(), w.url) == seeds.end()) seeds.push_back(w.url);
    m.web_seeds = alloc_array<char*>(seeds.size());
    for (auto const& w : seeds) m.web_seeds[m.num_web_seeds++] = copy_string(w);

    m.comment = copy_string(ti ? ti->comment() : "");
    m.creator = copy_string(ti ? ti->creator() : "");
    lt::bdecode_node const source = ti ? ti->info("source") : lt::bdecode_node();
    m.source = copy_string(source.type() == lt::bdecode_node::string_t ? std::string(source.string_value()) : "");
    if (!ti) return info.release();

    m.piece_length = ti->piece_length();
    m.num_pieces = ti->num_pieces();
    m.total_size = ti->total_size();
    m.is_private = ti->priv();
    m.creation_date = int64_t(ti->creation_date());

    lt::file_storage const& fs = ti->files();
    if (!want_files) {
        m.num_files = size_t(fs.num_files());
        return info.release();
    }
    m.files = alloc_array<btx_file>(size_t(fs.num_files()));
    for (lt::file_index_t i : fs.file_range()) {
        btx_file& f = m.files[m.num_files];
        f.path = copy_string(fs.file_path(i));
        ++m.num_files;
        f.size = fs.file_size(i);
        f.offset = fs.file_offset(i);
        f.is_pad = fs.pad_file_at(i);
        f.priority = priority_of(atp, i);
        f.downloaded = file_done(fs, atp.have_pieces, i);
    }
    return info.release();
}

wanted_bytes count_wanted(lt::add_torrent_params const& atp) {
    wanted_bytes w;
    if (!atp.ti) return w;
    lt::file_storage const& fs = atp.ti->files();
    for (lt::file_index_t i : fs.file_range()) {
        if (fs.pad_file_at(i) || priority_of(atp, i) == 0) continue;
        w.total += fs.file_size(i);
        w.done += file_done(fs, atp.have_pieces, i);
    }
    return w;
}

}  // namespace btx

extern "C" {

int btx_metainfo_parse(uint8_t const* bytes, size_t len, int want_files, btx_metainfo** out) {
    return btx::guarded([&] {
        btx::require(bytes, "bytes");
        btx::require(out, "out");
        *out = nullptr;
        if (len == 0) throw btx::failure(BTX_ERR_PARSE, "empty file");
        lt::load_torrent_limits limits;
        limits.max_buffer_size = std::numeric_limits<int>::max();
        lt::add_torrent_params atp;
        atp.ti = std::make_shared<lt::torrent_info>(
            lt::span<char const>(reinterpret_cast<char const*>(bytes), std::ptrdiff_t(len)), limits, lt::from_span);
        *out = btx::build_metainfo(atp, want_files != 0);
        return BTX_OK;
    });
}

int btx_magnet_parse(char const* uri, btx_metainfo** out) {
    return btx::guarded([&] {
        btx::require(uri, "uri");
        btx::require(out, "out");
        *out = nullptr;
        lt::error_code ec;
        lt::add_torrent_params const atp = lt::parse_magnet_uri(uri, ec);
        if (ec) throw btx::failure(BTX_ERR_PARSE, "invalid magnet link: " + ec.message());
        *out = btx::build_metainfo(atp, false);
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
