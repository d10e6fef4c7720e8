import Foundation
import TorrentKit

/// A scratch directory removed when the test ends.
public final class TemporaryDirectory {
    public let path: String

    public init() throws {
        var template = Array((NSTemporaryDirectory() + "/btx-test-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw TorrentKitError(.io, "mkdtemp failed") }
        path = String(cString: made)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    @discardableResult
    public func write(_ relative: String, bytes: [UInt8]) throws -> String {
        let full = path + "/" + relative
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: full, contents: Data(bytes)) else {
            throw TorrentKitError(.io, "cannot write \(full)")
        }
        return full
    }

    public func mkdir(_ relative: String) throws {
        try FileManager.default.createDirectory(atPath: path + "/" + relative, withIntermediateDirectories: true)
    }
}

/// Deterministic pseudo-random bytes, so a failing test can be rerun exactly.
public func pseudoRandomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var state = seed &+ 0x9E37_79B9_7F4A_7C15
    var out = [UInt8](repeating: 0, count: count)
    for i in 0..<count {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        out[i] = UInt8(truncatingIfNeeded: state >> 33)
    }
    return out
}

/// Settings for a session that only ever talks to 127.0.0.1: no DHT, LSD,
/// UPnP or NAT-PMP, an ephemeral port.
public let loopbackSettings: [(String, String)] = [
    ("listen_interfaces", "127.0.0.1:0"),
    ("enable_dht", "false"),
    ("enable_lsd", "false"),
    ("enable_upnp", "false"),
    ("enable_natpmp", "false"),
    ("dht_bootstrap_nodes", ""),
    ("allow_multiple_connections_per_ip", "true"),
]
