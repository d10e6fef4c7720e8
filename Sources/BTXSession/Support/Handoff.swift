import Glibc

/// What one thread makes, handed to another in batches, at most `ahead`
/// batches in waiting: the maker waits for the taker rather than hold a
/// whole listing in memory. The maker ends with `finish`, with the error
/// that stopped it if one did; the taker then gets nil, or that error.
public final class Handoff<Item> {
    private var mutex = pthread_mutex_t()
    private var changed = pthread_cond_t()
    /// At most `ahead` batches: taking the first moves only those few.
    private var waiting: [[Item]] = []
    private var finished = false
    private var failure: Error?
    private let ahead: Int

    public init(ahead: Int) {
        self.ahead = ahead
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&changed, nil)
    }

    deinit {
        pthread_cond_destroy(&changed)
        pthread_mutex_destroy(&mutex)
    }

    public func put(_ batch: [Item]) {
        guard !batch.isEmpty else { return }
        pthread_mutex_lock(&mutex)
        while waiting.count >= ahead { pthread_cond_wait(&changed, &mutex) }
        waiting.append(batch)
        pthread_cond_broadcast(&changed)
        pthread_mutex_unlock(&mutex)
    }

    public func finish(_ error: Error? = nil) {
        pthread_mutex_lock(&mutex)
        finished = true
        failure = error
        pthread_cond_broadcast(&changed)
        pthread_mutex_unlock(&mutex)
    }

    /// The next batch in the order put; nil once the maker finished and all were taken.
    public func take() throws -> [Item]? {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        while waiting.isEmpty && !finished { pthread_cond_wait(&changed, &mutex) }
        guard !waiting.isEmpty else {
            if let failure { throw failure }
            return nil
        }
        pthread_cond_broadcast(&changed)
        return waiting.removeFirst()
    }
}
