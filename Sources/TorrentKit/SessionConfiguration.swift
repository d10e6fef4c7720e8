import Glibc

/// How a session talks to the network, as a CLI user thinks of it; turned
/// into libtorrent settings in one place.
public struct SessionConfiguration: Sendable {
    /// "ADDR:PORT" entries; empty = libtorrent's default (every interface, port 6881).
    public var listenInterfaces: [String] = []
    /// The user named the port (`listen(on:)`, which `bind(to:port:)` keeps):
    /// taken, it stays unbound (the session says so) instead of libtorrent's
    /// next free one, where no peer told of it looks.
    public private(set) var listenPortNamed = false
    /// Devices or addresses outgoing peer connections are bound to; empty =
    /// the routing table picks.
    public var outgoingInterfaces: [String] = []
    /// Peers, trackers, web seeds and, through SOCKS5, the DHT go through
    /// it; nil = direct. `proxySettings` says what else changes.
    public var proxy: Proxy?
    /// With `proxy`: nothing at all goes around it (`checkProxyOnly`).
    public var proxyOnly = false
    public var dht = true
    /// A BEP 43 read-only DHT node: it asks, answers no one, and is kept out
    /// of the other nodes' routing tables.
    public var dhtReadOnly = false
    /// "HOST:PORT" DHT bootstrap nodes; nil = libtorrent's public routers.
    public var dhtBootstrap: [String]?
    public var localPeerDiscovery = true
    public var upnp = true
    public var natpmp = true
    /// uTP besides TCP (see UTP). Loopback only dials TCP.
    public var utp = UTP.on
    /// Bytes per second for the whole session; 0 = unlimited.
    public var downloadLimit: Int64 = 0
    public var uploadLimit: Int64 = 0
    public var encryption = Encryption.prefer
    public var diskIO = DiskIO.mmap

    /// libtorrent dials a new peer over uTP first and falls back to TCP
    /// when the uTP handshake times out; peers that dial it are answered
    /// either way. Accepting uTP even where btx dials TCP matters: every
    /// libtorrent client dials uTP first, and against a btx that ignored
    /// uTP each waited out the handshake (4.1 s) before its TCP dial, and
    /// a uTP-only peer (qBittorrent can be set so) never connected.
    public enum UTP: Sendable {
        /// Dial uTP first, accept it.
        case on
        /// Dial TCP, accept uTP too: on loopback, where TCP is what is fast
        /// and every peer btx is told of listens on TCP.
        case incoming
        case off
    }

    /// libtorrent's disk I/O subsystem, fixed when a session starts.
    public enum DiskIO: String, Sendable, CaseIterable {
        /// Files mapped into memory (libtorrent's default): the page cache
        /// holds what was written, and counts in the resident set.
        case mmap
        /// pread/pwrite through libtorrent's own buffers.
        case posix
    }

    /// The BitTorrent protocol encryption (MSE/PE) policy, as transmission
    /// and qBittorrent users know it.
    public enum Encryption: String, Sendable, CaseIterable {
        /// Encrypted connections only, both ways; plaintext peers are refused.
        case require
        /// Offer encryption and accept it, falling back to plaintext.
        case prefer
        /// Plaintext unless the other side asks for encryption.
        case allow
        /// Plaintext only.
        case disable
    }

    public init() {}

    /// "PORT" listens on every interface, "ADDR:PORT" or "[V6]:PORT" on one.
    public mutating func listen(on text: String) throws {
        if let port = Int(text) {
            guard (0...65535).contains(port) else { throw TorrentKitError(.invalidArgument, "port \(text) is out of range") }
            listenInterfaces = ["0.0.0.0:\(port)", "[::]:\(port)"]
            listenPortNamed = true
            return
        }
        guard let endpoint = Endpoint(text) else {
            throw TorrentKitError(.invalidArgument, "'\(text)' is not PORT or ADDRESS:PORT")
        }
        listenInterfaces = [endpoint.text]
        listenPortNamed = true
        if endpoint.isLoopback { keepToLoopback() }
    }

    /// Binds outgoing and listening sockets to `interface`, listening on
    /// `port` there: traffic leaves by that interface or not at all (a
    /// VPN's tun0 that goes down takes btx's connections with it).
    public mutating func bind(to interface: NetworkInterface, port: Int) {
        outgoingInterfaces = [interface.name]
        listenInterfaces = [interface.listenEntry(port: port)]
        if interface.isLoopback { keepToLoopback() }
    }

    /// Nothing on the LAN can reach a loopback socket: don't advertise or
    /// map it, and prefer TCP, which is what loopback is fast at.
    private mutating func keepToLoopback() {
        localPeerDiscovery = false
        upnp = false
        natpmp = false
        utp = .incoming
    }

