import Glibc

/// The copies placed for one torrent, made on a thread of their own: a
/// copy of 50 GB takes minutes where the filesystem cannot clone, and the
/// session's loop must go on answering meanwhile.
final class PlacementJob: @unchecked Sendable {
    struct Copy {
        let source: String
        let target: String
        let size: Int64
    }

    struct Outcome {
        var files = 0
        var bytes: Int64 = 0
        var made = Set<String>()
        /// Sources that could not be placed, and why.
        var failures: [(source: String, message: String)] = []
    }

    private var mutex = pthread_mutex_t()
    private var cancelled = false
    private var outcome: Outcome?

    init(_ copies: [Copy], mode: ReuseMode, replacing: Set<String>) throws {
        pthread_mutex_init(&mutex, nil)
        try startThread { [self] in
            var made = Outcome()
            for copy in copies where !isCancelled {
                do {
                    if let how = try FilePlacement.place(copy.source, at: copy.target, mode: mode,
                                                         replacing: replacing.contains(copy.target), cancelled: { self.isCancelled }) {
                        made.files += 1
                        made.bytes += copy.size
                        made.made.insert(how.rawValue)
                    }
                } catch let error as BTXError {
                    made.failures.append((copy.source, error.message))
                } catch {
                    made.failures.append((copy.source, "\(error)"))
                }
            }
            locked { outcome = made }
        }
    }

    deinit { pthread_mutex_destroy(&mutex) }

    /// nil while copies are being made.
    var finished: Outcome? { locked { outcome } }

    var isCancelled: Bool { locked { cancelled } }

    /// Stops after the chunk being copied; what was half made is removed.
    func cancel() { locked { cancelled = true } }

    private func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return body()
    }
}
