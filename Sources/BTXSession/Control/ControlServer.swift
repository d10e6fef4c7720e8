import Glibc

/// The session's end of the control socket: newline-delimited JSON requests
/// in, one reply line out for each. Only the session's own user is served;
/// a bad request gets an error reply and never disturbs the session.
///
/// Nothing here blocks: replies wait in a client's own buffer until its
/// socket can take them (POLLOUT), and a client's next request is read only
/// once its last reply is gone, so one that never reads costs one reply's
/// memory. Clients beyond the limit push out the one idle longest, and
/// half-written requests share a byte budget, so no crowd of stuck or
/// hostile clients keeps `btx status` from an answer.
public final class ControlServer {
    /// A request line longer than this is refused and the connection
    /// closed. An add carries a whole .torrent, which can run to megabytes.
    public static let maxRequest = 16 << 20
    /// Half-written requests of every client together; past it the largest goes.
    public static let maxBufferedInput = 4 * maxRequest
    /// Replies not yet read, all clients together; past it the idlest reader
    /// goes, never the one just answered: one reply may be larger alone (a
    /// status of 100,000 torrents is 90 MB, and was dropped unsent).
    public static let maxBufferedOutput = 64 << 20
    static let flushedPerTurn = 4 << 20
    public static let maxClients = 256

    private final class Client {
        public let fd: Int32
        /// A put-off reply goes to its connection, not to whoever reuses
        /// the descriptor after it closed.
        public let id: UInt64
        public var input: [UInt8] = []
        /// `input` holds a newline: kept as it changes, since scanning a
        /// 16 MiB half-line at every look would cost quadratic time.
        public var hasWholeRequest = false
        var output = Outbox()
        /// When it last sent a byte or took one: who goes first when too many are connected.
        public var lastActive: Double

        public init(fd: Int32, id: UInt64, now: Double) {
            self.fd = fd
            self.id = id
            lastActive = now
        }

        public var hasOutput: Bool { !output.isEmpty }
    }

    private var listenFD: Int32
    private let path: String
    private var clients: [Int32: Client] = [:]
    private var nextID: UInt64 = 1

    /// The caller holds the state lock, so a socket file already there was
    /// left by a session that died: it is replaced.
    public init(directory: StateDirectory) throws {
        path = directory.controlSocketPath
        try makeDirectories(directory.runtime, mode: 0o700)
        try requireOwnFolder(directory.runtime, holding: "its control socket")
        // Not through a symlink in its place: that would take the mode of
        // whatever folder it points at (a home directory).
        var st = stat()
        if lstat(directory.runtime, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR { chmod(directory.runtime, 0o700) }
        unlink(path)
        listenFD = try UnixSocket.listen(at: path)
    }

    deinit { close() }

    /// Stops serving at once, before the session's slow shutdown: a command
    /// that comes meanwhile finds no socket rather than one that never answers.
    public func close() {
        guard listenFD >= 0 else { return }
        for fd in clients.keys { Glibc.close(fd) }
        clients.removeAll()
        Glibc.close(listenFD)
        listenFD = -1
        unlink(path)
    }

    /// What to poll: new connections, room to send where a reply waits, and
    /// requests from clients with neither a reply nor a request waiting (a
    /// client is read no faster than it is answered).
    public var pollDescriptors: [pollfd] {
        var list = listenFD >= 0 ? [pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)] : []
        for client in clients.values where client.hasOutput || !hasRequest(client) {
            list.append(pollfd(fd: client.fd, events: Int16(client.hasOutput ? POLLOUT : POLLIN), revents: 0))
        }
        return list
    }

    /// Accepts, reads, answers and sends whatever `ready` (poll's results)
    /// allows. `handle` gets the request and the connection's id; nil means
    /// "answered later with respond(to:with:)".
    public func service(_ ready: [pollfd], handle: (JSON, UInt64) -> JSON?) {
        let now = monotonicSeconds()
        for entry in ready where entry.revents != 0 {
            if entry.fd == listenFD {
                acceptClients(now: now)
            } else if let client = clients[entry.fd] {
                if client.hasOutput {
                    flush(client, now: now)
                } else {
                    read(client, now: now)
                }
            }
        }
        // One request per client per round, so a client that sends many at
        // once waits its turn like everyone else.
        for client in Array(clients.values) where clients[client.fd] === client && hasRequest(client) {
            answerOne(client, now: now, handle: handle)
        }
    }

    /// The connection `id` is still open (a stream ends with its reader's).
    public func isConnected(_ id: UInt64) -> Bool { clients.values.contains { $0.id == id } }

    /// A client has a whole request waiting and its last reply is gone:
    /// poll must not sleep.
    public var hasWaitingRequests: Bool { clients.values.contains(where: hasRequest) }

    private func hasRequest(_ client: Client) -> Bool { !client.hasOutput && client.hasWholeRequest }

