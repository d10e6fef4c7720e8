// The DHT bytes btx reads without trusting them: a value handed to a put (by
// the command line or a control client) and the packets other nodes send in
// reply to our gets. Apart from the session, so a fuzzer can feed them
// anything (fuzz/dht.cpp).
#pragma once

#include <libtorrent/entry.hpp>
#include <libtorrent/span.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace btx {

// A BEP 44 value as libtorrent stores it: one bencoded value of 1 to
// BTX_DHT_MAX_VALUE bytes. Throws failure (INVALID_ARG or PARSE) otherwise.
lt::entry decode_dht_value(uint8_t const* value, size_t len);

// What a DHT packet tells a get in flight. Only a reply ("y": "r") that
// carries a value ("v") counts as an answer.
struct dht_answer {
    bool has_value = false;
    std::string key_hex;     // the replying item's 64-hex public key, "" for an immutable item
    std::string target_hex;  // an immutable item's target: SHA-1 of the value's bencoding
};

dht_answer read_dht_answer(lt::span<char const> packet);

}  // namespace btx
