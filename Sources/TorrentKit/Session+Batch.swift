import CBTX

extension Session {
    /// Runs `body` on libtorrent's network thread, where each call about a
    /// torrent (a read, an add) costs no round trip: reading or adding
    /// thousands of torrents this way takes one hop instead of thousands.
    /// Networking waits while it runs, so give it a few hundred torrents or
    /// a few milliseconds at a time. A batch inside a batch runs in place.
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
