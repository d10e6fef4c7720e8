// DHT bytes from others: a value to put (dht-put's argument or stdin, a
// control client's request) and the reply packets of other nodes.
#include "../shim/src/dht_bytes.hpp"
#include "../shim/src/guard.hpp"

#include <libtorrent/bencode.hpp>

#include <cstdlib>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(uint8_t const* data, size_t size) {
    btx::dht_answer const answer = btx::read_dht_answer({reinterpret_cast<char const*>(data), std::ptrdiff_t(size)});
    if (!answer.has_value && !(answer.key_hex.empty() && answer.target_hex.empty())) std::abort();
    if (answer.has_value && answer.key_hex.size() != 64 && answer.target_hex.size() != 40) std::abort();

    // The firewall every exported put runs decode_dht_value under.
    btx::guarded([&] {
        lt::entry const value = btx::decode_dht_value(data, size);
        // What a put stores is the value bencoded again: it must fit BEP 44's limit too.
        std::vector<char> encoded;
        lt::bencode(std::back_inserter(encoded), value);
        if (encoded.empty() || encoded.size() > BTX_DHT_MAX_VALUE) std::abort();
        return BTX_OK;
    });
    return 0;
}
