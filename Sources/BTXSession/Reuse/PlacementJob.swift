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

        /// Places `copy` (see FilePlacement.place) and notes what came of
        /// it. Only CopyTooLarge is thrown: nothing was placed, nor failed.
        mutating func place(_ copy: Copy, mode: ReuseMode, replacing: Bool = false, copyingAtMost limit: Int64 = .max,
                            cancelled: () -> Bool = { false }) throws -> FilePlacement.Made? {
            do {
                guard let how = try FilePlacement.place(copy.source, at: copy.target, mode: mode, replacing: replacing,
                                                        copyingAtMost: limit, cancelled: cancelled) else { return nil }
                files += 1
                bytes += copy.size
                made.insert(how.rawValue)
                return how
            } catch let tooLarge as FilePlacement.CopyTooLarge {
                throw tooLarge
            } catch let error as BTXError {
                failures.append((copy.source, error.message))
            } catch {
                failures.append((copy.source, "\(error)"))
            }
            return nil
        }
    }

    private var mutex = pthread_mutex_t()
    private var cancelled = false
    private var outcome: Outcome?

    init(_ copies: [Copy], mode: ReuseMode, replacing: Set<String>) throws {
        pthread_mutex_init(&mutex, nil)
        try startThread { [self] in
            var made = Outcome()
            for copy in copies where !isCancelled {
                // No size limit: CopyTooLarge never comes.
                _ = try? made.place(copy, mode: mode, replacing: replacing.contains(copy.target), cancelled: { self.isCancelled })
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
