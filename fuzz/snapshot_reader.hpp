// What the C harnesses do with a parse that succeeded: read every string and
// array it hands over, as the Swift side will, so ASan catches a missing NUL,
// a count longer than its array, or a double free in btx_*_free.
#pragma once

#include "btx.h"

#include <cstdlib>
#include <cstring>

namespace fuzz {

inline size_t sink;

inline void read_string(char const* s) {
    if (s != nullptr) sink += std::strlen(s);
}

template <size_t N>
inline void read_fixed(char const (&s)[N]) {
    if (::strnlen(s, N) == N) std::abort();  // a fixed hash field without its NUL
}

inline void read_files(btx_file const* files, size_t count) {
    if (count > 0 && files == nullptr) std::abort();
    for (size_t i = 0; i < count; ++i) {
        read_string(files[i].path);
        sink += size_t(files[i].size + files[i].offset + files[i].done + files[i].priority);
    }
}

inline void read_metainfo(btx_metainfo const& m, bool with_files) {
    read_string(m.name);
    read_fixed(m.info_hash_v1);
    read_fixed(m.info_hash_v2);
    read_string(m.comment);
    read_string(m.creator);
    read_string(m.source);
    read_string(m.magnet_uri);
    if (m.num_trackers > 0 && m.trackers == nullptr) std::abort();
    for (size_t i = 0; i < m.num_trackers; ++i) read_string(m.trackers[i].url);
    if (m.num_web_seeds > 0 && m.web_seeds == nullptr) std::abort();
    for (size_t i = 0; i < m.num_web_seeds; ++i) read_string(m.web_seeds[i]);
    if (with_files) read_files(m.files, m.num_files);
    else if (m.files != nullptr) std::abort();
}

inline void read_status(btx_status const& s) {
    read_fixed(s.info_hash_v1);
    read_fixed(s.info_hash_v2);
    read_string(s.name);
    read_string(s.save_path);
    read_string(s.error);
    sink += size_t(s.total_size + s.total_wanted + s.total_done + s.pieces_done);
}

}  // namespace fuzz
