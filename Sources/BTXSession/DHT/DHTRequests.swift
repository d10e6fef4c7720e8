import TorrentKit

/// The DHT gets and puts a node has under way, the same for a daemon
/// answering its clients and for a one-shot dht-get or dht-put: a get
/// settles with its best item (see LookupAnswer), a put with libtorrent's
/// word, and either fails at its deadline.
public final class DHTRequests {
    private struct Request {
        enum Kind { case get, put }
        let kind: Kind
        /// Who asked: a control connection, or the one-shot command.
        let client: UInt64
        /// The target (immutable) or public key (mutable) it waits for.
        let id: String
        let salt: [UInt8]
        let deadline: Double
        var answer = LookupAnswer()
        /// A put's outcome, once libtorrent has said it.
        var stored: Result<DHTItem, BTXError>?

        func matches(_ item: DHTItem) -> Bool {
            item.isMutable ? item.publicKey == id && item.salt == salt : item.target == id
        }
    }

    private var pending: [Request] = []
    private let session: Session

    public init(session: Session) { self.session = session }

    public var isEmpty: Bool { pending.isEmpty }

    /// `target`: 40 hex digits (immutable) or a 64-hex public key (mutable).
    public func get(_ target: String, salt: [UInt8], timeout: Double, for client: UInt64) throws {
        try session.dhtGet(target, salt: salt)
        pending.append(Request(kind: .get, client: client, id: target, salt: salt, deadline: deadline(timeout)))
    }

    /// Signed with `key` (a mutable item), else immutable.
    public func put(_ value: [UInt8], key: DHTKey?, salt: [UInt8], seq: Int64?, cas: Int64?, timeout: Double,
                    for client: UInt64) throws {
        let id = try key.map { try session.dhtPut(mutable: value, key: $0, salt: salt, seq: seq, cas: cas) }
            ?? session.dhtPut(immutable: value)
        pending.append(Request(kind: .put, client: client, id: id, salt: key == nil ? [] : salt, deadline: deadline(timeout)))
    }

    private func deadline(_ timeout: Double) -> Double { monotonicSeconds() + min(max(timeout, 0.1), 300) }

    /// Takes what libtorrent said of a request; other events are not its business.
    public func take(_ event: Event, now: Double = monotonicSeconds()) {
        switch event {
        case .dhtItem(let item):
            for index in pending.indices where pending[index].kind == .get && pending[index].matches(item) {
                pending[index].answer.offer(item, now: now)
            }
        case .dhtPut(let item, let message):
            for index in pending.indices where pending[index].kind == .put && pending[index].matches(item) {
                pending[index].stored = message.hasPrefix("cas mismatch") ? .failure(.failure(message)) : .success(item)
            }
        default:
            break
        }
    }

    /// The requests that are over, and their outcomes: gets that settled,
    /// puts libtorrent answered, and whatever ran out of time.
    public func finished(now: Double = monotonicSeconds()) -> [(client: UInt64, outcome: Result<DHTItem, BTXError>)] {
        var done: [(UInt64, Result<DHTItem, BTXError>)] = []
        pending.removeAll { request in
            switch request.kind {
            case .get:
                guard request.answer.isSettled(now: now) || request.deadline <= now else { return false }
                let suffix = request.salt.isEmpty ? "" : " with that salt"
                done.append((request.client, request.answer.best.map { .success($0) }
                    ?? .failure(.notFound("nothing found for \(request.id)\(suffix)"))))
            case .put:
                if let stored = request.stored {
                    done.append((request.client, stored))
                } else if request.deadline <= now {
                    done.append((request.client, .failure(.failure("the put did not finish before the timeout"))))
                } else {
                    return false
                }
            }
            return true
        }
        return done
    }
}
