import BTXSession
import Glibc

/// Where `btx daemon --rpc [ADDR:]PORT` listens: PORT alone is 127.0.0.1
/// and ::1 only; an address that is not loopback needs credentials.
public struct RPCListen {
    public let addresses: [String]
    public let isLoopback: Bool

    /// `option` names it in errors (--rpc, --metrics).
    public init(_ text: String, option: String = "rpc") throws {
        if let port = Int(text) {
            guard (0...65535).contains(port) else { throw Self.bad(text, option) }
            addresses = ["127.0.0.1:\(port)", "[::1]:\(port)"]
            isLoopback = true
            return
        }
        let host: String
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = String(text[text.index(after: text.startIndex)..<close])
        } else if let colon = text.lastIndex(of: ":") {
            host = String(text[..<colon])
        } else {
            throw Self.bad(text, option)
        }
        addresses = [text]
        isLoopback = host == "localhost" || host.hasPrefix("127.") || host == "::1"
    }

    private static func bad(_ text: String, _ option: String) -> BTXError {
        .usage("--\(option): '\(text)' is not PORT, ADDRESS:PORT or [IPv6]:PORT", command: "daemon")
    }

    /// Listens on each address; ::1 is skipped on a machine without IPv6
    /// when 127.0.0.1 listens, and every port is the first one's (for 0).
    public func listeners() throws -> [HTTPListener] {
        var listeners: [HTTPListener] = []
        for address in addresses {
            var chosen = address
            if let first = listeners.first, addresses.count > 1, address.hasSuffix(":0") {
                chosen = String(address.dropLast()) + String(first.port)
            }
            do {
                listeners.append(try HTTPListener(chosen))
            } catch where !listeners.isEmpty && address.hasPrefix("[::1]") {
                continue
            }
        }
        return listeners
    }
}

/// An IPv4 or IPv6 address as text (no brackets).
func isIPAddress(_ text: String) -> Bool {
    var buffer = [UInt8](repeating: 0, count: 16)
    return inet_pton(AF_INET, text, &buffer) == 1 || inet_pton(AF_INET6, text, &buffer) == 1
}
