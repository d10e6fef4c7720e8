import BTXRPC
import BTXSession

/// The daemon's RPC listener as --rpc and the config ask for it (or its
/// Prometheus listener, --metrics), checked and bound before the session
/// starts.
struct RPCSetup {
    let listeners: [HTTPListener]
    let credentials: RPCCredentials?
    let allowedHosts: [String]
    /// --metrics: a listener that answers /metrics alone.
    let onlyMetrics: Bool

    /// Where front-ends point.
    var url: String { listeners[0].baseURL + (onlyMetrics ? "/metrics" : "/transmission/rpc") }

    /// A request body may carry a whole .torrent in base64.
    static let maxBody = 24 << 20

    /// nil when no RPC (or metrics listener, `option` "metrics") is asked for.
    init?(_ invocation: Invocation, config: UserConfig, option: String = "rpc") throws {
        guard let (listen, credentials) = try Self.check(invocation, config: config, option: option) else { return nil }
        onlyMetrics = option == "metrics"
        if let password = config["rpc-password"], !RPCCredentials.isHashed(password), let credentials {
            // Kept as a hash from now on, as transmission does with its settings; a
            // config the daemon cannot write (a read-only mount) keeps it plain, and says so.
            do {
                try config.rewrite("rpc-password", as: credentials.storedForm)
            } catch {
                invocation.output.warning("rpc-password stays in plain text in the config: \(error)")
            }
        }
        listeners = try listen.listeners()
        self.credentials = credentials
        allowedHosts = (config["rpc-host-allow"] ?? "").split(separator: ",").map { $0.trimmingSpaces }.filter { !$0.isEmpty }
    }

    /// What --rpc and the config say, or the one-line reason they cannot be used.
    static func check(_ invocation: Invocation, config: UserConfig, option: String = "rpc") throws -> (RPCListen, RPCCredentials?)? {
        guard let text = invocation.value(option) ?? config[option] else { return nil }
        let listen = try RPCListen(text, option: option)
        let user = config["rpc-user"], password = config["rpc-password"]
        guard (user == nil) == (password == nil) else {
            throw BTXError.failure("the config sets \(user == nil ? "rpc-password without rpc-user" : "rpc-user without rpc-password")")
        }
        if password != nil, let path = config.readableByOthers("rpc-password") {
            throw BTXError.failure("\(path) holds rpc-password and others can read it; chmod 600 \(path)")
        }
        let credentials = try user.map { try RPCCredentials(user: $0, password: password!) }
        if !listen.isLoopback && credentials == nil {
            throw BTXError.failure("--\(option) \(text) would answer other machines with no password: set rpc-user and "
                                   + "rpc-password in the config, or listen on loopback (--\(option) PORT)")
        }
        return (listen, credentials)
    }

    /// Serves on a thread of its own; every request goes to the session's control socket.
    func start(facts: SessionFacts, directory: StateDirectory, connect: @escaping () throws -> ControlClient?) throws {
        var limits = HTTPLimits()
        limits.maxBody = Self.maxBody
        let service = RPCService(facts: facts, directory: directory, credentials: credentials, allowedHosts: allowedHosts,
                                 onlyMetrics: onlyMetrics, connect: connect)
        try HTTPServer(listeners: listeners, handler: service, limits: limits).start()
    }
}
