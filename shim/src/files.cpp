#include "files.hpp"

#include "guard.hpp"

#include <algorithm>
#include <string>

namespace btx {

std::vector<lt::file_index_t> real_files(lt::file_storage const& fs) {
    std::vector<lt::file_index_t> files;
    files.reserve(size_t(fs.num_files()));
    for (lt::file_index_t i : fs.file_range())
        if (!fs.pad_file_at(i)) files.push_back(i);
    return files;
}

void set_root(btx_file& f, lt::file_storage const& fs, lt::file_index_t i) {
    f.has_root = 0;
    if (!fs.v2() || fs.file_size(i) == 0) return;
    lt::sha256_hash const root = fs.root(i);
    if (root.is_all_zeros()) return;
    std::copy(root.begin(), root.end(), f.root);
    f.has_root = 1;
}

int64_t real_size(lt::file_storage const& fs) {
    int64_t size = 0;
    for (lt::file_index_t i : fs.file_range())
        if (!fs.pad_file_at(i)) size += fs.file_size(i);
    return size;
}

std::vector<lt::download_priority_t> expand_priorities(lt::file_storage const& fs, uint8_t const* priorities,
                                                       size_t count) {
    std::vector<lt::download_priority_t> list(size_t(fs.num_files()), lt::dont_download);
    size_t next = 0;
    for (lt::file_index_t i : fs.file_range()) {
        if (fs.pad_file_at(i)) continue;
        if (next == count) break;
        list[size_t(static_cast<int>(i))] = lt::download_priority_t(std::uint8_t(priorities[next++] & 7));
    }
    if (next != count || next != real_files(fs).size())
        throw failure(BTX_ERR_INVALID_ARG, "expected one priority per file (" + std::to_string(real_files(fs).size())
                                               + "), got " + std::to_string(count));
    return list;
}

wanted_bytes count_wanted(lt::add_torrent_params const& atp) {
    wanted_bytes w;
    if (!atp.ti) return w;
    lt::file_storage const& fs = atp.ti->files();
    int const pieces = fs.num_pieces();
    auto const& have = atp.have_pieces;
    auto const has = [&](int p) { return p < have.size() && have.get_bit(lt::piece_index_t(p)); };
    // A seed wants everything, whatever the priorities say (as libtorrent).
    bool seed = have.size() >= pieces;
    for (int p = 0; seed && p < pieces; ++p) seed = has(p);

    std::vector<bool> wanted(size_t(pieces), seed);
    std::vector<int64_t> padding(size_t(pieces), 0);
    int64_t const piece_length = fs.piece_length();
    for (lt::file_index_t i : fs.file_range()) {
        int64_t const begin = fs.file_offset(i), end = begin + fs.file_size(i);
        if (begin == end) continue;
        auto const k = size_t(static_cast<int>(i));
        bool const want = k >= atp.file_priorities.size() || atp.file_priorities[k] != lt::dont_download;
        for (int64_t p = begin / piece_length; p * piece_length < end && p < pieces; ++p) {
            if (fs.pad_file_at(i))
                padding[size_t(p)] += std::min(end, (p + 1) * piece_length) - std::max(begin, p * piece_length);
            else if (want)
                wanted[size_t(p)] = true;
        }
    }
    for (int p = 0; p < pieces; ++p) {
        if (!wanted[size_t(p)]) continue;
        int64_t const bytes = fs.piece_size(lt::piece_index_t(p)) - padding[size_t(p)];
        w.total += bytes;
        if (has(p)) w.done += bytes;
    }
    return w;
}

}  // namespace btx
