#include "sha_ni.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <cstdlib>
#include <immintrin.h>

#define BTX_SHA_TARGET __attribute__((target("sha,sse4.1,ssse3")))

namespace btx::sha_ni {

namespace {

bool detect() {
    if (std::getenv("BTX_NO_SHA_NI") != nullptr) return false;
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (__get_cpuid_max(0, nullptr) < 7) return false;
    __cpuid(1, eax, ebx, ecx, edx);
    bool const ssse3 = (ecx & bit_SSSE3) != 0, sse41 = (ecx & bit_SSE4_1) != 0;
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    bool const sha = (ebx & bit_SHA) != 0;
    return ssse3 && sse41 && sha;
}

// N independent SHA-1 messages, block by block in lockstep. The loops over
// `s` are unrolled by the compiler; the round-function selector of
// sha1rnds4 must be a constant, hence the macro.
template <int N>
BTX_SHA_TARGET inline void sha1_lockstep(uint32_t* const* states, uint8_t const* const* data, size_t blocks) {
    __m128i const byte_swap = _mm_set_epi64x(0x0001020304050607LL, 0x08090a0b0c0d0e0fLL);
    __m128i abcd[N], e[N];
    for (int s = 0; s < N; ++s) {
        abcd[s] = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<__m128i const*>(states[s])), 0x1B);
        e[s] = _mm_set_epi32(int(states[s][4]), 0, 0, 0);
    }
    for (size_t b = 0; b < blocks; ++b) {
        __m128i w[N][4], abcd_start[N], e_start[N], before[N], next_e[N];
        for (int s = 0; s < N; ++s) {
            abcd_start[s] = abcd[s];
            e_start[s] = e[s];
        }
        // Four rounds per group; w holds the last four message words groups.
#define BTX_SHA1_GROUP(i, f)                                                                                  \
    for (int s = 0; s < N; ++s) {                                                                             \
        if ((i) < 4)                                                                                          \
            w[s][(i) & 3] = _mm_shuffle_epi8(                                                                 \
                _mm_loadu_si128(reinterpret_cast<__m128i const*>(data[s] + b * 64 + ((i) & 3) * 16)), byte_swap); \
        else                                                                                                  \
            w[s][(i) & 3] = _mm_sha1msg2_epu32(                                                               \
                _mm_xor_si128(_mm_sha1msg1_epu32(w[s][(i) & 3], w[s][((i) + 1) & 3]), w[s][((i) + 2) & 3]),   \
                w[s][((i) + 3) & 3]);                                                                         \
        next_e[s] = (i) == 0 ? _mm_add_epi32(e[s], w[s][0]) : _mm_sha1nexte_epu32(before[s], w[s][(i) & 3]);  \
        before[s] = abcd[s];                                                                                  \
        abcd[s] = _mm_sha1rnds4_epu32(abcd[s], next_e[s], f);                                                 \
    }
        BTX_SHA1_GROUP(0, 0) BTX_SHA1_GROUP(1, 0) BTX_SHA1_GROUP(2, 0) BTX_SHA1_GROUP(3, 0) BTX_SHA1_GROUP(4, 0)
        BTX_SHA1_GROUP(5, 1) BTX_SHA1_GROUP(6, 1) BTX_SHA1_GROUP(7, 1) BTX_SHA1_GROUP(8, 1) BTX_SHA1_GROUP(9, 1)
        BTX_SHA1_GROUP(10, 2) BTX_SHA1_GROUP(11, 2) BTX_SHA1_GROUP(12, 2) BTX_SHA1_GROUP(13, 2) BTX_SHA1_GROUP(14, 2)
        BTX_SHA1_GROUP(15, 3) BTX_SHA1_GROUP(16, 3) BTX_SHA1_GROUP(17, 3) BTX_SHA1_GROUP(18, 3) BTX_SHA1_GROUP(19, 3)
#undef BTX_SHA1_GROUP
        for (int s = 0; s < N; ++s) {
            e[s] = _mm_sha1nexte_epu32(before[s], e_start[s]);
            abcd[s] = _mm_add_epi32(abcd[s], abcd_start[s]);
        }
    }
    for (int s = 0; s < N; ++s) {
        _mm_storeu_si128(reinterpret_cast<__m128i*>(states[s]), _mm_shuffle_epi32(abcd[s], 0x1B));
        states[s][4] = uint32_t(_mm_extract_epi32(e[s], 3));
    }
}

alignas(16) uint32_t const sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

