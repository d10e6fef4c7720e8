// BEP 44 items: gets and puts are asynchronous; their results come back
// through the event drain as BTX_EVENT_DHT_ITEM and BTX_EVENT_DHT_PUT.
#include "dht_bytes.hpp"
#include "guard.hpp"
#include "session.hpp"

#include <libtorrent/bencode.hpp>
#include <libtorrent/hasher.hpp>
#include <libtorrent/hex.hpp>
#include <libtorrent/kademlia/ed25519.hpp>
#include <libtorrent/kademlia/item.hpp>
#include <libtorrent/session.hpp>
#include <libtorrent/session_status.hpp>

#include <algorithm>
#include <cctype>

namespace {

std::string bytes(uint8_t const* data, size_t len) {
    if (len > 0) btx::require(data, "salt");
    return len > 0 ? std::string(reinterpret_cast<char const*>(data), len) : std::string();
}

lt::dht::public_key parse_key(std::string const& hex) {
    lt::dht::public_key key;
    if (hex.size() != 64 || !lt::aux::from_hex(hex, key.bytes.data()))
        throw btx::failure(BTX_ERR_INVALID_ARG, "'" + hex + "' is not a 64-hex public key");
    return key;
}

}  // namespace

namespace btx {

std::string mutable_target_hex(char const* key32, std::string const& salt) {
    lt::hasher h(key32, 32);
    if (!salt.empty()) h.update(salt.data(), int(salt.size()));
    return to_hex(h.final().data(), 20);
}

void set_packet_alerts(btx_session& s, bool on) {
    lt::settings_pack pack;
    pack.set_int(lt::settings_pack::alert_mask, on ? event_categories | lt::alert_category::dht_log : event_categories);
    s.session.apply_settings(std::move(pack));
}

}  // namespace btx

extern "C" {

int btx_session_add_dht_node(btx_session* session, char const* endpoint) {
    return btx::guarded([&] {
        auto& s = btx::checked(session);
        btx::require(endpoint, "endpoint");
        std::string const text = endpoint;
        auto const colon = text.rfind(':');
        char* end = nullptr;
        long const port = colon == std::string::npos ? 0 : std::strtol(text.c_str() + colon + 1, &end, 10);
        if (port <= 0 || port > 65535 || *end != '\0')
            throw btx::failure(BTX_ERR_INVALID_ARG, "DHT node '" + text + "' is not HOST:PORT");
        std::string host = text.substr(0, colon);
        if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
        s.session.add_dht_node({host, int(port)});
        return BTX_OK;
    });
}

int btx_session_dht_node_count(btx_session* session, int* out_count) {
    return btx::guarded([&] {
        auto& s = btx::checked(session);
        btx::require(out_count, "out_count");
        // Live nodes only: the saved state also lists replacement entries,
        // unverified nodes that merely sent us a query. A lookup starts from
        // live nodes alone, so counting those could start one on an empty
        // table, which libtorrent reports as "no item" at once.
        // session_status is deprecated but is the one synchronous way to
        // read the live count in 2.0 (the stats counters come by alert).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
        *out_count = s.session.status().dht_nodes;
#pragma GCC diagnostic pop
        return BTX_OK;
    });
}

int btx_dht_get(btx_session* session, char const* target_hex, uint8_t const* salt, size_t salt_len) {
    return btx::guarded([&] {
        auto& s = btx::checked(session);
        btx::require(target_hex, "target_hex");
        std::string hex = target_hex;
        std::transform(hex.begin(), hex.end(), hex.begin(), [](unsigned char c) { return char(std::tolower(c)); });
        // Check everything before registering, so a bad target leaves no
        // lookup behind that would keep packet reports on.
        lt::sha1_hash target;
        lt::dht::public_key key;
        if (hex.size() == 40) {
            if (!lt::aux::from_hex(hex, target.data()))
                throw btx::failure(BTX_ERR_INVALID_ARG, "'" + hex + "' is not a 40-hex target");
        } else {
            key = parse_key(hex);
        }
        std::string const salt_bytes = bytes(salt, salt_len);
        {
            std::lock_guard<std::mutex> lock(s.mutex);
            auto& lookup = s.dht_answers[hex.size() == 40 ? hex : btx::mutable_target_hex(key.bytes.data(), salt_bytes)];
            if (hex.size() == 64) lookup.key_hex = hex;
            ++lookup.in_flight;
        }
        btx::set_packet_alerts(s, true);
        if (hex.size() == 40) s.session.dht_get_item(target);
        else s.session.dht_get_item(key.bytes, salt_bytes);
        return BTX_OK;
    });
}

int btx_dht_put_immutable(btx_session* session, uint8_t const* value, size_t value_len, char* target_out) {
    return btx::guarded([&] {
        auto& s = btx::checked(session);
        btx::require(target_out, "target_out");
        lt::sha1_hash const target = s.session.dht_put_item(btx::decode_dht_value(value, value_len));
        btx::copy_into(target_out, 41, btx::to_hex(target.data(), 20));
        return BTX_OK;
    });
}

int btx_dht_put_mutable(btx_session* session, uint8_t const* seed, uint8_t const* value, size_t value_len,
                        uint8_t const* salt, size_t salt_len, int64_t seq, int64_t cas, char* public_key_out) {
    return btx::guarded([&] {
        auto& s = btx::checked(session);
        btx::require(seed, "seed");
        btx::require(public_key_out, "public_key_out");
        lt::entry const data = btx::decode_dht_value(value, value_len);
        std::array<char, 32> seed_bytes;
        std::memcpy(seed_bytes.data(), seed, 32);
        auto const [pk, sk] = lt::dht::ed25519_create_keypair(seed_bytes);
        std::string const key_hex = btx::to_hex(pk.bytes.data(), 32);
        btx_session* owner = &s;
        // Runs on libtorrent's thread once the current item (if any) is known.
        auto sign = [owner, pk = pk, sk = sk, data, seq, cas](lt::entry& item, std::array<char, 64>& sig,
                                                                      std::int64_t& current, std::string const& salt) {
            if (cas >= 0 && current != cas) {
                std::lock_guard<std::mutex> lock(owner->mutex);
                owner->dht_cas_conflicts[btx::mutable_target_hex(pk.bytes.data(), salt)] = current;
                return;  // republish what is there, unchanged and still validly signed
            }
            item = data;
            current = seq >= 0 ? seq : current + 1;
            std::vector<char> encoded;
            lt::bencode(std::back_inserter(encoded), item);
            sig = lt::dht::sign_mutable_item(encoded, salt, lt::dht::sequence_number(current), pk, sk).bytes;
        };
        s.session.dht_put_item(pk.bytes, sign, bytes(salt, salt_len));
        btx::copy_into(public_key_out, 65, key_hex);
        return BTX_OK;
    });
}

int btx_dht_public_key(uint8_t const* seed, char* public_key_out) {
    return btx::guarded([&] {
        btx::require(seed, "seed");
        btx::require(public_key_out, "public_key_out");
        std::array<char, 32> seed_bytes;
        std::memcpy(seed_bytes.data(), seed, 32);
        auto const keys = lt::dht::ed25519_create_keypair(seed_bytes);
        btx::copy_into(public_key_out, 65, btx::to_hex(std::get<0>(keys).bytes.data(), 32));
        return BTX_OK;
    });
}

}
