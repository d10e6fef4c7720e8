@testable import BTXSession
import Glibc
import XCTest

/// The control socket's outgoing replies: produced documents go out by
/// reference, in pieces the socket takes a little at a time, and what
/// arrives is exactly the reply as one buffer would have been.
final class OutboxTests: XCTestCase {
    func testRepliesArriveWholeThroughASmallSocketBuffer() throws {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds), 0)
        defer { close(fds[0]); close(fds[1]) }
        var small: Int32 = 4096
        setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &small, socklen_t(MemoryLayout<Int32>.size))

        // Documents of many sizes, as a status reply's values are.
        let documents = (0..<300).map { i in JSON.object([("n", .int(i)), ("pad", .string(String(repeating: "x", count: i * 7)))]) }
        let replies = [JSON.object([("result", .object([("torrents", .array(documents))]))]),
                       .object([("result", .object([("pid", .int(42))]))]),
                       .array(documents.reversed() + [.string("end")])]
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
        assertTheRestArrives(fds[1], received, expected)
        XCTAssertEqual(outbox.pending, 0)
    }

    /// Produced replies are made as the socket drains: what arrives is what
    /// the same items written whole would be, and what is held at once
    /// stays near the read-ahead, not the reply's size.
    func testProducedRepliesAreMadeAsTheSocketDrains() throws {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds), 0)
        defer { close(fds[0]); close(fds[1]) }
        let items = (0..<3000).map { i in JSON.object([("n", .int(i)), ("pad", .string(String(repeating: "y", count: i % 997)))]) }
        func producer(_ items: [JSON], perPiece: Int) -> JSONProducer {
            var next = 0
            return JSONProducer {
                guard next < items.count else { return nil }
                let piece = items[next..<min(items.count, next + perPiece)]
                var bytes = next == 0 ? [] : [UInt8(ascii: ",")]
                bytes += piece.map(\.bytes).joined(separator: [UInt8(ascii: ",")])
                next += perPiece
                return bytes
            }
        }
        let replies: [(JSON, JSON)] = [
            (.object([("torrents", .array([.produced(producer(items, perPiece: 40))]))]), .object([("torrents", .array(items))])),
            (.array([.produced(producer([], perPiece: 1))]), .array([])),
            (.object([("pid", .int(7))]), .object([("pid", .int(7))])),
            (.array([.string("a"), .produced(producer(Array(items.prefix(5)), perPiece: 2)), .string("b")]),
             .array([.string("a")] + items.prefix(5) + [.string("b")])),
        ]
        let expected: [UInt8] = replies.flatMap { $0.1.bytes + [UInt8(0x0A)] }
        var outbox = Outbox()
        outbox.append(replies[0].0)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var most = 0
        var appended = 1
        while !outbox.isEmpty || appended < replies.count {
            // The rest arrive while the first is on its way, as another request's would.
            if appended < replies.count && received.count > 100_000 {
                outbox.append(replies[appended].0)
                appended += 1
            }
            let sent = outbox.send(to: fds[0])
            XCTAssertTrue(sent >= 0 || errno == EAGAIN, "send failed: \(errno)")
            most = max(most, outbox.pending)
            let n = read(fds[1], &buffer, buffer.count)
            XCTAssertGreaterThan(n, 0)
            received.append(contentsOf: buffer[0..<n])
        }
        assertTheRestArrives(fds[1], received, expected)
        XCTAssertGreaterThan(expected.count, 1_400_000)
        XCTAssertLessThan(most, (1 << 20) + 50_000, "held at once")
    }

    /// Reads what is still on its way, then compares all with the replies written whole.
    private func assertTheRestArrives(_ fd: Int32, _ received: [UInt8], _ expected: [UInt8],
                                      file: StaticString = #filePath, line: UInt = #line) {
        var received = received
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while received.count < expected.count {
            let n = read(fd, &buffer, buffer.count)
            guard n > 0 else { break }
            received.append(contentsOf: buffer[0..<n])
        }
        XCTAssertEqual(received.count, expected.count, file: file, line: line)
        XCTAssertTrue(received == expected, "the bytes differ from the replies written whole", file: file, line: line)
    }
}
