import Glibc

/// Runs `body` on a new detached thread.
public func startThread(_ body: @escaping () -> Void) throws {
    switch createThread(body) {
    case .success(let thread): pthread_detach(thread)
    case .failure(let error): throw BTXError.failure("cannot start a thread: \(String(cString: strerror(error.code)))")
    }
}

/// Runs `body(i)` for each i in 0..<count on up to `threads` threads, and
/// returns once every one has run. A stripe whose thread cannot be started
/// runs on the calling thread.
public func concurrently(_ count: Int, threads: Int, _ body: @escaping (Int) -> Void) {
    let workers = min(threads, count)
    guard workers > 1 else { return (0..<count).forEach(body) }
    var started: [pthread_t] = []
    for worker in 0..<workers {
        let stripe = { for i in stride(from: worker, to: count, by: workers) { body(i) } }
        if case .success(let thread) = createThread(stripe) { started.append(thread) } else { stripe() }
    }
    for thread in started { pthread_join(thread, nil) }
}

/// pthread_create's errno.
private struct ThreadError: Error { let code: Int32 }

/// A joinable thread running `body`.
private func createThread(_ body: @escaping () -> Void) -> Result<pthread_t, ThreadError> {
    final class Box {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }
    let context = Unmanaged.passRetained(Box(body)).toOpaque()
    var thread = pthread_t()
    let code = pthread_create(&thread, nil, { context in
        Unmanaged<Box>.fromOpaque(context!).takeRetainedValue().body()
        return nil
    }, context)
    guard code == 0 else {
        Unmanaged<Box>.fromOpaque(context).release()
        return .failure(ThreadError(code: code))
    }
    return .success(thread)
}
