import Glibc

/// Runs `body` on a new detached thread.
public func startThread(_ body: @escaping () -> Void) throws {
    final class Box {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }
    let context = Unmanaged.passRetained(Box(body)).toOpaque()
    var thread = pthread_t()
    let result = pthread_create(&thread, nil, { context in
        Unmanaged<Box>.fromOpaque(context!).takeRetainedValue().body()
        return nil
    }, context)
    guard result == 0 else {
        Unmanaged<Box>.fromOpaque(context).release()
        throw BTXError.failure("cannot start a thread: \(String(cString: strerror(result)))")
    }
    pthread_detach(thread)
}
