import Glibc

/// SIGINT and SIGTERM set a flag that long operations poll, so they can
/// stop cleanly (no partial output, resume data saved) instead of dying.
private var pendingSignal: sig_atomic_t = 0

public func installInterruptHandlers() {
    for signal in [SIGINT, SIGTERM] {
        Glibc.signal(signal) { number in pendingSignal = sig_atomic_t(number) }
    }
}

public func interruptRequested() -> Bool { pendingSignal != 0 }

/// The reader of stdout went away (EPIPE, with SIGPIPE ignored): long
/// operations stop as they would on a signal, their state saved.
public func requestStopForClosedOutput() {
    if pendingSignal == 0 { pendingSignal = sig_atomic_t(SIGPIPE) }
}

/// The exit code for what stopped us: 130 for SIGINT, 143 for SIGTERM, 141
/// for a reader gone (as shells report a writer SIGPIPE killed).
public func interruptExitCode() -> ExitCode {
    switch pendingSignal {
    case sig_atomic_t(SIGTERM): .terminated
    case sig_atomic_t(SIGPIPE): .readerGone
    default: .interrupted
    }
}
