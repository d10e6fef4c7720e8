/// Where a command's control requests go: the session's socket on this
/// machine, or (btx --remote) a daemon elsewhere that speaks another
/// protocol. Either way the requests and replies are btx's own, so every
/// command prints the same tables and documents.
public protocol SessionChannel: AnyObject {
    func call(_ method: ControlMethod, _ params: [(String, JSON)]) throws -> JSON
    /// The result's bytes, handed over piece by piece.
    func callRaw(_ method: ControlMethod, _ params: [(String, JSON)], into sink: (UnsafeRawBufferPointer) -> Void) throws
    func waitForReplies(upTo seconds: Double)
}

extension SessionChannel {
    public func call(_ method: ControlMethod) throws -> JSON { try call(method, []) }
}

extension ControlClient: SessionChannel {}
