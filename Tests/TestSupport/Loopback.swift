import Foundation
import Glibc

/// A TCP port on 127.0.0.1 that nothing listens on right now (the kernel's pick).
public func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = loopbackAddress(port: 0)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
            _ = bind(fd, pointer, length)
            return getsockname(fd, pointer, &length)
        }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Something accepts connections on 127.0.0.1:`port`.
public func canConnect(port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = loopbackAddress(port: port)
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
}

/// A listening TCP socket on 127.0.0.1:`port` (0: the kernel's pick); -1 when the port is taken.
public func listeningSocket(port: Int) -> Int32 {
    // Close-on-exec: a btx the test starts afterwards must not inherit it
    // (it kept the port, and its own dials queued there unanswered).
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    var yes: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
    var address = loopbackAddress(port: port)
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0, listen(fd, 16) == 0 else {
        close(fd)
        return -1
    }
    return fd
}

private func loopbackAddress(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    return address
}

/// A peer that does not have the torrent yet, at 127.0.0.1:`port`: it
/// takes each connection and closes it, as a client refuses a handshake for
/// a torrent it lacks.
public final class RefusingListener {
    private var fd: Int32

    public init(port: Int) throws {
        fd = listeningSocket(port: port)
        guard fd >= 0 else { throw TimeoutError(what: "a listening socket on 127.0.0.1:\(port)") }
    }

    deinit { close() }

    /// Refuses dials until `count` came; throws if they did not within `timeout` seconds.
    public func refuse(_ count: Int, within timeout: Double) throws {
        let deadline = Date().addingTimeInterval(timeout)
        var refused = 0
        while refused < count {
            let left = deadline.timeIntervalSinceNow
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard left > 0, poll(&descriptor, 1, Int32(left * 1000)) == 1 else {
                throw TimeoutError(what: "\(count) dials (\(refused) came)")
            }
            Glibc.close(accept(fd, nil, nil))
            refused += 1
        }
    }

    /// Stops listening, so that the port is free for the real peer.
    public func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }
}