    /// Every bootstrap node on loopback.
    public var isLoopbackDHT: Bool {
        guard let nodes = dhtBootstrap, !nodes.isEmpty else { return false }
        return nodes.allSatisfy { Endpoint($0)?.isLoopback ?? false }
    }

    /// Every bootstrap node on loopback or a private range: a private DHT,
    /// where many nodes share one address.
    public var isPrivateDHT: Bool {
        guard let nodes = dhtBootstrap, !nodes.isEmpty else { return false }
        return nodes.allSatisfy { Endpoint($0)?.isPrivate ?? false }
    }

    public var settings: [(String, String)] {
        var s: [(String, String)] = [
            // Loopback and LAN transfers run far past libtorrent's WAN-sized
            // defaults; these are what bench/download.sh showed to matter.
            ("send_buffer_watermark", "\(4 << 20)"),
            ("send_buffer_low_watermark", "\(1 << 20)"),
            ("send_buffer_watermark_factor", "150"),
            ("max_out_request_queue", "1500"),
            ("max_queued_disk_bytes", "\(16 << 20)"),
            ("aio_threads", "\(Self.diskThreads)"),
            ("hashing_threads", "\(Self.cores)"),
            // libtorrent's listen() backlog is 5: a burst of dials (100
            // torrents added at once on the other side) overflowed it, and
            // each dropped dial cost its peer seconds of SYN retries.
            ("listen_queue_size", "128"),
            // A one-shot command should not hang on exit for an unreachable tracker.
            ("stop_tracker_timeout", "2"),
        ] + SettingsProfile.pacing.settings + [
            ("enable_dht", flag(dht)),
            ("dht_read_only", flag(dhtReadOnly)),
            ("enable_lsd", flag(localPeerDiscovery)),
            ("enable_upnp", flag(upnp)),
            ("enable_natpmp", flag(natpmp)),
            ("enable_outgoing_utp", flag(utp == .on)),
            ("enable_incoming_utp", flag(utp != .off)),
            // A peer that ignores uTP (TCP only, or its UDP firewalled) is
            // dialled over TCP once the uTP handshake has timed out: the
            // first byte from a TCP-only seeder came after 4.1 s at
            // libtorrent's 3000 ms, after 1.1 s at 500 ms, and 0.1 s with
            // uTP off. A peer whose SYN answer takes longer is reached by
            // TCP, as it would be without uTP.
            ("utp_connect_timeout", "500"),
            ("download_rate_limit", "\(min(downloadLimit, Int64(Int32.max)))"),
            ("upload_rate_limit", "\(min(uploadLimit, Int64(Int32.max)))"),
            ("disk_io", diskIO.rawValue),
        ] + encryptionSettings
        if !listenInterfaces.isEmpty { s.append(("listen_interfaces", listenInterfaces.joined(separator: ","))) }
        if listenPortNamed { s += [("max_retry_port_bind", "0"), ("listen_system_port_fallback", "0")] }
        if !outgoingInterfaces.isEmpty { s.append(("outgoing_interfaces", outgoingInterfaces.joined(separator: ","))) }
        if let nodes = dhtBootstrap {
            // A private DHT's nodes are added as peers (Session.init): as
            // routers they would be kept out of the routing table and puts.
            s.append(("dht_bootstrap_nodes", isPrivateDHT ? "" : nodes.joined(separator: ",")))
        }
        // Peers that share an address (behind one NAT, on one seedbox, on
        // 127.0.0.1) are distinct peers. And with one connection per address,
        // libtorrent keeps one peer-list entry per address: a tracker that
        // hands btx its own address back (opentracker does) makes it dial
        // itself, and the self-connection bans the whole address, so every
        // other peer there is refused ("peer banned") for the torrent's life.
        s.append(("allow_multiple_connections_per_ip", "1"))
        // libtorrent moves a udp:// tracker ahead of an http one on the same
        // host, tiers swapped: the torrent's own order (its author's choice,
        // what info, trackers and the magnet show) is kept instead.
        s.append(("prefer_udp_trackers", "0"))
        if isPrivateDHT {
            // libtorrent's defences against Sybil attacks on the public DHT
            // reject a network whose nodes share addresses.
            for name in ["dht_restrict_routing_ips", "dht_restrict_search_ips", "dht_enforce_node_id",
                         "dht_prefer_verified_node_ids"] {
                s.append((name, "0"))
            }
            // The flood guard counts packets per IP; every node here shares
            // one, so the default (5/s, then a 5-minute block) silences them.
            s.append(("dht_block_ratelimit", "100000"))
            s.append(("dht_upload_rate_limit", "\(1 << 20)"))
        }
        // Last: a proxy overrides what could only run around it.
        return s + proxySettings
    }

