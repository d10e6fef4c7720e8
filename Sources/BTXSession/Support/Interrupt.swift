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

/// The exit code for the signal that stopped us: 130 for SIGINT, 143 for SIGTERM.
public func interruptExitCode() -> ExitCode { pendingSignal == SIGTERM ? .terminated : .interrupted }
