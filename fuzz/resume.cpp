// Resume files in the state directory: btx wrote them, but a crash, a full
// disk or another program may have left anything there.
#include "snapshot_reader.hpp"

namespace {

void parse(uint8_t const* data, size_t size, int want_files, bool with_metainfo) {
    btx_status* status = nullptr;
    btx_metainfo* info = nullptr;
    int const rc = btx_resume_parse(data, size, want_files, &status, with_metainfo ? &info : nullptr);
    if (rc != BTX_OK) {
        if (status != nullptr || info != nullptr) std::abort();
        return;
    }
    fuzz::read_status(*status);
    if (with_metainfo) fuzz::read_metainfo(*info, want_files != 0);
    btx_status_free(status, 1);
    btx_metainfo_free(info);
}

// What btx writes back must read again, with the flag it asked for.
void set_paused(uint8_t const* data, size_t size, int paused) {
    uint8_t* out = nullptr;
    size_t out_len = 0;
    if (btx_resume_set_paused(data, size, paused, &out, &out_len) != BTX_OK) {
        if (out != nullptr) std::abort();
        return;
    }
    btx_status* status = nullptr;
    if (btx_resume_parse(out, out_len, 0, &status, nullptr) != BTX_OK) std::abort();
    if (status->paused != paused) std::abort();
    btx_status_free(status, 1);
    btx_free_buffer(out);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(uint8_t const* data, size_t size) {
    parse(data, size, 0, false);
    parse(data, size, 0, true);
    parse(data, size, 1, true);
    set_paused(data, size, 0);
    set_paused(data, size, 1);
    return 0;
}
