import Glibc

/// The TCP socket `btx serve` listens on, and the base URL that reaches it.
public struct HTTPListener {
    let fd: Int32
    /// http://HOST:PORT, with the port the kernel chose for port 0.
    public let baseURL: String
    public let port: Int

    /// `address`: PORT, HOST:PORT or [IPv6]:PORT; HOST is an IP address or
    /// localhost, and loopback (127.0.0.1) when left out.
    public init(_ address: String) throws {
        var (host, port) = try Self.parse(address)
        let v6 = host.contains(":")
        let fd = socket(v6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw BTXError.failure("cannot open a socket: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        let bound: Bool
        if v6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = UInt16(port).bigEndian
            inet_pton(AF_INET6, host, &address.sin6_addr)
            bound = Self.bind(fd, &address)
            port = Int(UInt16(bigEndian: address.sin6_port))
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(port).bigEndian
            inet_pton(AF_INET, host, &address.sin_addr)
            bound = Self.bind(fd, &address)
            port = Int(UInt16(bigEndian: address.sin_port))
        }
        guard bound, listen(fd, 64) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw BTXError.failure("cannot listen on \(v6 ? "[\(host)]" : host):\(port) for HTTP: \(reason)")
        }
        self.fd = fd
        self.port = port
        baseURL = "http://\(v6 ? "[\(host)]" : host):\(port)"
    }

    /// A Host header as it may go into URLs btx writes: a host name or an
    /// address (IPv6 in brackets) with this listener's port; nil for
    /// anything else (another port, a path, quotes, spaces, CR or LF).
    func acceptedHost(_ header: String) -> String? {
        let host: Substring
        if let colon = header.lastIndex(of: ":"), !header.hasSuffix("]") {
            guard header[header.index(after: colon)...] == Substring(String(port)) else { return nil }
            host = header[..<colon]
        } else {
            // No port: the default, which must be ours.
            guard port == 80 else { return nil }
            host = header[...]
        }
        let bracketed = host.hasPrefix("[") && host.hasSuffix("]")
        let name = bracketed ? host.dropFirst().dropLast() : host
        let allowed = name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || (bracketed && $0 == ":")) }
        return allowed && !name.isEmpty && name.count <= 253 ? header : nil
    }

    /// Binds to `address` and reads back what was bound (the port chosen for 0).
    private static func bind<Address>(_ fd: Int32, _ address: inout Address) -> Bool {
        var length = socklen_t(MemoryLayout<Address>.size)
        return withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
    }

    /// HOST and PORT of the --listen text; a usage error when it is neither.
    static func parse(_ text: String) throws -> (String, Int) {
        func bad() -> BTXError {
            .usage("--listen: '\(text)' is not PORT, ADDRESS:PORT or [IPv6]:PORT (ADDRESS an IP address or localhost)",
                   command: "serve")
        }
        var host = "127.0.0.1", portText = text
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { throw bad() }
            host = String(text[text.index(after: text.startIndex)..<close])
            portText = String(text[text.index(close, offsetBy: 2)...])
        } else if let colon = text.lastIndex(of: ":") {
            host = String(text[..<colon])
            portText = String(text[text.index(after: colon)...])
            // An IPv6 address goes in brackets: ::1:80 could be either.
            guard !host.contains(":") else { throw bad() }
        }
        if host == "localhost" { host = "127.0.0.1" }
        guard let port = Int(portText), (0...65535).contains(port) else { throw bad() }
        var buffer = [UInt8](repeating: 0, count: 16)
        guard inet_pton(host.contains(":") ? AF_INET6 : AF_INET, host, &buffer) == 1 else { throw bad() }
        return (host, port)
    }
}
