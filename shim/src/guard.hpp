// The exception firewall: every exported function runs its body through
// guarded(), which turns whatever C++ throws into a btx_result code and a
// thread-local message for btx_last_error().
#pragma once

#include "btx.h"

#include <libtorrent/error_code.hpp>

#include <cstring>
#include <new>
#include <stdexcept>
#include <string>

namespace btx {

// Thrown inside the shim to fail with a specific code.
struct failure : std::runtime_error {
    btx_result code;
    failure(btx_result c, std::string const& message) : std::runtime_error(message), code(c) {}
};

int set_error(int code, std::string const& message) noexcept;
void clear_error() noexcept;
btx_result classify(lt::error_code const& ec) noexcept;

template <class Body>
int guarded(Body&& body) noexcept {
    try {
        clear_error();
        return body();
    } catch (failure const& e) {
        return set_error(e.code, e.what());
    } catch (lt::system_error const& e) {
        return set_error(classify(e.code()), e.code().message());
    } catch (std::bad_alloc const&) {
        return set_error(BTX_ERR_NO_MEMORY, "out of memory");
    } catch (std::exception const& e) {
        return set_error(BTX_ERR_INTERNAL, e.what());
    } catch (...) {
        return set_error(BTX_ERR_INTERNAL, "unknown C++ exception");
    }
}

template <class T>
void require(T const* pointer, char const* what) {
    if (pointer == nullptr) throw failure(BTX_ERR_INVALID_ARG, std::string(what) + " is NULL");
}

// malloc'd copies so that the matching btx_*_free can release them with free().
char* copy_string(std::string const& s);
uint8_t* copy_bytes(char const* data, size_t len);

template <class T>
T* alloc_array(size_t count) {
    if (count == 0) return nullptr;
    auto* p = static_cast<T*>(std::calloc(count, sizeof(T)));
    if (p == nullptr) throw std::bad_alloc();
    return p;
}

void copy_into(char* dest, size_t capacity, std::string const& source) noexcept;

std::string to_hex(char const* data, size_t len);

}  // namespace btx
