import Glibc

/// Replies on their way to one client. Produced documents (`JSON.produced`)
/// are made as the socket drains and go out as the arrays they are made
/// in, not copied: a status of 100,000 torrents was 92 MB copied, and
/// faulted in page by page, into one buffer before its first byte was sent.
struct Outbox {
    enum Piece {
        case bytes([UInt8])
        /// Made into bytes a little ahead of the socket (`readAhead`).
        case produced(JSONProducer)
    }

    /// What is made ahead of the socket: a few times what it takes at once.
    private static let readAhead = 1 << 20
    private var pieces: [Piece] = []
    /// Where sending stands: a piece, and a byte in it.
    private var piece = 0
    private var offset = 0
    /// Bytes made and not sent yet.
    private(set) var pending = 0
    private var producers = 0

    var isEmpty: Bool { pending == 0 && producers == 0 }

    /// `reply` and a newline after it.
    mutating func append(_ reply: JSON) {
        var tail: [UInt8] = []
        reply.write(into: &pieces, tail: &tail)
        tail.append(0x0A)
        pieces.append(.bytes(tail))
        pending = 0
        producers = 0
        for (index, item) in pieces.enumerated().dropFirst(piece) {
            switch item {
            case .bytes(let bytes): pending += bytes.count - (index == piece ? offset : 0)
            case .produced: producers += 1
            }
        }
    }

    /// Sends what the socket takes now, up to 128 pieces a call. Returns
    /// the bytes sent (0 when a produced reply ended with nothing left to
    /// send), or send's -1 with errno set.
    mutating func send(to fd: Int32) -> Int {
        makeAhead()
        var batch: [[UInt8]] = []
        for item in pieces[piece...].prefix(128) {
            guard case .bytes(let bytes) = item else { break }
            batch.append(bytes)
        }
        guard !batch.isEmpty else {
            self = Outbox()
            return 0
        }
        var vectors = batch.enumerated().map { index, bytes in
            bytes.withUnsafeBytes { raw in
                // Valid while `batch` holds the arrays, which it does past sendmsg.
                let skip = index == 0 ? offset : 0
                return iovec(iov_base: UnsafeMutableRawPointer(mutating: raw.baseAddress! + skip), iov_len: bytes.count - skip)
            }
        }
        let sent = vectors.withUnsafeMutableBufferPointer { buffer -> Int in
            var message = msghdr()
            message.msg_iov = buffer.baseAddress
            message.msg_iovlen = buffer.count
            return Syscall.retrying { sendmsg(fd, &message, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
        }
        guard sent > 0 else { return sent }
        pending -= sent
        var left = sent + offset
        for bytes in batch {
            guard left >= bytes.count else { break }
            left -= bytes.count
            piece += 1
        }
        offset = left
        if isEmpty {
            self = Outbox()
        } else if piece >= 8 {
            // What was sent is let go as it goes, not when the whole reply has.
            pieces.removeFirst(piece)
            piece = 0
        }
        return sent
    }

    /// Makes the produced pieces next in line into bytes, until `readAhead`
    /// bytes are ready to send or they are all made.
    private mutating func makeAhead() {
        var ready = 0
        var index = piece
        while index < pieces.count, ready < Self.readAhead {
            switch pieces[index] {
            case .bytes(let bytes):
                ready += bytes.count - (index == piece ? offset : 0)
                index += 1
            case .produced(let producer):
                if let bytes = producer.next() {
                    // An empty piece would be an iovec with no base.
                    guard !bytes.isEmpty else { continue }
                    pieces.insert(.bytes(bytes), at: index)
                    pending += bytes.count
                } else {
                    pieces.remove(at: index)
                    producers -= 1
                }
            }
        }
    }
}

extension JSON {
    /// Writes into `tail`, but for produced documents: those become pieces
    /// of their own, made later.
    func write(into pieces: inout [Outbox.Piece], tail: inout [UInt8]) {
        switch self {
        case .produced(let producer):
            if !tail.isEmpty { pieces.append(.bytes(tail)) }
            tail = []
            pieces.append(.produced(producer))
        case .array(let items):
            tail.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { tail.append(UInt8(ascii: ",")) }
                item.write(into: &pieces, tail: &tail)
            }
            tail.append(UInt8(ascii: "]"))
        case .object(let fields):
            tail.append(UInt8(ascii: "{"))
            for (i, (key, value)) in fields.enumerated() {
                if i > 0 { tail.append(UInt8(ascii: ",")) }
                JSON.string(key).write(into: &tail)
                tail.append(UInt8(ascii: ":"))
                value.write(into: &pieces, tail: &tail)
            }
            tail.append(UInt8(ascii: "}"))
        default:
            write(into: &tail)
        }
    }
}
