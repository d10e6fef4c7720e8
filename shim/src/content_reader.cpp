#include "content_reader.hpp"

#include "guard.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace btx {

void read_fully(int fd, std::string const& path, char* dest, int64_t want, int64_t offset) {
    while (want > 0) {
        ssize_t const n = ::pread(fd, dest, size_t(want), offset);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw failure(BTX_ERR_IO, "cannot read " + path + ": " + std::strerror(errno));
        if (n == 0) throw failure(BTX_ERR_IO, path + " got shorter while it was being hashed");
        dest += n;
        offset += n;
        want -= n;
    }
}

content_reader::content_reader(std::vector<content_file> const& files)
    : files_(files), page_size_(::sysconf(_SC_PAGESIZE)) {
    for (auto& b : buffers_) b.resize(size_t(max_span));
}

content_reader::~content_reader() {
    for (auto& w : windows_) unmap(w);
    for (auto& f : open_)
        if (f.fd >= 0) ::close(f.fd);
}

int content_reader::file_at(int64_t offset) const {
    // The first file that ends after `offset`; empty files end where they begin.
    auto it = std::upper_bound(files_.begin(), files_.end(), offset,
                               [](int64_t pos, content_file const& f) { return pos < f.offset + f.size; });
    if (it == files_.end()) throw failure(BTX_ERR_INTERNAL, "read past the last file");
    return int(it - files_.begin());
}

int content_reader::descriptor(int slot, int file) {
    open_file& o = open_[slot];
    if (o.file == file) return o.fd;
    if (o.fd >= 0) ::close(o.fd);
    o = {};
    std::string const& path = files_[size_t(file)].path;
    int const fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw failure(BTX_ERR_IO, "cannot read " + path + ": " + std::strerror(errno));
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    o = {file, fd};
    return fd;
}

void content_reader::unmap(window& w) {
    if (w.data != nullptr) ::munmap(w.data, size_t(w.length));
    w = {};
}

uint8_t const* content_reader::mapped(int slot, int file, int64_t in_file, int64_t length) {
    for (int i = 0; i < slots; ++i) {
        window const& w = windows_[i];
        if (w.file == file && in_file >= w.start && in_file + length <= w.start + w.length) {
            in_use_[slot] = i;
            return w.data + (in_file - w.start);
        }
    }
    content_file const& f = files_[size_t(file)];
    int const fd = descriptor(slot, file);
    // Never the window that the other slot's span points into.
    int const other = in_use_[1 - slot];
    int const victim = other == slot ? 1 - slot : slot;
    window& w = windows_[victim];
    unmap(w);
    in_use_[slot] = victim;
    int64_t const start = in_file / page_size_ * page_size_;
    int64_t const size = std::min(std::max(window_size, in_file + length - start), f.size - start);
    void* data = ::mmap(nullptr, size_t(size), PROT_READ, MAP_SHARED, fd, start);
    if (data == MAP_FAILED) throw failure(BTX_ERR_IO, "cannot map " + f.path + ": " + std::strerror(errno));
    w = {file, start, size, static_cast<uint8_t*>(data)};
    // The next window is likely wanted next: start reading it from disk now
    // (on a warm cache this only looks the pages up).
    if (start + size < f.size) ::posix_fadvise(fd, start + size, window_size, POSIX_FADV_WILLNEED);
    return w.data + (in_file - start);
}

void content_reader::copy(int slot, int64_t offset, int64_t length) {
    uint8_t* dest = buffers_[slot].data();
    int file = file_at(offset);
    while (length > 0) {
        if (size_t(file) >= files_.size()) throw failure(BTX_ERR_INTERNAL, "read past the last file");
        content_file const& f = files_[size_t(file)];
        int64_t const in_file = offset - f.offset;
        int64_t const take = std::min(length, f.size - in_file);
        if (take <= 0) {  // an empty file
            ++file;
            continue;
        }
        if (f.pad) {
            std::memset(dest, 0, size_t(take));
        } else {
            read_fully(descriptor(slot, file), f.path, reinterpret_cast<char*>(dest), take, in_file);
        }
        dest += take;
        offset += take;
        length -= take;
        ++file;
    }
}

content_reader::span content_reader::read(int slot, int64_t offset, int64_t length) {
    int const file = file_at(offset);
    content_file const& f = files_[size_t(file)];
    if (!f.pad && f.size >= map_threshold && offset + length <= f.offset + f.size)
        return {mapped(slot, file, offset - f.offset, length), file};
    in_use_[slot] = -1;
    copy(slot, offset, length);
    return {buffers_[slot].data(), -1};
}

}  // namespace btx
