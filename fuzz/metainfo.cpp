// .torrent bytes from anywhere: `btx info`, `btx files`, `btx add FILE` and
// `add -` (stdin), and the metainfo a control client sends.
#include "snapshot_reader.hpp"

#include <initializer_list>

extern "C" int LLVMFuzzerTestOneInput(uint8_t const* data, size_t size) {
    for (int want_files : {0, 1}) {
        btx_metainfo* info = nullptr;
        if (btx_metainfo_parse(data, size, want_files, &info) != BTX_OK) {
            if (info != nullptr) std::abort();  // a failure hands nothing back
            fuzz::read_string(btx_last_error());
            continue;
        }
        fuzz::read_metainfo(*info, want_files != 0);
        btx_metainfo_free(info);
    }
    return 0;
}
