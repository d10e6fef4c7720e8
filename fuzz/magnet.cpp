// Magnet links as the command line and control clients pass them: text up to
// the first NUL.
#include "snapshot_reader.hpp"

#include <string>

extern "C" int LLVMFuzzerTestOneInput(uint8_t const* data, size_t size) {
    std::string const uri(reinterpret_cast<char const*>(data), size);
    btx_metainfo* info = nullptr;
    if (btx_magnet_parse(uri.c_str(), &info) != BTX_OK) {
        if (info != nullptr) std::abort();
        fuzz::read_string(btx_last_error());
        return 0;
    }
    fuzz::read_metainfo(*info, false);
    btx_metainfo_free(info);
    return 0;
}
