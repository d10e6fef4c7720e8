import Glibc

/// What one thread makes, handed to another in batches, at most `ahead`
/// batches in waiting: the maker waits for the taker rather than hold a
/// whole listing in memory. The maker ends with `finish`, with the error
/// that stopped it if one did; the taker then gets nil, or that error.
public final class Handoff<Item> {
    private var mutex = pthread_mutex_t()
    private var changed = pthread_cond_t()
    private var waiting: [[Item]] = []
    private var next = 0
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
        while waiting.count - next >= ahead { pthread_cond_wait(&changed, &mutex) }
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
        while next == waiting.count && !finished { pthread_cond_wait(&changed, &mutex) }
        guard next < waiting.count else {
            if let failure { throw failure }
            return nil
        }
        let batch = waiting[next]
        waiting[next] = []
        next += 1
        // Let go of what was taken now and then, not on every take.
        if next >= 64 {
            waiting.removeFirst(next)
            next = 0
        }
        pthread_cond_broadcast(&changed)
        return batch
    }
}
