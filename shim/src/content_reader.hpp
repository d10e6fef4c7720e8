// The bytes of a torrent's content: its files back to back, pad files as
// zeros, handed out in spans for hashing. Spans inside one large file come
// straight from a mapped window of it (no copy; touch them only inside
// touch_mapped, see bus_guard.hpp); others are read into a small buffer.
// One reader per thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace btx {

struct content_file {
    std::string path;  // absolute or relative to the working directory
    int64_t offset;    // in the content stream
    int64_t size;
    bool pad;          // zeros that are not on disk
};

// Reads exactly `want` bytes at `offset`; throws failure(BTX_ERR_IO)
// naming `path` on an error or a file that ends early.
void read_fully(int fd, std::string const& path, char* dest, int64_t want, int64_t offset);

class content_reader {
public:
    // Spans asked for are at most max_span bytes. Two slots: the span of one
    // slot stays valid while the other is asked for.
    static constexpr int64_t max_span = 64 << 10;
    static constexpr int slots = 2;  // the window code below assumes two

    explicit content_reader(std::vector<content_file> const& files);
    ~content_reader();
    content_reader(content_reader const&) = delete;
    content_reader& operator=(content_reader const&) = delete;

    struct span {
        uint8_t const* data;
        int file;  // the file a mapped span comes from, else -1
    };

    // `length` bytes at `offset` in the stream; valid until the slot's next
    // call. Throws failure on read errors and files that got shorter.
    span read(int slot, int64_t offset, int64_t length);

    std::string const& path(int file) const { return files_[size_t(file)].path; }

private:
    // Windows are large enough that remapping costs little, small enough to
    // keep the resident set small (two per slot at most).
    static constexpr int64_t window_size = 4 << 20;
    // Smaller files are read: mapping costs more than copying a few pages.
    static constexpr int64_t map_threshold = 1 << 20;

    struct window {
        int file = -1;
        int64_t start = 0;  // in the file
        int64_t length = 0;
        uint8_t* data = nullptr;
    };
    struct open_file {
        int file = -1;
        int fd = -1;
    };

    int file_at(int64_t offset) const;
    int descriptor(int slot, int file);
    uint8_t const* mapped(int slot, int file, int64_t in_file, int64_t length);
    void copy(int slot, int64_t offset, int64_t length);
    void unmap(window& w);

    std::vector<content_file> const& files_;
    window windows_[slots];
    int in_use_[slots] = {-1, -1};  // the window each slot's last span is in
    open_file open_[slots];
    std::vector<uint8_t> buffers_[slots];
    int64_t page_size_;
};

}  // namespace btx