    private func acceptClients(now: Double) {
        while listenFD >= 0 {
            // Non-blocking: a reply must never block the session.
            let fd = Syscall.accept(listenFD, nonblocking: true)
            guard fd >= 0 else { return }
            guard UnixSocket.peerUID(fd) == getuid() else {
                Glibc.close(fd)
                continue
            }
            if clients.count >= Self.maxClients, let idlest = clients.values.min(by: { $0.lastActive < $1.lastActive }) {
                drop(idlest)
            }
            clients[fd] = Client(fd: fd, id: nextID, now: now)
            nextID += 1
        }
    }

    private func read(_ client: Client, now: Double) {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let n = Syscall.retrying { chunk.withUnsafeMutableBytes { recv(client.fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) } }
        if n < 0 && errno == EAGAIN { return }
        guard n > 0 else { return drop(client) }
        client.lastActive = now
        let received = chunk[0..<n]
        client.input += received
        if received.contains(0x0A) { client.hasWholeRequest = true }
        // Only new bytes can end a line: rescanning the whole buffer would
        // make a long line cost quadratic time.
        // Nothing complete was waiting before this read, so the first line ends in `received`, if at all.
        let firstNewline = received.firstIndex(of: 0x0A).map { client.input.count - received.count + ($0 - received.startIndex) }
        if (firstNewline ?? client.input.count) > Self.maxRequest {
            return refuse(client, "request longer than \(Self.maxRequest) bytes")
        }
        if firstNewline == nil { keepInputWithinBudget() }
    }

    private func answerOne(_ client: Client, now: Double, handle: (JSON, UInt64) -> JSON?) {
        guard let newline = client.input.firstIndex(of: 0x0A) else { return }
        guard newline <= Self.maxRequest else { return refuse(client, "request longer than \(Self.maxRequest) bytes") }
        let line = Array(client.input[..<newline])
        client.input.removeSubrange(...newline)
        // What is left came in one read (see pollDescriptors): cheap to scan.
        client.hasWholeRequest = client.input.contains(0x0A)
        if let answer = reply(to: line, client: client.id, handle: handle) { enqueue(answer, for: client, now: now) }
    }

    private func reply(to line: [UInt8], client: UInt64, handle: (JSON, UInt64) -> JSON?) -> JSON? {
        guard let text = String(validatingUTF8: line) else { return Self.error("bad_request", "request is not UTF-8") }
        guard let request = try? JSON(parsing: text) else { return Self.error("bad_request", "request is not JSON") }
        guard request["method"]?.stringValue != nil else {
            return Self.error("bad_request", "request needs a \"method\" string")
        }
        return handle(request, client)
    }

    /// Answers a request that was put off; a client gone meanwhile is skipped.
    public func respond(to id: UInt64, with reply: JSON) {
        guard let client = clients.values.first(where: { $0.id == id }) else { return }
        enqueue(reply, for: client, now: monotonicSeconds())
    }

    private func enqueue(_ reply: JSON, for client: Client, now: Double) {
        client.output.append(reply)
        flush(client, now: now)
        var total = clients.values.reduce(0) { $0 + $1.output.pending }
        while total > Self.maxBufferedOutput,
              let idlest = clients.values.filter({ $0.hasOutput && $0 !== client }).min(by: { $0.lastActive < $1.lastActive }) {
            total -= idlest.output.pending
            drop(idlest)
        }
    }

    /// Sends what the socket takes now; the rest goes when poll says it can.
    private func flush(_ client: Client, now: Double) {
        // A few MiB a turn: for a reader as fast as the daemon, a produced
        // reply (a status of 100,000) was otherwise all made in one turn of
        // the session's loop. Poll brings the rest back at once.
        var sent = 0
        while client.hasOutput && sent < Self.flushedPerTurn {
            let n = client.output.send(to: client.fd)
            sent += max(0, n)
            if n < 0 && errno == EAGAIN { return }
            // A produced reply that ended with nothing more: the outbox is empty.
            if n == 0 && !client.hasOutput { return }
            guard n > 0 else { return drop(client) }
            client.lastActive = now
        }
    }

    /// Says why, without waiting for the client to read it, and hangs up.
    private func refuse(_ client: Client, _ message: String) {
        let bytes = Array((Self.error("bad_request", message).text + "\n").utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(client.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
        drop(client)
    }

    private func keepInputWithinBudget() {
        var total = clients.values.reduce(0) { $0 + $1.input.count }
        while total > Self.maxBufferedInput, let largest = clients.values.max(by: { $0.input.count < $1.input.count }) {
            total -= largest.input.count
            refuse(largest, "too many unfinished requests; try again")
        }
    }

    private func drop(_ client: Client) {
        guard clients[client.fd] === client else { return }
        clients[client.fd] = nil
        Glibc.close(client.fd)
    }

    public static func error(_ code: String, _ message: String) -> JSON {
        .object([("ok", .bool(false)), ("error", .object([("code", .string(code)), ("message", .string(message))]))])
    }

    public static func result(_ value: JSON) -> JSON { .object([("ok", .bool(true)), ("result", value)]) }
}
