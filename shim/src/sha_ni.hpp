// SHA-1 and SHA-256 block functions on the x86 SHA extensions, one message
// or two at once. One SHA round instruction waits on the previous one, so a
// single message leaves the unit idle most of the time; interleaving two
// independent messages (two pieces, two 16 KiB leaves) nearly doubles what
// one core hashes: SHA-1 goes from 1.3 to 2.4 GB/s per core on this
// machine's Zen 3, where OpenSSL's one-message code is the former.
#pragma once

#include <cstddef>
#include <cstdint>

namespace btx::sha_ni {

// True when the CPU has the SHA extensions (and the SSSE3/SSE4.1 they need)
// and BTX_NO_SHA_NI is not set (tests use it to run the portable path).
bool available();

// Each function runs `blocks` 64-byte blocks through the compression
// function, updating `state` (5 words for SHA-1, 8 for SHA-256, in the
// standard order). Only call them when available() says so.
void sha1_blocks(uint32_t* state, uint8_t const* data, size_t blocks);
void sha1_blocks_x2(uint32_t* state_a, uint8_t const* data_a, uint32_t* state_b, uint8_t const* data_b,
                    size_t blocks);
void sha256_blocks(uint32_t* state, uint8_t const* data, size_t blocks);
void sha256_blocks_x2(uint32_t* state_a, uint8_t const* data_a, uint32_t* state_b, uint8_t const* data_b,
                      size_t blocks);

}  // namespace btx::sha_ni
