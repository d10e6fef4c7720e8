// Reading metainfo without a session (btx info, btx files, btx status on
// saved state): from .torrent bytes, a magnet link or resume data.
#include "metainfo.hpp"

#include "files.hpp"
#include "guard.hpp"
#include "torrent_file.hpp"

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

// The announce list as the .torrent file orders it: torrent_info shuffles
// each tier (BEP 12), which would make `btx info` differ from run to run.
void read_trackers(lt::bdecode_node const& root, lt::add_torrent_params& atp) {
    // bdecode_node's accessors assume the type they read: check each first.
    if (root.type() != lt::bdecode_node::dict_t) return;
    lt::bdecode_node const list = root.dict_find_list("announce-list");
    for (int tier = 0; list && tier < list.list_size(); ++tier) {
        lt::bdecode_node const urls = list.list_at(tier);
        if (urls.type() != lt::bdecode_node::list_t) continue;
        for (int i = 0; i < urls.list_size(); ++i) {
            if (urls.list_at(i).type() != lt::bdecode_node::string_t) continue;
            std::string const url(urls.list_string_value_at(i));
            if (url.empty() || std::find(atp.trackers.begin(), atp.trackers.end(), url) != atp.trackers.end()) continue;
            atp.trackers.push_back(url);
            atp.tracker_tiers.push_back(tier);
        }
    }
    // "announce" counts only when there is no announce-list (BEP 12).
    std::string const announce(root.dict_find_string_value("announce"));
    if (atp.trackers.empty() && !announce.empty()) {
        atp.trackers.push_back(announce);
        atp.tracker_tiers.push_back(0);
    }
}

}  // namespace

namespace btx {

btx_metainfo* build_metainfo(lt::add_torrent_params const& atp, bool want_files, lt::bdecode_node const& info_dict) {
    metainfo_ptr info(static_cast<btx_metainfo*>(std::calloc(1, sizeof(btx_metainfo))), &btx_metainfo_free);
    if (!info) throw std::bad_alloc();
    btx_metainfo& m = *info;
    lt::torrent_info const* ti = atp.ti.get();

    // What the magnet link and the tracker list are made of: the params'
    // own trackers and web seeds (a .torrent's, read in file order, resume
    // data's or a magnet's), else the torrent_info's.
    lt::add_torrent_params links;
    links.info_hashes = ti ? ti->info_hashes() : atp.info_hashes;
    links.name = ti ? ti->name() : atp.name;
    links.trackers = atp.trackers;
    links.tracker_tiers = atp.tracker_tiers;
    if (links.trackers.empty() && ti) {
        for (auto const& t : ti->trackers()) {
            links.trackers.push_back(t.url);
            links.tracker_tiers.push_back(t.tier);
        }
    }
    links.tracker_tiers.resize(links.trackers.size(), 0);
    links.url_seeds = atp.url_seeds;
    if (ti)
        for (auto const& w : ti->web_seeds())
            if (std::find(links.url_seeds.begin(), links.url_seeds.end(), w.url) == links.url_seeds.end())
                links.url_seeds.push_back(w.url);

    m.name = copy_string(links.name);
    fill_hashes(m, links.info_hashes);
    m.magnet_uri = copy_string(lt::make_magnet_uri(links));
    m.trackers = alloc_array<btx_tracker>(links.trackers.size());
    for (size_t i = 0; i < links.trackers.size(); ++i) {
        m.trackers[m.num_trackers].url = copy_string(links.trackers[i]);
        m.trackers[m.num_trackers].tier = links.tracker_tiers[i];
        ++m.num_trackers;
    }
    m.web_seeds = alloc_array<char*>(links.url_seeds.size());
    for (auto const& w : links.url_seeds) m.web_seeds[m.num_web_seeds++] = copy_string(w);

    m.comment = copy_string(ti ? ti->comment() : "");
    m.creator = copy_string(ti ? ti->creator() : "");
    lt::bdecode_node const source = info_dict.type() == lt::bdecode_node::dict_t ? info_dict.dict_find("source")
                                    : ti ? ti->info("source") : lt::bdecode_node();
    m.source = copy_string(source.type() == lt::bdecode_node::string_t ? std::string(source.string_value()) : "");
    if (!ti) return info.release();

    m.piece_length = ti->piece_length();
    m.num_pieces = ti->num_pieces();
    m.is_private = ti->priv();
    m.creation_date = int64_t(ti->creation_date());

    lt::file_storage const& fs = ti->files();
    m.total_size = real_size(fs);
    std::vector<lt::file_index_t> const files = real_files(fs);
    m.num_files = files.size();
    if (!want_files) return info.release();
    m.files = alloc_array<btx_file>(files.size());
    for (size_t k = 0; k < files.size(); ++k) {
        lt::file_index_t const i = files[k];
        btx_file& f = m.files[k];
        f.path = copy_string(fs.file_path(i));
        f.size = fs.file_size(i);
        f.offset = fs.file_offset(i);
        f.priority = priority_of(atp, i);
        f.done = file_done(fs, atp.have_pieces, i);
        set_root(f, fs, i);
    }
    return info.release();
}

}  // namespace btx

extern "C" {

int btx_metainfo_parse(uint8_t const* bytes, size_t len, int want_files, btx_metainfo** out) {
    return btx::guarded([&] {
        btx::require(bytes, "bytes");
        btx::require(out, "out");
        *out = nullptr;
        if (len == 0) throw btx::failure(BTX_ERR_PARSE, "empty file");
        // Decoded once, for the torrent_info and for the announce list's order.
        lt::bdecode_node const root = btx::decode_torrent(reinterpret_cast<char const*>(bytes), len);
        lt::add_torrent_params atp;
        read_trackers(root, atp);
        atp.ti = btx::torrent_from(root);
        *out = btx::build_metainfo(atp, want_files != 0, root.dict_find_dict("info"));
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
