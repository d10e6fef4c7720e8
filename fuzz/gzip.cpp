// gzip data as blocklists are downloaded: anyone who serves the list chooses
// the bytes, and a small file must not decompress past its cap.
#include "btx.h"

#include <cstdlib>

namespace {
constexpr size_t cap = 1 << 20;
}

extern "C" int LLVMFuzzerTestOneInput(uint8_t const* data, size_t size) {
    uint8_t* out = nullptr;
    size_t out_len = 0;
    if (btx_gunzip(data, size, cap, &out, &out_len) != BTX_OK) {
        if (out != nullptr || out_len != 0) std::abort();  // a failure hands nothing back
        return 0;
    }
    if (out == nullptr || out_len > cap) std::abort();
    volatile uint8_t sum = 0;
    for (size_t i = 0; i < out_len; ++i) sum = uint8_t(sum + out[i]);
    btx_free_buffer(out);
    return 0;
}
