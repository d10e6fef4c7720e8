import BTXSession
import Foundation
import Glibc
import TestSupport
import XCTest

/// The HTTP core that serve (and the RPC listener) run on, against raw
/// sockets: deadlines kept by its one loop, bounds on heads and bodies, and
/// clients that trickle or stop reading costing no one else anything.
final class HTTPServerTests: XCTestCase {
    /// Echoes a request: its method, path, query and body; a big body for /big.
    final class Echo: HTTPHandler {
        func respond(to request: HTTPRequest, from client: HTTPClient) -> HTTPResponse {
            if request.path == "/big" {
                return HTTPResponse(status: 200, body: .bytes([UInt8](repeating: 0x61, count: 8 << 20)))
            }
            return .text(200, "\(request.method) \(request.path) \(request.query) \(String(decoding: request.body, as: UTF8.self))")
        }
    }

    private var servers: [HTTPServer] = []

    override func tearDown() {
        servers.forEach { $0.stop() }
        // XCTest keeps its test cases alive to the end: a server they held
        // would show as a leak under LeakSanitizer (make test-sanitize).
        servers.removeAll()
    }

    private func start(_ configure: (inout HTTPLimits) -> Void = { _ in }) throws -> Int {
        var limits = HTTPLimits()
        limits.maxBody = 1024
        configure(&limits)
        let listener = try HTTPListener("127.0.0.1:0")
        let server = try HTTPServer(listener: listener, handler: Echo(), limits: limits)
        try server.start()
        servers.append(server)
        return Int(server.baseURL.split(separator: ":").last!)!
    }

    func testKeepAlivePipeliningAndBodies() throws {
        let port = try start()
        let client = try RawClient(port: port)
        client.send("GET /a?x=1 HTTP/1.1\r\nHost: h\r\n\r\nPOST /b HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello")
        let both = try client.read(until: { $0.components(separatedBy: "HTTP/1.1 200").count == 3 && $0.hasSuffix("hello") })
        XCTAssertTrue(both.contains("GET /a x=1 "), both)
        XCTAssertTrue(both.hasSuffix("POST /b  hello"), both)
        XCTAssertTrue(both.contains("Connection: keep-alive"), both)
    }

    func testBadHeadsAndBodiesAreRefusedWithTheirStatus() throws {
        let port = try start { $0.maxHead = 512 }
        let cases: [(String, String)] = [
            ("GET / HTTP/1.1\r\nContent-Length: 2000\r\n\r\n", "413"),
            ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", "501"),
            ("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", "400"),
            ("GET / HTTP/2.0\r\n\r\n", "505"),
            ("not http at all\r\n\r\n", "400"),
            ("GET / HTTP/1.1\r\nX: " + String(repeating: "y", count: 1000) + "\r\n\r\n", "431"),
        ]
        for (request, status) in cases {
            let client = try RawClient(port: port)
            client.send(request)
            let answer = try client.read(until: { $0.contains("\r\n\r\n") })
            XCTAssertTrue(answer.hasPrefix("HTTP/1.1 \(status) "), "\(request.prefix(40)): \(answer.prefix(60))")
            XCTAssertTrue(answer.contains("Connection: close"), answer)
            XCTAssertTrue(client.closedByServer(within: 5), "\(status) closes the connection")
        }
    }

    /// A head trickled a byte at a time still has only headTimeout in all;
    /// a body that stops coming has bodyTimeout.
    func testAWholeHeadAndBodyHaveADeadline() throws {
        let port = try start {
            $0.headTimeout = 0.6
            $0.bodyTimeout = 0.6
        }
        let trickler = try RawClient(port: port)
        let started = Date()
        var answer = ""
        for byte in "GET / HTTP/1.1\r\nHost: slowly-slowly".utf8 {
            trickler.send(String(decoding: [byte], as: UTF8.self))
            usleep(50_000)
            answer += trickler.readAvailable()
            if !answer.isEmpty { break }
        }
        if !answer.contains("\r\n\r\n") { answer += try trickler.read(until: { (answer + $0).contains("\r\n\r\n") }) }
        XCTAssertTrue(answer.hasPrefix("HTTP/1.1 408 "), answer)
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)

