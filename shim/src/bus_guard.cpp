#include "bus_guard.hpp"

#include <mutex>

namespace btx {

namespace detail {
thread_local sigjmp_buf* bus_escape = nullptr;
}

namespace {

std::mutex scope_mutex;
int scopes = 0;
struct sigaction previous_action;

void on_sigbus(int signal, siginfo_t* info, void* context) {
    if (detail::bus_escape != nullptr) siglongjmp(*detail::bus_escape, 1);
    // Not a guarded read: the handler that was there before gets it, and
    // this one stays for the guarded reads of other threads.
    if (previous_action.sa_flags & SA_SIGINFO) {
        if (previous_action.sa_sigaction != nullptr) return previous_action.sa_sigaction(signal, info, context);
    } else if (previous_action.sa_handler != SIG_DFL && previous_action.sa_handler != SIG_IGN) {
        return previous_action.sa_handler(signal);
    }
    // None (SIGBUS is fatal then): the default disposition back; returning
    // re-runs the faulting instruction, which then meets it, as it would have
    // without the guard.
    sigaction(SIGBUS, &previous_action, nullptr);
}

}  // namespace

bus_guard_scope::bus_guard_scope() {
    std::lock_guard<std::mutex> lock(scope_mutex);
    if (scopes++ > 0) return;
    struct sigaction action = {};
    action.sa_sigaction = on_sigbus;
    // SA_NODEFER: the jump out skips the handler's return, which would have
    // unblocked SIGBUS again for the thread.
    action.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    sigaction(SIGBUS, &action, &previous_action);
}

bus_guard_scope::~bus_guard_scope() {
    std::lock_guard<std::mutex> lock(scope_mutex);
    if (--scopes > 0) return;
    sigaction(SIGBUS, &previous_action, nullptr);
}

}  // namespace btx
