import Glibc

/// Answers what an HTTPServer reads, on the server's thread: a slow answer
/// holds every client up, so a handler asks the session and returns.
public protocol HTTPHandler: AnyObject {
    func respond(to request: HTTPRequest, from client: HTTPClient) -> HTTPResponse
    /// The most body bytes this request may send, decided on its head alone
    /// (who sent it, to where), before any is read; nil: the server's limit.
    func bodyLimit(for request: HTTPRequest, from client: HTTPClient) -> Int?
}

extension HTTPHandler {
    public func bodyLimit(for request: HTTPRequest, from client: HTTPClient) -> Int? { nil }
}

/// An HTTP/1.1 server on one thread: non-blocking sockets under one poll
/// loop, so a client that trickles its request or stops reading its answer
/// costs a buffer and a slot, never a thread, and every deadline (a head's
/// whole time, a body's, a stalled send, an idle keep-alive) is kept by
/// the loop rather than by a blocked call.
public final class HTTPServer {
    /// One, or two for 127.0.0.1 and ::1.
    public let listeners: [HTTPListener]
    public var baseURL: String { listeners[0].baseURL }
    let handler: HTTPHandler
    let limits: HTTPLimits

    /// The loop thread's alone.
    private var connections: [Int32: HTTPConnection] = [:]
    private var acceptPausedUntil = 0.0
    /// An answer's body is pulled from its source in chunks of this size.
    private static let chunkSize = 256 << 10

    /// Shared with other threads (idleSeconds, stop).
    private var mutex = pthread_mutex_t()
    private var openCount = 0
    private var lastActivity = monotonicSeconds()
    private var stopping = false
    private let wake: (read: Int32, write: Int32)

    public convenience init(listener: HTTPListener, handler: HTTPHandler, limits: HTTPLimits = HTTPLimits()) throws {
        try self.init(listeners: [listener], handler: handler, limits: limits)
    }

    public init(listeners: [HTTPListener], handler: HTTPHandler, limits: HTTPLimits = HTTPLimits()) throws {
        precondition(!listeners.isEmpty)
        self.listeners = listeners
        self.handler = handler
        self.limits = limits
        guard let wake = Syscall.pipe() else {
            throw BTXError.failure("cannot make a pipe: \(String(cString: strerror(errno)))")
        }
        self.wake = wake
        pthread_mutex_init(&mutex, nil)
        for listener in listeners { _ = fcntl(listener.fd, F_SETFL, fcntl(listener.fd, F_GETFL) | O_NONBLOCK) }
    }

    /// Serves on a thread of its own from now on.
    public func start() throws {
        try startThread { [self] in run() }
    }

    /// Closes every connection and ends the thread.
    public func stop() {
        locked { stopping = true }
        var byte: UInt8 = 1
        _ = write(wake.write, &byte, 1)
    }

    /// Seconds since the last connection closed; 0 while one is open.
    public var idleSeconds: Double {
        locked { openCount == 0 ? monotonicSeconds() - lastActivity : 0 }
    }

