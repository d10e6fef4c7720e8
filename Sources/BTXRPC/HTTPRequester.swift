import BTXSession
import Glibc

/// An HTTP/1.1 client for one server, enough for an RPC: POST a body, read
/// the answer (Content-Length, chunked, or to the close), with a deadline
/// on connecting and on each answer. Plain HTTP only: a remote daemon
/// behind TLS is reached through the proxy that ends it.
final class HTTPRequester {
    let host: String
    let port: Int
    private var fd: Int32 = -1
    private static let timeout = 30.0

    struct Response {
        let status: Int
        /// Names in lower case.
        let headers: [String: String]
        let body: [UInt8]
    }

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    deinit { if fd >= 0 { close(fd) } }

    /// One request on the kept connection, made again once on a fresh one
    /// when the server had closed it meanwhile.
    func send(_ method: String, path: String, headers: [(String, String)], body: [UInt8]) throws -> Response {
        for attempt in 0..<2 {
            if fd < 0 { try connect() }
            do {
                return try exchange(method, path: path, headers: headers, body: body)
            } catch let error as Closed where attempt == 0 {
                _ = error
                close(fd)
                fd = -1
            }
        }
        throw BTXError(exitCode: .noSession, message: "\(host):\(port) closed the connection")
    }

    private struct Closed: Error {}

    private func connect() throws {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let host = self.host.hasPrefix("[") ? String(self.host.dropFirst().dropLast()) : self.host
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw BTXError(exitCode: .noSession, message: "cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var reason = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let address = entry {
            let socketFD = socket(address.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            if socketFD >= 0 {
                var timeout = timeval(tv_sec: Int(Self.timeout), tv_usec: 0)
                setsockopt(socketFD, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                setsockopt(socketFD, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                if Glibc.connect(socketFD, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 {
                    var yes: Int32 = 1
                    setsockopt(socketFD, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
                    fd = socketFD
                    return
                }
                reason = String(cString: strerror(errno))
                close(socketFD)
            }
            entry = address.pointee.ai_next
        }
        throw BTXError(exitCode: .noSession, message: "cannot reach \(host):\(port): \(reason)")
    }

    private func exchange(_ method: String, path: String, headers: [(String, String)], body: [UInt8]) throws -> Response {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nContent-Length: \(body.count)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        let request = Array((head + "\r\n").utf8) + body
        if request.withUnsafeBytes({ Syscall.sendAll(fd, $0) }) != nil { throw Closed() }
        var buffer: [UInt8] = []
        var headEnd: Int?
        while headEnd == nil {
            guard try read(into: &buffer) else {
                if buffer.isEmpty { throw Closed() }
                throw BTXError.failure("\(host):\(port) closed the connection mid-answer")
            }
            headEnd = endOfHead(buffer)
            if headEnd == nil && buffer.count > 64 << 10 { throw BTXError.failure("\(host):\(port) sent a head over 64 KiB") }
        }
        let lines = String(decoding: buffer[..<(headEnd! - 4)], as: UTF8.self).split(separator: "\r\n")
        let statusParts = lines.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let status = Int(statusParts[1]) else {
            throw BTXError.failure("\(host):\(port) does not answer HTTP")
        }
        var responseHeaders: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            responseHeaders[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingSpaces
        }
        var rest = Array(buffer[headEnd!...])
        let body: [UInt8]
        if responseHeaders["transfer-encoding"]?.lowercased().contains("chunked") == true {
            body = try dechunk(&rest)
        } else if let length = responseHeaders["content-length"].flatMap(Int.init) {
            while rest.count < length {
                guard try read(into: &rest) else { throw BTXError.failure("\(host):\(port) closed the connection mid-answer") }
            }
            body = Array(rest.prefix(length))
        } else {
            while try read(into: &rest) {}
            body = rest
            close(fd)
            fd = -1
        }
        if responseHeaders["connection"]?.lowercased() == "close" {
            close(fd)
            fd = -1
        }
        return Response(status: status, headers: responseHeaders, body: body)
    }

    /// More bytes onto `buffer`; false at the end of the stream.
    private func read(into buffer: inout [UInt8]) throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        let n = Syscall.retrying { chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) } }
        if n < 0 {
            if errno == EAGAIN || errno == EWOULDBLOCK { throw BTXError.failure("\(host):\(port) did not answer within \(Int(Self.timeout)) s") }
            if errno == ECONNRESET { return false }
            throw BTXError.failure("reading from \(host):\(port): \(String(cString: strerror(errno)))")
        }
        buffer += chunk[..<n]
        return n > 0
    }

    private func dechunk(_ rest: inout [UInt8]) throws -> [UInt8] {
        var body: [UInt8] = []
        while true {
            while endOfLine(rest) == nil {
                guard try read(into: &rest) else { throw BTXError.failure("\(host):\(port) closed the connection mid-answer") }
            }
            let lineEnd = endOfLine(rest)!
            let sizeText = String(decoding: rest[..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingSpaces, radix: 16) else { throw BTXError.failure("\(host):\(port) sent a bad chunk") }
            rest.removeFirst(lineEnd + 2)
            while rest.count < size + 2 {
                guard try read(into: &rest) else { throw BTXError.failure("\(host):\(port) closed the connection mid-answer") }
            }
            if size == 0 { return body }
            body += rest[..<size]
            rest.removeFirst(size + 2)
        }
    }

    private func endOfLine(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 2 else { return nil }
        for i in 0..<(bytes.count - 1) where bytes[i] == 13 && bytes[i + 1] == 10 { return i }
        return nil
    }
}
