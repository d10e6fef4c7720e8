#include "guard.hpp"

#include <libtorrent/bdecode.hpp>
#include <libtorrent/version.hpp>

#include <cstdlib>
#include <system_error>

namespace btx {

namespace {
thread_local std::string last_error;
}

int set_error(int code, std::string const& message) noexcept {
    try {
        last_error = message;
    } catch (...) {
        last_error.clear();
    }
    return code;
}

void clear_error() noexcept { last_error.clear(); }

btx_result classify(lt::error_code const& ec) noexcept {
    if (ec.category() == lt::bdecode_category()) return BTX_ERR_PARSE;
    if (ec.category() == lt::libtorrent_category()) {
        switch (ec.value()) {
        case lt::errors::duplicate_torrent: return BTX_ERR_DUPLICATE;
        case lt::errors::no_metadata: return BTX_ERR_NO_METADATA;
        case lt::errors::invalid_torrent_handle: return BTX_ERR_BAD_HANDLE;
        default: break;
        }
        // libtorrent's parse errors for .torrent files, magnets and resume data.
        int const v = ec.value();
        if ((v >= lt::errors::torrent_is_no_dict && v <= lt::errors::invalid_escaped_string)
            || v == lt::errors::missing_info_hash_in_uri
            || (v >= lt::errors::parse_failed && v <= lt::errors::mismatching_info_hash)
            || (v >= lt::errors::torrent_unknown_version && v <= lt::errors::torrent_invalid_pad_file))
            return BTX_ERR_PARSE;
        return BTX_ERR_INTERNAL;
    }
    if (ec.category() == lt::system_category() || ec.category() == lt::generic_category()) {
        return ec.value() == ENOMEM ? BTX_ERR_NO_MEMORY : BTX_ERR_IO;
    }
    return BTX_ERR_INTERNAL;
}

char* copy_string(std::string const& s) {
    char* p = static_cast<char*>(std::malloc(s.size() + 1));
    if (p == nullptr) throw std::bad_alloc();
    std::memcpy(p, s.data(), s.size());
    p[s.size()] = '\0';
    return p;
}

uint8_t* copy_bytes(char const* data, size_t len) {
    auto* p = static_cast<uint8_t*>(std::malloc(len == 0 ? 1 : len));
    if (p == nullptr) throw std::bad_alloc();
    if (len > 0) std::memcpy(p, data, len);
    return p;
}

void copy_into(char* dest, size_t capacity, std::string const& source) noexcept {
    size_t n = source.size() < capacity - 1 ? source.size() : capacity - 1;
    std::memcpy(dest, source.data(), n);
    dest[n] = '\0';
}

std::string to_hex(char const* data, size_t len) {
    static char const digits[] = "0123456789abcdef";
    std::string out(len * 2, '0');
    for (size_t i = 0; i < len; ++i) {
        auto const byte = static_cast<unsigned char>(data[i]);
        out[2 * i] = digits[byte >> 4];
        out[2 * i + 1] = digits[byte & 15];
    }
    return out;
}

}  // namespace btx

extern "C" {

const char* btx_last_error(void) { return btx::last_error.c_str(); }

int btx_abi_version(void) { return BTX_ABI_VERSION; }

const char* btx_libtorrent_version(void) { return lt::version(); }

void btx_free_buffer(uint8_t* buffer) { std::free(buffer); }

}
