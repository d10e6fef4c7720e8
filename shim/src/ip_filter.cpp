// The session's IP filter (a blocklist): libtorrent's ip_filter stays in
// here; callers hand over plain address ranges.
#include "guard.hpp"
#include "session.hpp"

#include <libtorrent/address.hpp>
#include <libtorrent/ip_filter.hpp>

#include <algorithm>
#include <cstring>

namespace {

lt::address to_address(int family, uint8_t const* bytes) {
    if (family == 4) {
        lt::address_v4::bytes_type b;
        std::memcpy(b.data(), bytes, b.size());
        return lt::address_v4(b);
    }
    lt::address_v6::bytes_type b;
    std::memcpy(b.data(), bytes, b.size());
    return lt::address_v6(b);
}

}  // namespace

extern "C" {

int btx_session_set_ip_filter(btx_session* session, btx_ip_range const* ranges, size_t count) {
    return btx::guarded([&] {
        auto& s = btx::checked(session);
        if (count > 0) btx::require(ranges, "ranges");
        lt::ip_filter filter;
        for (size_t i = 0; i < count; ++i) {
            btx_ip_range const& r = ranges[i];
            if (r.family != 4 && r.family != 6)
                throw btx::failure(BTX_ERR_INVALID_ARG, "range " + std::to_string(i) + ": family must be 4 or 6");
            size_t const width = r.family == 4 ? 4 : 16;
            if (std::lexicographical_compare(r.last, r.last + width, r.first, r.first + width))
                throw btx::failure(BTX_ERR_INVALID_ARG, "range " + std::to_string(i) + " ends before it starts");
            filter.add_rule(to_address(r.family, r.first), to_address(r.family, r.last), lt::ip_filter::blocked);
        }
        // Applied at once to every torrent: peers now in a blocked range are
        // disconnected and forgotten.
        s.session.set_ip_filter(std::move(filter));
        return BTX_OK;
    });
}

}
