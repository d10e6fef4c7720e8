#include "dht_bytes.hpp"

#include "guard.hpp"

#include <libtorrent/bdecode.hpp>
#include <libtorrent/hasher.hpp>

namespace btx {

lt::entry decode_dht_value(uint8_t const* value, size_t len) {
    require(value, "value");
    if (len == 0 || len > BTX_DHT_MAX_VALUE)
        throw failure(BTX_ERR_INVALID_ARG, "a DHT value must be 1 to " + std::to_string(BTX_DHT_MAX_VALUE)
                                               + " bencoded bytes, not " + std::to_string(len));
    lt::error_code ec;
    lt::bdecode_node const node = lt::bdecode({reinterpret_cast<char const*>(value), std::ptrdiff_t(len)}, ec);
    if (ec) throw failure(BTX_ERR_PARSE, "the value is not bencoded: " + ec.message());
    lt::entry e;
    e = node;
    return e;
}

dht_answer read_dht_answer(lt::span<char const> packet) {
    dht_answer answer;
    lt::error_code ec;
    lt::bdecode_node const msg = lt::bdecode(packet, ec);
    // bdecode_node's accessors assume the type they read: check each first.
    if (ec || msg.type() != lt::bdecode_node::dict_t || msg.dict_find_string_value("y") != "r") return answer;
    lt::bdecode_node const reply = msg.dict_find_dict("r");
    lt::bdecode_node const value = reply ? reply.dict_find("v") : lt::bdecode_node();
    if (!value) return answer;
    answer.has_value = true;
    lt::bdecode_node const key = reply.dict_find_string("k");
    if (key && key.string_length() == 32) {
        answer.key_hex = to_hex(key.string_ptr(), 32);
    } else {
        auto const section = value.data_section();
        answer.target_hex = to_hex(lt::hasher(section.data(), int(section.size())).final().data(), 20);
    }
    return answer;
}

}  // namespace btx