        let body = try RawClient(port: port)
        body.send("POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\nonly part")
        XCTAssertTrue(try body.read(until: { $0.contains("\r\n\r\n") }).hasPrefix("HTTP/1.1 408 "))
    }

    /// Every slot taken by clients that asked for 8 MiB and read none of it:
    /// the stalest makes room, and a newcomer is answered at once. One
    /// thread serves them all.
    func testClientsThatStopReadingNeitherBlockOthersNorHoldThreads() throws {
        let port = try start {
            $0.maxConnections = 16
            $0.stalledAfter = 0.2
        }
        let threadsBefore = threadCount()
        var crowd: [RawClient] = []
        for _ in 0..<16 {
            let client = try RawClient(port: port, receiveBuffer: 4096)
            client.send("GET /big HTTP/1.1\r\n\r\n")
            crowd.append(client)
        }
        let started = Date()
        let player = try waitFor("a player answered", timeout: 10) { () -> String? in
            let client = try RawClient(port: port)
            client.send("GET /x HTTP/1.1\r\n\r\n")
            let answer = try client.read(until: { $0.contains("\r\n\r\n") && $0.hasSuffix("GET /x  ") || $0.contains(" 503 ") })
            return answer.contains(" 503 ") ? nil : answer
        }
        XCTAssertTrue(player.hasPrefix("HTTP/1.1 200 "), player)
        XCTAssertLessThan(Date().timeIntervalSince(started), 1)
        // The player was accepted after all 16: one loop serves them all.
        XCTAssertLessThanOrEqual(threadCount(), threadsBefore + 2, "no thread per stalled client")
        withExtendedLifetime(crowd) {}
    }

    /// A client that half-closes after its request (nc -N, some scripts) still gets all of a long answer.
    func testAHalfClosedClientStillGetsTheWholeAnswer() throws {
        let port = try start()
        let client = try RawClient(port: port, receiveBuffer: 4096)
        client.send("GET /big HTTP/1.1\r\n\r\n")
        shutdown(client.fd, Int32(SHUT_WR))
        let answer = try client.read(until: { $0.utf8.count >= (8 << 20) + 80 && $0.hasSuffix("aaaa") })
        XCTAssertTrue(answer.hasPrefix("HTTP/1.1 200 "))
    }

    func testAnIdleKeepAliveConnectionIsClosed() throws {
        let port = try start { $0.idleTimeout = 0.3 }
        let client = try RawClient(port: port)
        client.send("GET / HTTP/1.1\r\n\r\n")
        _ = try client.read(until: { $0.hasSuffix("GET /  ") })
        XCTAssertTrue(client.closedByServer(within: 5))
    }

    private func threadCount() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("Threads:") } ?? ""
        return Int(line.split(separator: "\t").last ?? "") ?? 0
    }
}

/// A blocking TCP client on 127.0.0.1 with a read deadline.
final class RawClient {
    let fd: Int32

    init(port: Int, receiveBuffer: Int32? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw NSError(domain: "connect", code: Int(errno))
        }
    }

    deinit { close(fd) }

    func send(_ text: String) {
        _ = Array(text.utf8).withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// What has arrived, without waiting.
    func readAvailable() -> String {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        return n > 0 ? String(decoding: buffer[..<n], as: UTF8.self) : ""
    }

    /// Reads until `done` holds for all read so far, for at most 10 s.
    func read(until done: (String) -> Bool) throws -> String {
        var text = ""
        let deadline = Date().addingTimeInterval(10)
        while !done(text) {
            var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let left = Int32(max(0, deadline.timeIntervalSinceNow * 1000))
            guard left > 0, poll(&ready, 1, left) > 0 else { throw NSError(domain: "read timed out: \(text.prefix(200))", code: 0) }
            var buffer = [UInt8](repeating: 0, count: 65536)
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw NSError(domain: "closed after: \(text.prefix(200))", code: 0) }
            text += String(decoding: buffer[..<n], as: UTF8.self)
        }
        return text
    }

    /// The server closed its end within `seconds` (what is left unread is skipped).
    func closedByServer(within seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while deadline.timeIntervalSinceNow > 0 {
            var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, Int32(deadline.timeIntervalSinceNow * 1000) + 1) > 0 else { return false }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return true }
        }
        return false
    }
}
