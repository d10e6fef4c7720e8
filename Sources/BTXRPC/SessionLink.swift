import BTXSession

/// The RPC listener's way to the session: the daemon's own control socket,
/// as any btx command uses it. The session's loop answers it between its
/// other work, so no RPC request, however slow its client, holds the loop;
/// the listener's thread waits for the answer instead.
final class SessionLink {
    private let connect: () throws -> ControlClient?
    private var client: ControlClient?

    init(connect: @escaping () throws -> ControlClient?) {
        self.connect = connect
    }

    func call(_ method: ControlMethod, _ params: [(String, JSON)] = []) throws -> JSON {
        try connected { try $0.call(method, params) }
    }

    /// The reply's members and array items as they arrive (JSONMemberStream):
    /// a status of 100,000 is read a document at a time, never parsed whole.
    func stream(_ method: ControlMethod, _ params: [(String, JSON)], _ handle: (JSONMemberStream.Part) throws -> Void) throws {
        try connected { try $0.stream(method, params, handle) }
    }

    private func connected<T>(_ use: (ControlClient) throws -> T) throws -> T {
        if client == nil {
            guard let fresh = try connect() else { throw BTXError(exitCode: .noSession, message: "the session is not running") }
            client = fresh
        }
        do {
            return try use(client!)
        } catch let error as BTXError where error.exitCode == .noSession {
            // A closed socket: the next request connects again.
            client = nil
            throw error
        }
    }
}
