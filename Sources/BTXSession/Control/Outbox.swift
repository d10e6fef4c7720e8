import Glibc

/// Replies on their way to one client. Written documents (`JSON.encoded`)
/// go out as the arrays they are, not copied: a status of 100,000 torrents
/// was 92 MB copied, and faulted in page by page, into one buffer before
/// its first byte was sent.
struct Outbox {
    private var chunks: [[UInt8]] = []
    /// Where sending stands: a chunk, and a byte in it.
    private var chunk = 0
    private var offset = 0
    /// Bytes not sent yet.
    private(set) var pending = 0

    var isEmpty: Bool { pending == 0 }

    /// `reply` and a newline after it.
    mutating func append(_ reply: JSON) {
        let before = chunks.count
        var tail: [UInt8] = []
        reply.write(into: &chunks, tail: &tail)
        tail.append(0x0A)
        chunks.append(tail)
        pending += chunks[before...].reduce(0) { $0 + $1.count }
    }

    /// Sends what the socket takes now, up to 128 chunks a call. Returns
    /// the bytes sent, or send's -1 with errno set.
    mutating func send(to fd: Int32) -> Int {
        let batch = chunks[chunk..<min(chunks.count, chunk + 128)]
        var vectors = batch.enumerated().map { index, bytes in
            bytes.withUnsafeBytes { raw in
                // Valid while `chunks` holds the arrays, which it does past sendmsg.
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
        while chunk < chunks.count && left >= chunks[chunk].count {
            left -= chunks[chunk].count
            chunk += 1
        }
        offset = left
        if pending == 0 { self = Outbox() }
        return sent
    }
}

extension JSON {
    /// Writes into `tail`, but for written documents: those become chunks
    /// of their own, not copied.
    func write(into chunks: inout [[UInt8]], tail: inout [UInt8]) {
        switch self {
        case .encoded(let bytes) where bytes.count >= 256:
            if !tail.isEmpty { chunks.append(tail) }
            tail = []
            chunks.append(bytes)
        case .array(let items):
            tail.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { tail.append(UInt8(ascii: ",")) }
                item.write(into: &chunks, tail: &tail)
            }
            tail.append(UInt8(ascii: "]"))
        case .object(let fields):
            tail.append(UInt8(ascii: "{"))
            for (i, (key, value)) in fields.enumerated() {
                if i > 0 { tail.append(UInt8(ascii: ",")) }
                JSON.string(key).write(into: &tail)
                tail.append(UInt8(ascii: ":"))
                value.write(into: &chunks, tail: &tail)
            }
            tail.append(UInt8(ascii: "}"))
        default:
            write(into: &tail)
        }
    }
}
