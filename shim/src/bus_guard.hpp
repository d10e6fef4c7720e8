// Reading a mapped file that another process truncates raises SIGBUS on the
// pages past the new end. While a bus_guard_scope lives, a SIGBUS on a thread
// inside touch_mapped() returns false from it instead of killing the
// process; any other SIGBUS goes to whatever handler was there before.
#pragma once

#include <csetjmp>
#include <csignal>

namespace btx {

namespace detail {
extern thread_local sigjmp_buf* bus_escape;
}

// Installs the handler for its lifetime (nested and concurrent scopes share it).
class bus_guard_scope {
public:
    bus_guard_scope();
    ~bus_guard_scope();
    bus_guard_scope(bus_guard_scope const&) = delete;
    bus_guard_scope& operator=(bus_guard_scope const&) = delete;
};

// Runs `touch`, which may read mapped memory; false when it hit a truncated
// page. `touch` is abandoned mid-way then, so it must own nothing that needs
// a destructor and hold no lock: pure computation over the bytes.
template <class Touch>
bool touch_mapped(Touch&& touch) {
    sigjmp_buf escape;
    if (sigsetjmp(escape, 0) != 0) {
        detail::bus_escape = nullptr;
        return false;
    }
    detail::bus_escape = &escape;
    touch();
    detail::bus_escape = nullptr;
    return true;
}

}  // namespace btx
