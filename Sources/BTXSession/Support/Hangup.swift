import Glibc

/// SIGHUP asks a daemon to read its blocklist again, as daemons reread
/// their configuration on it. Only a daemon takes it: a daemon has no
/// terminal, while for `btx add` in the foreground a hangup still means its
/// terminal went away.
private var pendingHangup: sig_atomic_t = 0

public func installHangupHandler() {
    Glibc.signal(SIGHUP) { _ in pendingHangup = 1 }
}

/// Whether a SIGHUP came since the last call.
public func takeHangup() -> Bool {
    guard pendingHangup != 0 else { return false }
    pendingHangup = 0
    return true
}
