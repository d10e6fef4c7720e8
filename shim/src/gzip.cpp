// gzip decompression for blocklists, which are mostly downloaded as .gz.
#include "guard.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <string>

namespace {

// Owns the growing output until it is handed to the caller.
struct buffer {
    uint8_t* data = nullptr;
    size_t size = 0, capacity = 0;
    ~buffer() { std::free(data); }

    void reserve_more(size_t max_len) {
        if (size < capacity) return;
        if (capacity >= max_len)
            throw btx::failure(BTX_ERR_INVALID_ARG, "decompressed data is over " + std::to_string(max_len) + " bytes");
        size_t const next = std::min(max_len, std::max<size_t>(capacity * 2, 1 << 16));
        auto* grown = static_cast<uint8_t*>(std::realloc(data, next));
        if (grown == nullptr) throw std::bad_alloc();
        data = grown;
        capacity = next;
    }
};

struct inflater {
    z_stream z{};
    inflater() {
        // 16 + MAX_WBITS: gzip framing only, so a header check comes for free.
        if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) throw std::bad_alloc();
    }
    ~inflater() { inflateEnd(&z); }
};

}  // namespace

extern "C" {

int btx_gunzip(uint8_t const* data, size_t len, size_t max_len, uint8_t** out, size_t* out_len) {
    return btx::guarded([&] {
        btx::require(out, "out");
        btx::require(out_len, "out_len");
        *out = nullptr;
        *out_len = 0;
        if (len > 0) btx::require(data, "data");
        inflater inf;
        buffer result;
        inf.z.next_in = const_cast<Bytef*>(data);
        size_t left = len;
        while (true) {
            // avail_in is 32 bits wide: feed large input in slices.
            if (inf.z.avail_in == 0 && left > 0) {
                inf.z.avail_in = uInt(std::min<size_t>(left, 1u << 30));
                left -= inf.z.avail_in;
            }
            result.reserve_more(max_len);
            inf.z.next_out = result.data + result.size;
            inf.z.avail_out = uInt(std::min<size_t>(result.capacity - result.size, 1u << 30));
            uInt const room = inf.z.avail_out;
            int const rc = inflate(&inf.z, Z_NO_FLUSH);
            result.size += room - inf.z.avail_out;
            if (rc == Z_STREAM_END) {
                // gzip -d reads concatenated members; anything else after the
                // last one (zero padding) is ignored, as gzip does.
                bool const another = inf.z.avail_in + left >= 2 && inf.z.next_in[0] == 0x1f && inf.z.next_in[1] == 0x8b;
                if (!another) break;
                if (inflateReset(&inf.z) != Z_OK) throw btx::failure(BTX_ERR_INTERNAL, "zlib reset failed");
                continue;
            }
            if (rc == Z_BUF_ERROR && inf.z.avail_in == 0 && left == 0 && inf.z.avail_out > 0)
                throw btx::failure(BTX_ERR_PARSE, "the gzip data is truncated");
            if (rc != Z_OK && rc != Z_BUF_ERROR)
                throw btx::failure(BTX_ERR_PARSE, std::string("damaged gzip data: ") + (inf.z.msg ? inf.z.msg : "inflate failed"));
        }
        *out_len = result.size;
        *out = result.size > 0 ? result.data : static_cast<uint8_t*>(std::malloc(1));
        if (*out == nullptr) throw std::bad_alloc();
        if (result.size > 0) result.data = nullptr;
        return BTX_OK;
    });
}

}
