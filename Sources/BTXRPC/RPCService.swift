import BTXSession

/// What the daemon's RPC listener answers: Transmission's RPC at
/// /transmission/rpc behind HTTP basic auth, and qBittorrent's Web API at
/// /api/v2 behind its login cookie (when credentials are set), both behind
/// a Host allow-list that keeps a web page on a rebound DNS name away.
public final class RPCService: HTTPHandler {
    let credentials: RPCCredentials?
    /// Host names accepted besides IP addresses and localhost; "*" accepts any.
    let allowedHosts: [String]
    let transmission: TransmissionRPC
    let qbittorrent: QBittorrentAPI
    let metrics: MetricsExporter
    /// A --metrics listener of its own: /metrics and nothing else.
    let onlyMetrics: Bool
    let guardian = AuthGuard()
    /// A body sent before its sender is known to be allowed: a login form, a small request.
    static let unauthenticatedBody = 64 << 10
    /// Authorization headers that passed: checking a password costs a
    /// deliberate few milliseconds, and clients send the same one each time.
    private var acceptedAuthorizations: [String] = []

    public init(facts: SessionFacts, directory: StateDirectory, credentials: RPCCredentials?, allowedHosts: [String],
                onlyMetrics: Bool = false, connect: @escaping () throws -> ControlClient?) {
        self.credentials = credentials
        self.onlyMetrics = onlyMetrics
        self.allowedHosts = allowedHosts.map { $0.lowercased() }
        let link = SessionLink(connect: connect)
        let mirror = TorrentMirror()
        let settings = SessionSettings(link: link, directory: directory, seedGoal: facts.seedGoal)
        transmission = TransmissionRPC(link: link, facts: facts, settings: settings, directory: directory, mirror: mirror)
        qbittorrent = QBittorrentAPI(link: link, mirror: mirror, facts: facts, settings: settings, credentials: credentials,
                                     book: LabelBook(directory: directory, configured: facts.categories), guardian: guardian)
        metrics = MetricsExporter(link: link, mirror: mirror)
    }

    /// A full body only from a sender already allowed: no one else makes
    /// the listener hold megabytes before it is turned away.
    public func bodyLimit(for request: HTTPRequest, from client: HTTPClient) -> Int? {
        if request.path.hasPrefix(QBittorrentAPI.prefix) {
            return qbittorrent.hasSession(request) ? nil : Self.unauthenticatedBody
        }
        guard credentials != nil else { return nil }
        return request.header("authorization").map(acceptedAuthorizations.contains) == true ? nil : Self.unauthenticatedBody
    }

    public func respond(to request: HTTPRequest, from client: HTTPClient) -> HTTPResponse {
        guard request.header("host") != nil || request.minorVersion == 0 else {
            return .text(400, "an HTTP/1.1 request names its Host\n")
        }
        guard isAllowedHost(request.header("host")) else {
            return .text(421, "421: Misdirected Request. btx answers only the host names it is told to; "
                         + "add this one to rpc-host-allow in the config\n")
        }
        // qBittorrent's clients log in for a cookie instead.
        if !onlyMetrics && request.path.hasPrefix(QBittorrentAPI.prefix) { return qbittorrent.respond(request, from: client) }
        guard isAuthorized(request, from: client) else {
            // Closed: a client does not get to pipeline guess after guess.
            var refused = HTTPResponse.text(401, "401: Unauthorized\n", headers: [("WWW-Authenticate", "Basic realm=\"btx\"")])
            refused.closes = true
            return refused
        }
        if request.path == "/metrics" {
            guard request.method == "GET" || request.method == "HEAD" else { return .text(405, "/metrics takes GET\n") }
            do {
                return HTTPResponse(status: 200, headers: [("Content-Type", MetricsExporter.contentType)],
                                    body: .bytes(Array(try metrics.render().utf8)))
            } catch {
                return .text(503, "the session did not answer: \((error as? BTXError)?.message ?? "\(error)")\n")
            }
        }
        if onlyMetrics { return .text(404, "btx answers Prometheus at /metrics here\n") }
        switch request.path {
        case TransmissionRPC.path, TransmissionRPC.path + "/":
            return transmission.respond(request)
        default:
            return .text(404, "btx answers Transmission's RPC at \(TransmissionRPC.path) and qBittorrent's Web API at "
                         + "\(QBittorrentAPI.prefix)\n")
        }
    }

    private func isAuthorized(_ request: HTTPRequest, from client: HTTPClient) -> Bool {
        guard let credentials else { return true }
        guard let header = request.header("authorization") else { return false }
        if acceptedAuthorizations.contains(header) { return true }
        guard !guardian.isBanned(client.address) else { return false }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic",
              let decoded = base64Decode(String(parts[1])).map({ String(decoding: $0, as: UTF8.self) }),
              let colon = decoded.firstIndex(of: ":") else { return false }
        guard credentials.accepts(user: String(decoded[..<colon]), password: String(decoded[decoded.index(after: colon)...])) else {
            guardian.failed(client.address)
            return false
        }
        acceptedAuthorizations = Array((acceptedAuthorizations + [header]).suffix(8))
        return true
    }

    /// An IP address or localhost always (a rebound name is never one), a
    /// listed name otherwise; no Host at all only from HTTP/1.0 (see respond).
    private func isAllowedHost(_ header: String?) -> Bool {
        guard let header else { return true }
        var host = header.lowercased()
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            return isIPAddress(String(host[host.index(after: host.startIndex)..<close]))
        }
        if let colon = host.lastIndex(of: ":") { host = String(host[..<colon]) }
        if host.hasSuffix(".") { host.removeLast() }
        if host == "localhost" || isIPAddress(host) || allowedHosts.contains("*") { return true }
        return allowedHosts.contains { pattern in
            pattern.hasPrefix("*.") ? host.hasSuffix(pattern.dropFirst()) : host == pattern
        }
    }
}
