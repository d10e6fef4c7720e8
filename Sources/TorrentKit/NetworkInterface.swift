import Glibc

/// A network interface to bind sockets to, as the user named it: a device
/// ("tun0", "wg0", "eth0") or one of this machine's addresses. Looked up
/// before a session starts: libtorrent would take a missing one and only
/// fail on each connection.
public struct NetworkInterface: Sendable, Equatable {
    /// The device name or the address (an IPv6 one without brackets).
    public let name: String
    public let isAddress: Bool
    public let isLoopback: Bool

    /// nil when no interface of this machine has that name or address
    /// (a VPN that is down, a typo).
    public static func find(_ text: String) -> NetworkInterface? {
        var name = text
        if name.hasPrefix("[") && name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        // libtorrent's interface lists are comma-separated.
        guard !name.isEmpty, !name.contains(",") else { return nil }
        if let address = Address(name) {
            return address.isLocal ? NetworkInterface(name: name, isAddress: true, isLoopback: address.isLoopback) : nil
        }
        guard if_nametoindex(name) != 0 else { return nil }
        return NetworkInterface(name: name, isAddress: false, isLoopback: isLoopbackDevice(name))
    }

    private static func isLoopbackDevice(_ name: String) -> Bool {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { return false }
        defer { freeifaddrs(list) }
        var entry = list
        while let current = entry?.pointee {
            if String(cString: current.ifa_name) == name { return current.ifa_flags & UInt32(IFF_LOOPBACK) != 0 }
            entry = current.ifa_next
        }
        return false
    }

    /// libtorrent's listen_interfaces entry for `port`.
    public func listenEntry(port: Int) -> String {
        isAddress && name.contains(":") ? "[\(name)]:\(port)" : "\(name):\(port)"
    }

    /// A literal IPv4 or IPv6 address.
    private struct Address {
        let isV6: Bool
        let bytes: [UInt8]

        init?(_ text: String) {
            var buffer = [UInt8](repeating: 0, count: 16)
            if inet_pton(AF_INET, text, &buffer) == 1 {
                (isV6, bytes) = (false, Array(buffer[..<4]))
            } else if inet_pton(AF_INET6, text, &buffer) == 1 {
                (isV6, bytes) = (true, buffer)
            } else {
                return nil
            }
        }

        var isLoopback: Bool { isV6 ? bytes == [UInt8](repeating: 0, count: 15) + [1] : bytes[0] == 127 }

        /// Whether a socket can be bound to it here: the kernel's answer,
        /// which also knows that all of 127/8 is this machine's.
        var isLocal: Bool {
            let fd = socket(isV6 ? AF_INET6 : AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            guard fd >= 0 else { return false }
            defer { close(fd) }
            if isV6 {
                var address = sockaddr_in6()
                address.sin6_family = sa_family_t(AF_INET6)
                withUnsafeMutableBytes(of: &address.sin6_addr) { $0.copyBytes(from: bytes) }
                return withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) == 0
                    }
                }
            }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            withUnsafeMutableBytes(of: &address.sin_addr) { $0.copyBytes(from: bytes) }
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
        }
    }
}
