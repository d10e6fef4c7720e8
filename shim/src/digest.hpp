// SHA-1 and SHA-256 digests that take two messages at once: on the SHA
// extensions (sha_ni.hpp) when the CPU has them, else through libtorrent's
// hashers (OpenSSL).
#pragma once

#include "sha_ni.hpp"

#include <libtorrent/sha1_hash.hpp>
#include <openssl/sha.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

// OpenSSL 3 deprecates the SHA*_Init family, but its contexts are plain
// structs: a digest must be trivially destructible, since a reader of
// mapped memory may be abandoned mid-way (bus_guard.hpp). libtorrent's own
// hashers use the same functions.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

namespace btx {

namespace detail {

struct sha1_traits {
    static constexpr int words = 5;
    static constexpr uint32_t initial[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
    using hash = lt::sha1_hash;
    using context = SHA_CTX;
    static void init(SHA_CTX* c) { SHA1_Init(c); }
    static void update(SHA_CTX* c, void const* d, size_t n) { SHA1_Update(c, d, n); }
    static void final(unsigned char* out, SHA_CTX* c) { SHA1_Final(out, c); }
    static void blocks(uint32_t* s, uint8_t const* d, size_t n) { sha_ni::sha1_blocks(s, d, n); }
    static void blocks_x2(uint32_t* a, uint8_t const* da, uint32_t* b, uint8_t const* db, size_t n) {
        sha_ni::sha1_blocks_x2(a, da, b, db, n);
    }
};

struct sha256_traits {
    static constexpr int words = 8;
    static constexpr uint32_t initial[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                            0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    using hash = lt::sha256_hash;
    using context = SHA256_CTX;
    static void init(SHA256_CTX* c) { SHA256_Init(c); }
    static void update(SHA256_CTX* c, void const* d, size_t n) { SHA256_Update(c, d, n); }
    static void final(unsigned char* out, SHA256_CTX* c) { SHA256_Final(out, c); }
    static void blocks(uint32_t* s, uint8_t const* d, size_t n) { sha_ni::sha256_blocks(s, d, n); }
    static void blocks_x2(uint32_t* a, uint8_t const* da, uint32_t* b, uint8_t const* db, size_t n) {
        sha_ni::sha256_blocks_x2(a, da, b, db, n);
    }
};

}  // namespace detail

template <class Traits>
class block_digest {
public:
    using hash = typename Traits::hash;

    block_digest() {
        if (sha_ni::available()) std::memcpy(state_, Traits::initial, sizeof state_);
        else Traits::init(&fallback_);
    }

    void update(uint8_t const* data, size_t length) {
        if (!sha_ni::available()) {
            Traits::update(&fallback_, data, length);
            return;
        }
        length_ += length;
        if (tail_length_ > 0) {
            size_t const take = std::min(length, 64 - tail_length_);
            std::memcpy(tail_ + tail_length_, data, take);
            tail_length_ += take;
            data += take;
            length -= take;
            if (tail_length_ < 64) return;
            Traits::blocks(state_, tail_, 1);
            tail_length_ = 0;
        }
        size_t const blocks = length / 64;
        if (blocks > 0) Traits::blocks(state_, data, blocks);
        tail_length_ = length % 64;
        std::memcpy(tail_, data + blocks * 64, tail_length_);
    }

    // Feeds `length` bytes to each of two digests, the whole blocks of both
    // through one interleaved pass.
    static void update_pair(block_digest& a, uint8_t const* data_a, block_digest& b, uint8_t const* data_b,
                            size_t length) {
        size_t const blocks = length / 64;
        if (!sha_ni::available() || a.tail_length_ != 0 || b.tail_length_ != 0 || blocks == 0) {
            a.update(data_a, length);
            b.update(data_b, length);
            return;
        }
        Traits::blocks_x2(a.state_, data_a, b.state_, data_b, blocks);
        a.length_ += blocks * 64;
        b.length_ += blocks * 64;
        a.update(data_a + blocks * 64, length % 64);
        b.update(data_b + blocks * 64, length % 64);
    }

    hash final() {
        if (!sha_ni::available()) {
            unsigned char out[Traits::words * 4];
            Traits::final(out, &fallback_);
            return hash(reinterpret_cast<char const*>(out));
        }
        uint64_t const bits = length_ * 8;
        tail_[tail_length_++] = 0x80;
        if (tail_length_ > 56) {
            std::memset(tail_ + tail_length_, 0, 64 - tail_length_);
            Traits::blocks(state_, tail_, 1);
            tail_length_ = 0;
        }
        std::memset(tail_ + tail_length_, 0, 56 - tail_length_);
        for (int i = 0; i < 8; ++i) tail_[56 + i] = uint8_t(bits >> (56 - 8 * i));
        Traits::blocks(state_, tail_, 1);
        char out[Traits::words * 4];
        for (int w = 0; w < Traits::words; ++w)
            for (int i = 0; i < 4; ++i) out[w * 4 + i] = char(state_[w] >> (24 - 8 * i));
        return hash(out);
    }

private:
    uint32_t state_[Traits::words];
    uint64_t length_ = 0;
    uint8_t tail_[64];
    size_t tail_length_ = 0;
    typename Traits::context fallback_;
};

using sha1_digest = block_digest<detail::sha1_traits>;
using sha256_digest = block_digest<detail::sha256_traits>;
static_assert(std::is_trivially_destructible<sha1_digest>::value, "abandoned by touch_mapped");
static_assert(std::is_trivially_destructible<sha256_digest>::value, "abandoned by touch_mapped");

#pragma GCC diagnostic pop

}  // namespace btx
