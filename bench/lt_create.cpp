// The C++ anchor for `btx create`: libtorrent's own create_torrent with its
// hashing threads, as an application would write it.
//   lt_create PATH PIECE_SIZE v1|v2|hybrid THREADS OUT
#include <libtorrent/bencode.hpp>
#include <libtorrent/create_torrent.hpp>
#include <libtorrent/settings_pack.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    if (argc != 6) {
        std::fprintf(stderr, "usage: lt_create PATH PIECE_SIZE v1|v2|hybrid THREADS OUT\n");
        return 2;
    }
    std::string const path = argv[1];
    int const piece_size = std::atoi(argv[2]);
    std::string const format = argv[3];
    int const threads = std::atoi(argv[4]);
    lt::create_flags_t flags = {};
    if (format == "v1") flags = lt::create_torrent::v1_only;
    else if (format == "v2") flags = lt::create_torrent::v2_only;

    lt::file_storage fs;
    lt::add_files(fs, path);
    lt::create_torrent ct(fs, piece_size, flags);
    lt::settings_pack settings;
    settings.set_int(lt::settings_pack::hashing_threads, threads);
    lt::error_code ec;
    std::string const parent = path.substr(0, path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/'));
    lt::set_piece_hashes(ct, parent.empty() ? "." : parent, settings, [](lt::piece_index_t) {}, ec);
    if (ec) {
        std::fprintf(stderr, "lt_create: %s\n", ec.message().c_str());
        return 1;
    }
    std::vector<char> bytes;
    lt::bencode(std::back_inserter(bytes), ct.generate());
    std::ofstream(argv[5], std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
    return 0;
}
