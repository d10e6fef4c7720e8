@testable import BTXSession
import Glibc
import XCTest

/// The control socket's outgoing replies: kept documents go out by
/// reference, in pieces the socket takes a little at a time, and what
/// arrives is exactly the reply as one buffer would have been.
final class OutboxTests: XCTestCase {
    func testRepliesArriveWholeThroughASmallSocketBuffer() throws {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds), 0)
        defer { close(fds[0]); close(fds[1]) }
        var small: Int32 = 4096
        setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &small, socklen_t(MemoryLayout<Int32>.size))

        // Documents of many sizes, kept (shared) ones among plain values, as a status reply is.
        let kept = (0..<300).map { i in JSON.encoded(JSON.object([("n", .int(i)), ("pad", .string(String(repeating: "x", count: i * 7)))]).bytes) }
        let replies = [JSON.object([("result", .object([("torrents", .array(kept))]))]),
                       .object([("result", .object([("pid", .int(42))]))]),
                       .array(kept.reversed() + [.string("end")])]
        let expected: [UInt8] = replies.flatMap { $0.bytes + [UInt8(0x0A)] }

        var outbox = Outbox()
        for reply in replies { outbox.append(reply) }
        XCTAssertEqual(outbox.pending, expected.count)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1500)
        while !outbox.isEmpty {
            let sent = outbox.send(to: fds[0])
            XCTAssertTrue(sent > 0 || errno == EAGAIN, "send failed: \(errno)")
            // Drained in odd-sized reads, so that sends end mid-chunk.
            let n = read(fds[1], &buffer, 1499)
            XCTAssertGreaterThan(n, 0)
            received.append(contentsOf: buffer[0..<n])
        }
        while received.count < expected.count {
            let n = read(fds[1], &buffer, buffer.count)
            guard n > 0 else { break }
            received.append(contentsOf: buffer[0..<n])
        }
        XCTAssertEqual(received.count, expected.count)
        XCTAssertTrue(received == expected, "the bytes differ from the replies written whole")
        XCTAssertEqual(outbox.pending, 0)
    }
}
