import Glibc

/// A proxy named by a URL: `socks5://[USER[:PASSWORD]@]HOST:PORT`,
/// `socks4://HOST:PORT` or `http://[USER[:PASSWORD]@]HOST:PORT`. Parsed
/// here rather than by libtorrent, which takes the parts as separate
/// settings and would only fail later, quietly, on a connection.
public struct Proxy: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        case socks5, socks4, http
    }

    public let kind: Kind
    /// A host name or an address (an IPv6 one without its brackets).
    public let host: String
    public let port: Int
    public let username: String?
    public let password: String?

    /// SOCKS5 relays UDP (UDP ASSOCIATE), so the DHT, uTP and UDP trackers
    /// can go through it; SOCKS4 and HTTP CONNECT carry TCP only.
    public var carriesUDP: Bool { kind == .socks5 }

    /// Whether libtorrent 2.0 hands every host name to the proxy. Through
    /// SOCKS5 it does (trackers of every kind, web seeds). Through HTTP it
    /// looks up the names of https:// and udp:// trackers itself, and SOCKS4
    /// has no way to carry a name at all.
    public var resolvesEveryHostName: Bool { kind == .socks5 }

    public init(kind: Kind, host: String, port: Int, username: String? = nil, password: String? = nil) {
        self.kind = kind
        self.host = host
        self.port = port
        self.username = username
        self.password = password
    }

    /// Throws `.invalidArgument` with a one-line reason that never repeats a
    /// password.
    public init(url text: String) throws {
        func fail(_ reason: String) -> TorrentKitError {
            TorrentKitError(.invalidArgument, "'\(Proxy.redact(text))' \(reason)")
        }
        guard let separator = text.firstRange(of: "://") else {
            throw fail("is not a proxy URL (socks5://HOST:PORT, socks4://HOST:PORT or http://HOST:PORT)")
        }
        let scheme = text[..<separator.lowerBound].lowercased()
        // curl's socks5h means "the proxy resolves names", which is what
        // btx always asks of a SOCKS5 proxy.
        guard let kind = scheme == "socks5h" ? .socks5 : Kind(rawValue: scheme) else {
            throw TorrentKitError(.invalidArgument,
                                  "unknown proxy scheme '\(scheme)://' (use socks5://, socks4:// or http://)")
        }
        var rest = Substring(text[separator.upperBound...])
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.contains(where: { "/?#".contains($0) }) else {
            throw fail("has a path, query or fragment; a proxy URL ends after HOST:PORT")
        }

        var username: String?, password: String?
        if let at = rest.lastIndex(of: "@") {
            let userinfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            let parts = userinfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard let user = percentDecoded(parts[0]),
                  let pass = parts.count > 1 ? percentDecoded(parts[1]) : "" else {
                throw fail("has a bad %-escape in its user name or password (write %XX, e.g. %40 for @)")
            }
            guard !user.isEmpty else { throw fail("has a password but no user name") }
            username = user
            password = pass
        }
        if kind == .socks4, username != nil {
            throw fail("gives a user name or password, which libtorrent never sends to a SOCKS4 proxy; use socks5://")
        }
        // RFC 1929 gives each a one-byte length.
        if kind == .socks5, (username?.utf8.count ?? 0) > 255 || (password?.utf8.count ?? 0) > 255 {
            throw fail("has a user name or password over 255 bytes, more than SOCKS5 can send")
        }

        guard let colon = rest.lastIndex(of: ":"), rest[colon...].count > 1,
              let port = Int(rest[rest.index(after: colon)...]), (1...65535).contains(port) else {
            throw fail("needs a port from 1 to 65535: HOST:PORT")
        }
        var host = String(rest[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
            var address = in6_addr()
            guard inet_pton(AF_INET6, host, &address) == 1 else { throw fail("has a bad IPv6 address '[\(host)]'") }
        } else {
            let allowed = host.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "-._".unicodeScalars.contains($0)
            }
            guard !host.isEmpty else { throw fail("has no host") }
            guard allowed else { throw fail("has a bad host '\(host)' (a name, an IPv4 address or [IPv6])") }
        }
        self.init(kind: kind, host: host, port: port, username: username, password: password)
    }

    /// The URL without its password, for messages and JSON.
    public var description: String {
        let user = username.map { percentEncoded($0) + (password.map { $0.isEmpty ? "" : ":***" } ?? "") + "@" } ?? ""
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(kind.rawValue)://\(user)\(shownHost):\(port)"
    }

    /// `text` with whatever sits between "://" and the last "@" hidden:
    /// what could not be parsed may still hold a password.
    static func redact(_ text: String) -> String {
        guard let start = text.firstRange(of: "://")?.upperBound, let at = text.lastIndex(of: "@"), at > start else {
            return text
        }
        return String(text[..<start]) + "***" + String(text[at...])
    }
}
