import BTXRPC
import BTXSession

/// The daemon's RPC listener as --rpc and the config ask for it, checked
/// and bound before the session starts.
struct RPCSetup {
    let listeners: [HTTPListener]
    let credentials: RPCCredentials?
    let allowedHosts: [String]

    /// Where front-ends point.
    var url: String { listeners[0].baseURL + "/transmission/rpc" }

    /// A request body may carry a whole .torrent in base64.
    static let maxBody = 24 << 20

    /// nil when no RPC is asked for.
    init?(_ invocation: Invocation, config: UserConfig) throws {
        guard let (listen, credentials) = try Self.check(invocation, config: config) else { return nil }
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
    static func check(_ invocation: Invocation, config: UserConfig) throws -> (RPCListen, RPCCredentials?)? {
        guard let text = invocation.value("rpc") ?? config["rpc"] else { return nil }
        let listen = try RPCListen(text)
        let user = config["rpc-user"], password = config["rpc-password"]
        guard (user == nil) == (password == nil) else {
            throw BTXError.failure("the config sets \(user == nil ? "rpc-password without rpc-user" : "rpc-user without rpc-password")")
        }
        if password != nil, let path = config.readableByOthers("rpc-password") {
            throw BTXError.failure("\(path) holds rpc-password and others can read it; chmod 600 \(path)")
        }
        let credentials = try user.map { try RPCCredentials(user: $0, password: password!) }
        if !listen.isLoopback && credentials == nil {
            throw BTXError.failure("--rpc \(text) would answer other machines with no password: set rpc-user and "
                                   + "rpc-password in the config, or listen on loopback (--rpc PORT)")
        }
        return (listen, credentials)
    }

    /// Serves on a thread of its own; every request goes to the session's control socket.
    func start(facts: SessionFacts, directory: StateDirectory, connect: @escaping () throws -> ControlClient?) throws {
        var limits = HTTPLimits()
        limits.maxBody = Self.maxBody
        let service = RPCService(facts: facts, directory: directory, credentials: credentials, allowedHosts: allowedHosts, connect: connect)
        try HTTPServer(listeners: listeners, handler: service, limits: limits).start()
    }
}
