import Glibc

/// `btx serve`'s HTTP/1.1 server: a thread accepts, and each connection
/// gets a thread of its own and its own control connection to the session,
/// so the session sees every player as one reader (one stream, its own
/// deadlines) and drops its deadlines when it disconnects. Blocking I/O per
/// connection keeps a reader that stops reading (a paused player) from
/// holding up the others.
public final class HTTPServer {
    /// More would only be players retrying: each costs a thread and a control connection.
    public static let maxConnections = 64

    public let files: ServedFiles
    public var baseURL: String { listener.baseURL }
    let listener: HTTPListener
    /// A control connection to the session that streams.
    let connect: () throws -> ControlClient

    private var mutex = pthread_mutex_t()
    /// Each open connection's socket and when it last got anywhere: its
    /// request head begun, or a write of its answer done.
    private var connections: [Int32: Double] = [:]
    private var lastActivity = monotonicSeconds()
    /// A connection that got nowhere for this long may make room for a new one.
    static let stalledAfter = 0.5

    public init(listener: HTTPListener, files: ServedFiles, connect: @escaping () throws -> ControlClient) {
        self.listener = listener
        self.files = files
        self.connect = connect
        pthread_mutex_init(&mutex, nil)
    }

    /// Accepts on a thread of its own from now on.
    public func start() throws {
        try startThread { [self] in acceptLoop() }
    }

    /// Seconds since the last connection closed; 0 while one is open.
    public var idleSeconds: Double {
        locked { connections.isEmpty ? monotonicSeconds() - lastActivity : 0 }
    }

    /// The connection on `fd` got somewhere (see `connections`).
    func progressed(_ fd: Int32) {
        locked { if connections[fd] != nil { connections[fd] = monotonicSeconds() } }
    }

    private func acceptLoop() {
        while true {
            let fd = Syscall.accept(listener.fd, nonblocking: false)
            if fd < 0 {
                // Out of descriptors or memory for a moment: try again soon rather than spin.
                if errno != ECONNABORTED { usleep(100_000) }
                continue
            }
            var yes: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
            // A client that stops reading fails the send that waits on it,
            // rather than holding its thread forever.
            var timeout = timeval(tv_sec: HTTPConnection.sendTimeout, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let admitted = locked { () -> Bool in
                let now = monotonicSeconds()
                lastActivity = now
                // Full: the connection that got nowhere for longest (a head
                // trickling in, a client that stopped reading) makes room,
                // so 64 such clients cannot lock out everyone else.
                if connections.count >= Self.maxConnections {
                    guard let (stalest, since) = connections.min(by: { $0.value < $1.value }),
                          now - since >= Self.stalledAfter else { return false }
                    connections[stalest] = nil
                    shutdown(stalest, Int32(SHUT_RDWR))
                }
                connections[fd] = now
                return true
            }
            guard admitted else {
                HTTPConnection.refuse(fd, status: 503, reason: "too many connections")
                close(fd)
                continue
            }
            do {
                try startThread { [self] in
                    var connection = HTTPConnection(fd: fd, server: self)
                    connection.run()
                    // Forgotten before it is closed: the accept thread shuts
                    // down only sockets it knows, never a reused number.
                    connectionClosed(fd)
                    close(fd)
                }
            } catch {
                connectionClosed(fd)
                close(fd)
            }
        }
    }

    private func connectionClosed(_ fd: Int32) {
        locked {
            connections[fd] = nil
            lastActivity = monotonicSeconds()
        }
    }

    private func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return body()
    }
}

/// Runs `body` on a new detached thread.
func startThread(_ body: @escaping () -> Void) throws {
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