    private func run() {
        while !locked({ stopping }) {
            let now = monotonicSeconds()
            let open = Array(connections.values)
            let accepting = Int16(now >= acceptPausedUntil ? POLLIN : 0)
            var fds = [pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0)]
            fds += listeners.map { pollfd(fd: $0.fd, events: accepting, revents: 0) }
            fds += open.map { pollfd(fd: $0.fd, events: events($0), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), timeout(open, now))
            if ready < 0 && errno != EINTR { usleep(10_000) }
            let after = monotonicSeconds()
            for (connection, polled) in zip(open, fds.dropFirst(1 + listeners.count))
            where polled.revents != 0 && !connection.closed {
                service(connection, polled.revents, after)
            }
            for (listener, polled) in zip(listeners, fds.dropFirst()) where polled.revents != 0 {
                acceptWaiting(on: listener, after)
            }
            for connection in open where !connection.closed { expire(connection, monotonicSeconds()) }
        }
        for connection in Array(connections.values) { drop(connection) }
        for listener in listeners { close(listener.fd) }
        close(wake.read)
        close(wake.write)
    }

    private func events(_ connection: HTTPConnection) -> Int16 {
        var events = connection.halfClosed ? 0 : pollReadHangup
        if connection.hasOutput { events |= Int16(POLLOUT) }
        if !connection.responding { events |= Int16(POLLIN) }
        return events
    }

    /// Milliseconds to the earliest deadline, at most a second.
    private func timeout(_ open: [HTTPConnection], _ now: Double) -> Int32 {
        var next = now + 1
        if acceptPausedUntil > now { next = min(next, acceptPausedUntil) }
        for connection in open { if let due = connection.nextDeadline(limits) { next = min(next, due) } }
        return Int32(max(0, ((next - now) * 1000).rounded(.up)))
    }

    private func service(_ connection: HTTPConnection, _ revents: Int16, _ now: Double) {
        if revents & Int16(POLLERR | POLLHUP | POLLNVAL) != 0 { return drop(connection) }
        if revents & Int16(POLLIN) != 0 && !connection.responding {
            guard receive(connection, now) else { return drop(connection) }
        } else if revents & pollReadHangup != 0 {
            // Its sending side closed while its answer is made: a player that
            // hung up, or a client that half-closes after its request and
            // still reads. Nothing left to send, it is gone; else the answer
            // goes on, and a send to a client wholly gone fails.
            connection.halfClosed = true
            if !connection.hasOutput && connection.sourceWake != nil { return drop(connection) }
        }
        drive(connection, now)
    }

    /// Reads what has arrived; false when the client has closed or failed.
    private func receive(_ connection: HTTPConnection, _ now: Double) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        let n = Syscall.retrying { chunk.withUnsafeMutableBytes { recv(connection.fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) } }
        if n < 0 { return errno == EAGAIN || errno == EWOULDBLOCK }
        guard n > 0 else { return false }
        if connection.input.isEmpty && connection.pending == nil {
            connection.requestDeadline = now + limits.headTimeout
        }
        connection.lastProgress = now
        connection.input += chunk[..<n]
        return true
    }

    /// Reads requests and sends answers for as long as neither waits on the client.
    private func drive(_ connection: HTTPConnection, _ now: Double) {
        while !connection.closed {
            if connection.responding {
                guard send(connection, now) else { return }
            } else {
                guard beginAnswer(connection, now) else { return }
            }
        }
    }

    /// Starts answering the next whole request in the input; false while none is.
    private func beginAnswer(_ connection: HTTPConnection, _ now: Double) -> Bool {
        if connection.pending == nil {
            guard let end = endOfHead(connection.input, from: connection.scanned) else {
                connection.scanned = max(0, connection.input.count - 3)
                if connection.input.count > limits.maxHead {
                    refuse(connection, 431, "request head over \(limits.maxHead) bytes", now)
                    return true
                }
                return false
            }
            let head = Array(connection.input[..<(end - 4)])
            connection.input.removeFirst(end)
            connection.scanned = 0
            guard head.count <= limits.maxHead else {
                refuse(connection, 431, "request head over \(limits.maxHead) bytes", now)
                return true
            }
            let request: HTTPRequest
            do {
                request = try HTTPRequest(head: head)
            } catch HTTPRequest.ParseError.unsupportedVersion {
                refuse(connection, 505, "only HTTP/1.0 and HTTP/1.1 are served", now)
                return true
            } catch {
                refuse(connection, 400, "malformed request", now)
                return true
            }
            switch request.bodyLength {
            case .failure(.chunked):
                refuse(connection, 501, "chunked request bodies are not accepted; send Content-Length", now)
                return true
            case .failure(.badLength):
                refuse(connection, 400, "malformed Content-Length", now)
                return true
            case .success(let length) where length > min(limits.maxBody, handler.bodyLimit(for: request, from: connection.client) ?? .max):
                let cap = min(limits.maxBody, handler.bodyLimit(for: request, from: connection.client) ?? .max)
                refuse(connection, 413, "request body over \(cap) bytes", now)
                return true
            case .success(let length):
                connection.pending = (request, length)
                connection.requestDeadline = now + limits.bodyTimeout
            }
        }
        guard let (head, length) = connection.pending, connection.input.count >= length else { return false }
        var request = head
        request.body = Array(connection.input[..<length])
        // A big body's buffer is not kept for the connection's next small requests.
        connection.input = Array(connection.input[length...])
        connection.pending = nil
        connection.requestDeadline = nil
        let response = handler.respond(to: request, from: connection.client)
        connection.keepAlive = request.keepsAlive && !response.closes
        connection.output = response.head(keepAlive: connection.keepAlive)
        connection.sent = 0
        if request.method != "HEAD" {
            switch response.body {
            case .bytes(let bytes): connection.output += bytes
            case .stream(let source): connection.source = source
            }
        }
        connection.responding = true
        return true
    }

    /// A short answer to a request that cannot be read, and the connection closes.
    private func refuse(_ connection: HTTPConnection, _ status: Int, _ reason: String, _ now: Double) {
        let response = HTTPResponse.text(status, reason + "\n")
        connection.keepAlive = false
        connection.output = response.head(keepAlive: false) + (response.body.bytes ?? [])
        connection.sent = 0
        connection.source = nil
        connection.pending = nil
        connection.requestDeadline = nil
        connection.input = []
        connection.responding = true
    }

    /// Sends what it can of the answer; true once the answer is whole and
    /// the connection reads its next request, false while it waits.
    private func send(_ connection: HTTPConnection, _ now: Double) -> Bool {
        while true {
            while connection.hasOutput {
                let n = connection.output.withUnsafeBytes { bytes in
                    Syscall.retrying {
                        Glibc.send(connection.fd, bytes.baseAddress! + connection.sent, bytes.count - connection.sent,
                                   Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
                    }
                }
                if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                    if connection.sendStalledSince == nil { connection.sendStalledSince = now }
                    return false
                }
                guard n > 0 else { drop(connection); return false }
                connection.sent += n
                connection.lastProgress = now
                connection.sendStalledSince = nil
            }
            connection.output.removeAll(keepingCapacity: true)
            connection.sent = 0
            guard let source = connection.source else { break }
            connection.sourceWake = nil
            switch source.next(max: Self.chunkSize) {
            case .bytes(let bytes):
                connection.output = bytes
            case .later(let seconds):
                connection.sourceWake = now + seconds
                return false
            case .end:
                connection.source = nil
            case .failed:
                drop(connection)
                return false
            }
        }
        connection.responding = false
        connection.idleSince = now
        guard connection.keepAlive else { drop(connection); return false }
        // A request sent behind this one (pipelined) has had its time from now.
        if !connection.input.isEmpty { connection.requestDeadline = now + limits.headTimeout }
        return true
    }

    private func expire(_ connection: HTTPConnection, _ now: Double) {
        if let deadline = connection.requestDeadline, now >= deadline {
            refuse(connection, 408, connection.pending == nil ? "the request head took too long" : "the request body took too long", now)
            drive(connection, now)
        } else if let stalled = connection.sendStalledSince, now - stalled >= limits.sendTimeout {
            drop(connection)
        } else if connection.isIdle && now - connection.idleSince >= limits.idleTimeout {
            drop(connection)
        } else if let wake = connection.sourceWake, now >= wake, !connection.hasOutput {
            drive(connection, now)
        }
    }

    private func acceptWaiting(on listener: HTTPListener, _ now: Double) {
        // A bounded batch: a flood of connections does not starve those already in.
        for _ in 0..<64 {
            let fd = Syscall.accept(listener.fd, nonblocking: true)
            guard fd >= 0 else {
                // Out of descriptors or memory: the listener stays readable, so
                // pause it a moment rather than spin.
                if errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM { acceptPausedUntil = now + 0.1 }
                return
            }
            var yes: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
            if connections.count >= limits.maxConnections {
                // Full: the connection that got nowhere for longest (a head
                // trickling in, a client that stopped reading, an idle
                // keep-alive) makes room, so a crowd of them cannot lock
                // everyone else out.
                guard let stalest = connections.values.min(by: { $0.lastProgress < $1.lastProgress }),
                      now - stalest.lastProgress >= limits.stalledAfter else {
                    let response = HTTPResponse.text(503, "too many connections\n")
                    let bytes = response.head(keepAlive: false) + (response.body.bytes ?? [])
                    _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
                    close(fd)
                    continue
                }
                drop(stalest)
            }
            connections[fd] = HTTPConnection(fd: fd, now: now)
            locked {
                openCount += 1
                lastActivity = now
            }
        }
    }

    private func drop(_ connection: HTTPConnection) {
        guard !connection.closed else { return }
        connection.closed = true
        connection.source = nil
        connection.client.attachment = nil
        connections[connection.fd] = nil
        close(connection.fd)
        locked {
            openCount -= 1
            lastActivity = monotonicSeconds()
        }
    }

    private func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return body()
    }
}

private extension HTTPResponse.Body {
    var bytes: [UInt8]? {
        if case .bytes(let bytes) = self { return bytes }
        return nil
    }
}

/// POLLRDHUP (Linux): the peer closed its end. Glibc's module leaves it out.
private let pollReadHangup: Int16 = 0x2000
