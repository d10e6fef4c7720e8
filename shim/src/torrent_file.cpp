#include "torrent_file.hpp"

#include "guard.hpp"

#include <limits>
#include <string>

namespace btx {

lt::load_torrent_limits torrent_limits() {
    lt::load_torrent_limits limits;
    limits.max_buffer_size = std::numeric_limits<int>::max();
    limits.max_decode_tokens = 100'000'000;
    limits.max_pieces = 0x4000000;
    return limits;
}

namespace {

bool canonical_integer(lt::span<char const> raw) {
    // "i" [-] digits "e": no sign but a minus, no leading zero, no -0.
    auto const digits = raw.subspan(1, raw.size() - 2);
    if (digits.empty()) return false;
    auto const body = digits[0] == '-' ? digits.subspan(1) : digits;
    if (body.empty() || body[0] < '0' || body[0] > '9') return false;
    if (body[0] == '0') return body.size() == 1 && digits.size() == 1;
    return true;
}

void require_canonical(lt::bdecode_node const& node) {
    switch (node.type()) {
    case lt::bdecode_node::int_t:
        if (!canonical_integer(node.data_section()))
            throw failure(BTX_ERR_PARSE, "not canonical bencode: the integer "
                                             + std::string(node.data_section().data(), std::size_t(node.data_section().size()))
                                             + " (BEP 3 allows no leading zero, plus sign or -0)");
        return;
    case lt::bdecode_node::list_t:
        for (int i = 0; i < node.list_size(); ++i) require_canonical(node.list_at(i));
        return;
    case lt::bdecode_node::dict_t:
        for (int i = 0; i < node.dict_size(); ++i) require_canonical(node.dict_at_node(i).second);
        return;
    default:
        return;
    }
}

}  // namespace

lt::bdecode_node decode_torrent(char const* bytes, std::size_t len) {
    lt::load_torrent_limits const limits = torrent_limits();
    lt::error_code ec;
    int error_pos = 0;
    lt::bdecode_node root = lt::bdecode({bytes, std::ptrdiff_t(len)}, ec, &error_pos, limits.max_decode_depth,
                                        limits.max_decode_tokens);
    if (ec) throw failure(BTX_ERR_PARSE, ec.message() + " at byte " + std::to_string(error_pos));
    require_canonical(root);
    return root;
}

std::shared_ptr<lt::torrent_info> torrent_from(lt::bdecode_node const& root) {
    try {
        return std::make_shared<lt::torrent_info>(root, torrent_limits());
    } catch (lt::system_error const& e) {
        throw failure(BTX_ERR_PARSE, "invalid torrent: " + e.code().message());
    }
}

}  // namespace btx
