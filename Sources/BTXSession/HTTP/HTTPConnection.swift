import Glibc

/// What a handler keeps per client connection: `attachment` lives as long
/// as the connection (serve: the control connection its player reads
/// through) and is dropped when it closes.
public final class HTTPClient {
    public var attachment: AnyObject?
    /// Its IP address as text: who failed to log in, for instance.
    public let address: String

    init(address: String) {
        self.address = address
    }
}

/// The limits that keep a crowd of slow, stalled or hostile clients from
/// costing more than a bounded share of memory and of everyone else's time.
public struct HTTPLimits {
    /// Past this, the connection that got nowhere for longest makes room;
    /// when every one is moving, a newcomer gets 503.
    public var maxConnections = 64
    /// A connection must have got nowhere this long before it is pushed out.
    public var stalledAfter = 0.5
    /// A longer request head gets 431.
    public var maxHead = 16 << 10
    /// A longer request body gets 413.
    public var maxBody = 0
    /// A request head must be whole this long after its first byte,
    /// however slowly its bytes trickle in.
    public var headTimeout = 10.0
    /// And its body this long after the head.
    public var bodyTimeout = 30.0
    /// A keep-alive connection with no request is closed after this.
    public var idleTimeout = 30.0
    /// A client that takes none of an answer for this long is dropped:
    /// long enough for a paused player to come back to the same connection.
    public var sendTimeout = 300.0

    public init() {}
}

/// One client connection, driven by HTTPServer's loop: requests one after
/// another (keep-alive), each answer sent before the next request is read.
final class HTTPConnection {
    let fd: Int32
    let client: HTTPClient
    var closed = false

    var input: [UInt8] = []
    /// How far `input` has been searched for the end of a head.
    var scanned = 0
    /// A head read whose body is still arriving.
    var pending: (request: HTTPRequest, bodyLength: Int)?
    /// When the request being read must be whole.
    var requestDeadline: Double?

    /// An answer is being sent: nothing more is read until it is.
    var responding = false
    var output: [UInt8] = []
    var sent = 0
    var source: HTTPBodySource?
    /// The source had nothing: when to ask it again.
    var sourceWake: Double?
    var keepAlive = true
    /// Since when a send has been unable to go on.
    var sendStalledSince: Double?

    /// When it last got anywhere: accepted, a request begun, bytes sent.
    var lastProgress: Double
    /// Since when it has waited, answered, for its next request.
    var idleSince: Double

    /// The peer closed its sending side: RDHUP is not asked for again.
    var halfClosed = false

    init(fd: Int32, now: Double) {
        self.fd = fd
        client = HTTPClient(address: peerAddress(fd))
        lastProgress = now
        idleSince = now
    }

    var hasOutput: Bool { sent < output.count }
    var isIdle: Bool { !responding && pending == nil && input.isEmpty }

    /// The earliest moment something is due for this connection.
    func nextDeadline(_ limits: HTTPLimits) -> Double? {
        [requestDeadline, sourceWake, sendStalledSince.map { $0 + limits.sendTimeout },
         isIdle ? idleSince + limits.idleTimeout : nil].compactMap { $0 }.min()
    }
}

/// The address at the other end of a connected socket, as text.
private func peerAddress(_ fd: Int32) -> String {
    var storage = sockaddr_storage()
    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    let got = withUnsafeMutablePointer(to: &storage) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) }
    }
    guard got == 0 else { return "" }
    var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
    let family = storage.ss_family
    return withUnsafePointer(to: &storage) { pointer -> String in
        if family == sa_family_t(AF_INET6) {
            return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                var raw = address.pointee.sin6_addr
                return inet_ntop(AF_INET6, &raw, &text, socklen_t(text.count)) != nil ? String(cString: text) : ""
            }
        }
        return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
            var raw = address.pointee.sin_addr
            return inet_ntop(AF_INET, &raw, &text, socklen_t(text.count)) != nil ? String(cString: text) : ""
        }
    }
}