    /// settings_pack's enc_policy: 0 forced, 1 enabled, 2 disabled;
    /// enc_level: 1 plaintext, 2 RC4, 3 both.
    private var encryptionSettings: [(String, String)] {
        let (outgoing, incoming, level, preferRC4) = switch encryption {
        case .require: ("0", "0", "2", "1")
        case .prefer: ("1", "1", "3", "1")
        case .allow: ("2", "1", "3", "0")
        case .disable: ("2", "2", "1", "0")
        }
        return [("out_enc_policy", outgoing), ("in_enc_policy", incoming), ("allowed_enc_level", level),
                ("prefer_rc4", preferRC4)]
    }

    private func flag(_ on: Bool) -> String { on ? "1" : "0" }

    static let cores = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    static let diskThreads = max(4, 2 * cores)

    /// With a proxy, libtorrent 2.0 sends peer connections (uTP only through
    /// SOCKS5), trackers and web seeds through it, opens no TCP listen
    /// socket (its UDP socket takes packets from the proxy only) and refuses
    /// to send UDP the proxy cannot carry rather than send it direct. btx
    /// asks the proxy to resolve host names and turns off what has no use
    /// or no way through it.
    private var proxySettings: [(String, String)] {
        guard let proxy else { return [] }
        let login = proxy.username != nil
        let type = switch proxy.kind {  // settings_pack::proxy_type_t
        case .socks4: 1
        case .socks5: login ? 3 : 2
        case .http: login ? 5 : 4
        }
        var s: [(String, String)] = [
            ("proxy_type", "\(type)"),
            ("proxy_hostname", proxy.host),
            ("proxy_port", "\(proxy.port)"),
            ("proxy_username", proxy.username ?? ""),
            ("proxy_password", proxy.password ?? ""),
            ("proxy_hostnames", "1"),
            ("proxy_peer_connections", "1"),
            ("proxy_tracker_connections", "1"),
            // No one can connect in, so there is no port to map or
            // announce, and LAN multicast cannot go through a proxy.
            ("enable_lsd", "0"),
            ("enable_upnp", "0"),
            ("enable_natpmp", "0"),
        ]
        if !proxy.carriesUDP {
            // Their packets would all be refused: say so by not running them.
            s += [("enable_dht", "0"), ("enable_outgoing_utp", "0"), ("enable_incoming_utp", "0")]
        }
        if proxyOnly {
            // No client version to peers, no local addresses to private
            // trackers, a generic user agent to public ones.
            s.append(("anonymous_mode", "1"))
            // The public routers are host names libtorrent would look up
            // itself; the DHT starts from its saved nodes and those peers name.
            if dhtBootstrap == nil { s.append(("dht_bootstrap_nodes", "")) }
        }
        return s
    }

    /// Throws `.invalidArgument` when `proxyOnly` cannot be kept: through
    /// SOCKS4 or HTTP libtorrent looks up some host names itself, and it
    /// always looks up DHT bootstrap nodes given by name itself.
    public func checkProxyOnly() throws {
        guard proxyOnly, let proxy else { return }
        guard proxy.resolvesEveryHostName else {
            let names = proxy.kind == .socks4 ? "every host name" : "the names of https:// and udp:// trackers"
            throw TorrentKitError(.invalidArgument, "needs a socks5:// proxy: through \(proxy.kind.rawValue):// "
                                  + "libtorrent looks up \(names) itself, outside the proxy")
        }
        if dht, let named = dhtBootstrap?.first(where: { Endpoint($0) == nil }) {
            throw TorrentKitError(.invalidArgument, "DHT bootstrap node '\(named)' is a host name, which libtorrent "
                                  + "would look up itself, outside the proxy; give its address")
        }
    }
}

/// "ADDR:PORT" or "[V6]:PORT" with a literal address.
struct Endpoint {
    let address: String
    let port: Int
    let isV6: Bool

    init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0...65535).contains(port) else { return nil }
        var host = String(text[..<colon])
        isV6 = host.hasPrefix("[") && host.hasSuffix("]")
        if isV6 { host = String(host.dropFirst().dropLast()) }
        var buffer = [UInt8](repeating: 0, count: 16)
        guard inet_pton(isV6 ? AF_INET6 : AF_INET, host, &buffer) == 1 else { return nil }
        address = host
        self.port = port
        bytes = buffer
    }

    private let bytes: [UInt8]

    var text: String { isV6 ? "[\(address)]:\(port)" : "\(address):\(port)" }

    var isLoopback: Bool {
        isV6 ? bytes == [UInt8](repeating: 0, count: 15) + [1] : bytes[0] == 127
    }

    var isPrivate: Bool {
        if isLoopback { return true }
        if isV6 { return bytes[0] & 0xFE == 0xFC || (bytes[0] == 0xFE && bytes[1] & 0xC0 == 0x80) }
        return bytes[0] == 10 || (bytes[0] == 172 && bytes[1] & 0xF0 == 16) || (bytes[0] == 192 && bytes[1] == 168)
    }
}