template <int N>
BTX_SHA_TARGET inline void sha256_lockstep(uint32_t* const* states, uint8_t const* const* data, size_t blocks) {
    __m128i const byte_swap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    __m128i abef[N], cdgh[N];
    for (int s = 0; s < N; ++s) {
        __m128i const dcba = _mm_loadu_si128(reinterpret_cast<__m128i const*>(states[s]));
        __m128i const hgfe = _mm_loadu_si128(reinterpret_cast<__m128i const*>(states[s] + 4));
        __m128i const cdab = _mm_shuffle_epi32(dcba, 0xB1);
        __m128i const efgh = _mm_shuffle_epi32(hgfe, 0x1B);
        abef[s] = _mm_alignr_epi8(cdab, efgh, 8);
        cdgh[s] = _mm_blend_epi16(efgh, cdab, 0xF0);
    }
    for (size_t b = 0; b < blocks; ++b) {
        __m128i w[N][4], abef_start[N], cdgh_start[N];
        for (int s = 0; s < N; ++s) {
            abef_start[s] = abef[s];
            cdgh_start[s] = cdgh[s];
        }
        // Four rounds per group, as for SHA-1: a macro so that every index is a constant.
#define BTX_SHA256_GROUP(i)                                                                                   \
    {                                                                                                         \
        __m128i const k = _mm_load_si128(reinterpret_cast<__m128i const*>(sha256_k + 4 * (i)));                \
        for (int s = 0; s < N; ++s) {                                                                         \
            if ((i) < 4)                                                                                      \
                w[s][(i) & 3] = _mm_shuffle_epi8(                                                             \
                    _mm_loadu_si128(reinterpret_cast<__m128i const*>(data[s] + b * 64 + ((i) & 3) * 16)), byte_swap); \
            else                                                                                              \
                w[s][(i) & 3] = _mm_sha256msg2_epu32(                                                         \
                    _mm_add_epi32(_mm_sha256msg1_epu32(w[s][(i) & 3], w[s][((i) + 1) & 3]),                    \
                                  _mm_alignr_epi8(w[s][((i) + 3) & 3], w[s][((i) + 2) & 3], 4)),               \
                    w[s][((i) + 3) & 3]);                                                                     \
            __m128i const message = _mm_add_epi32(w[s][(i) & 3], k);                                          \
            cdgh[s] = _mm_sha256rnds2_epu32(cdgh[s], abef[s], message);                                       \
            abef[s] = _mm_sha256rnds2_epu32(abef[s], cdgh[s], _mm_shuffle_epi32(message, 0x0E));               \
        }                                                                                                     \
    }
        BTX_SHA256_GROUP(0) BTX_SHA256_GROUP(1) BTX_SHA256_GROUP(2) BTX_SHA256_GROUP(3)
        BTX_SHA256_GROUP(4) BTX_SHA256_GROUP(5) BTX_SHA256_GROUP(6) BTX_SHA256_GROUP(7)
        BTX_SHA256_GROUP(8) BTX_SHA256_GROUP(9) BTX_SHA256_GROUP(10) BTX_SHA256_GROUP(11)
        BTX_SHA256_GROUP(12) BTX_SHA256_GROUP(13) BTX_SHA256_GROUP(14) BTX_SHA256_GROUP(15)
#undef BTX_SHA256_GROUP
        for (int s = 0; s < N; ++s) {
            abef[s] = _mm_add_epi32(abef[s], abef_start[s]);
            cdgh[s] = _mm_add_epi32(cdgh[s], cdgh_start[s]);
        }
    }
    for (int s = 0; s < N; ++s) {
        __m128i const feba = _mm_shuffle_epi32(abef[s], 0x1B);
        __m128i const dchg = _mm_shuffle_epi32(cdgh[s], 0xB1);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(states[s]), _mm_blend_epi16(feba, dchg, 0xF0));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(states[s] + 4), _mm_alignr_epi8(dchg, feba, 8));
    }
}

}  // namespace

bool available() {
    static bool const has = detect();
    return has;
}

BTX_SHA_TARGET void sha1_blocks(uint32_t* state, uint8_t const* data, size_t blocks) {
    sha1_lockstep<1>(&state, &data, blocks);
}

BTX_SHA_TARGET void sha1_blocks_x2(uint32_t* state_a, uint8_t const* data_a, uint32_t* state_b,
                                   uint8_t const* data_b, size_t blocks) {
    uint32_t* states[2] = {state_a, state_b};
    uint8_t const* data[2] = {data_a, data_b};
    sha1_lockstep<2>(states, data, blocks);
}

BTX_SHA_TARGET void sha256_blocks(uint32_t* state, uint8_t const* data, size_t blocks) {
    sha256_lockstep<1>(&state, &data, blocks);
}

BTX_SHA_TARGET void sha256_blocks_x2(uint32_t* state_a, uint8_t const* data_a, uint32_t* state_b,
                                     uint8_t const* data_b, size_t blocks) {
    uint32_t* states[2] = {state_a, state_b};
    uint8_t const* data[2] = {data_a, data_b};
    sha256_lockstep<2>(states, data, blocks);
}

}  // namespace btx::sha_ni

#else  // not x86: the portable path only

namespace btx::sha_ni {
bool available() { return false; }
void sha1_blocks(uint32_t*, uint8_t const*, size_t) {}
void sha1_blocks_x2(uint32_t*, uint8_t const*, uint32_t*, uint8_t const*, size_t) {}
void sha256_blocks(uint32_t*, uint8_t const*, size_t) {}
void sha256_blocks_x2(uint32_t*, uint8_t const*, uint32_t*, uint8_t const*, size_t) {}
}  // namespace btx::sha_ni

#endif
