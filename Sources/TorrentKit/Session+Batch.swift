import CBTX

extension Session {
    /// Runs `body` on libtorrent's network thread, where each read of a
    /// torrent (files, peers, trackers, status, piece map) costs no round
    /// trip: reading thousands of torrents this way takes one hop instead of
    /// thousands. `body` may only read, and networking waits while it runs,
    /// so give it a few hundred torrents at a time.
    public func batch<T>(_ body: () throws -> T) throws -> T {
        var result: Result<T, Error>?
        try withoutActuallyEscaping({ result = Result { try body() } }) { run in
            let box = Unmanaged.passRetained(BatchBody(run))
            defer { box.release() }
            try check(btx_session_batch(raw, { Unmanaged<BatchBody>.fromOpaque($0!).takeUnretainedValue().run() },
                                        box.toOpaque()))
        }
        return try result!.get()
    }
}

/// The body, as one pointer for the C call to hand back.
private final class BatchBody {
    let run: () -> Void

    init(_ run: @escaping () -> Void) {
        self.run = run
    }
}
