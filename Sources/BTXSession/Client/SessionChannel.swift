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

    /// The result's members and array items as they arrive (JSONMemberStream):
    /// a status of 100,000 is read a document at a time, never parsed whole.
    public func stream(_ method: ControlMethod, _ params: [(String, JSON)],
                       _ handle: (JSONMemberStream.Part) throws -> Void) throws {
        var reply = JSONMemberStream()
        var failure: Error?
        try callRaw(method, params) { piece in
            guard failure == nil else { return }
            do { try reply.feed(piece, handle) } catch { failure = error }
        }
        if let failure { throw failure }
        guard reply.isComplete else { throw BTXError.failure("the session's reply ended in the middle of a JSON value") }
    }
}

extension ControlClient: SessionChannel {}
