import Glibc

/// systemd's readiness protocol (sd_notify) for a `Type=notify` unit: one
/// datagram to $NOTIFY_SOCKET per state. Outside systemd there is no socket
/// and nothing is sent. The variable is taken out of the environment, so
/// that a hook the daemon runs cannot speak for it.
public final class SystemdNotify {
    private let address: String?

    public init() {
        address = getenv("NOTIFY_SOCKET").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
        unsetenv("NOTIFY_SOCKET")
    }

    /// "READY=1", "STOPPING=1", "STATUS=...": a failure is silent, as sd_notify's.
    public func send(_ state: String) {
        guard let address, address.hasPrefix("/") || address.hasPrefix("@") else { return }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var peer = sockaddr_un()
        peer.sun_family = sa_family_t(AF_UNIX)
        // "@name" is Linux's abstract namespace: a NUL first, and no NUL at the end.
        var path = Array(address.utf8)
        if path.first == UInt8(ascii: "@") { path[0] = 0 }
        guard path.count < MemoryLayout.size(ofValue: peer.sun_path) else { return }
        withUnsafeMutableBytes(of: &peer.sun_path) { $0.copyBytes(from: path) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + path.count + (path.first == 0 ? 0 : 1))
        let message = Array(state.utf8)
        _ = withUnsafePointer(to: &peer) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, message, message.count, Int32(MSG_NOSIGNAL), $0, length) }
        }
    }
}
