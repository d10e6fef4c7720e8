import Glibc
import TorrentKit

/// The ed25519 key for mutable items: its 32-byte seed as 64 hex digits in
/// `$XDG_DATA_HOME/btx/dht.key` (or --key FILE), mode 0600. A key others can
/// read is refused: whoever reads it can publish as you.
public enum DHTKeyFile {
    public static func path(in directory: StateDirectory) -> String { directory.data + "/dht.key" }

    /// A key file that is damaged is an error and stays as it is: it may be
    /// the only copy of the identity its items are published under.
    public static func load(_ path: String) throws -> DHTKey {
        guard let bytes = try FileIO.readStateFile(path, limit: 4096) else {
            if FileIO.exists(path) { throw BTXError.failure("\(path) is a symlink to a missing file") }
            throw BTXError.notFound("\(path): No such file or directory")
        }
        var st = stat()
        if stat(path, &st) == 0, st.st_mode & 0o077 != 0 {
            throw BTXError.failure("\(path) can be read by others (mode \(String(st.st_mode & 0o777, radix: 8))); "
                                   + "run 'chmod 600 \(path)' or make a new key")
        }
        let text = String(decoding: bytes, as: UTF8.self).trimmingSpaces
        guard let seed = hexBytes(text), seed.count == 32 else {
            throw BTXError.failure("\(path) does not hold a DHT key (64 hex digits); "
                                   + "'btx dht-keygen --force' replaces it with a new one")
        }
        return try DHTKey(seed: seed)
    }

    /// Creates a new key; refuses to replace one unless `replace`.
    public static func create(_ path: String, replace: Bool) throws -> DHTKey {
        let seed = try FileIO.read("/dev/urandom", limit: 32)
        guard seed.count == 32 else { throw BTXError.failure("no randomness for a new key") }
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        try makeDirectories(directory, mode: 0o700)
        let text = seed.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined() + "\n"
        try FileIO.writeAtomically(Array(text.utf8), to: path, replace: replace, mode: 0o600)
        return try DHTKey(seed: seed)
    }

    /// The key at `path`, created on first use.
    public static func loadOrCreate(_ path: String) throws -> DHTKey {
        FileIO.exists(path) ? try load(path) : try create(path, replace: false)
    }
}

public func hexBytes(_ text: String) -> [UInt8]? {
    let digits = Array(text.utf8)
    // UInt8(_:radix:) alone would take "+1" for a byte.
    guard digits.count % 2 == 0, digits.allSatisfy({ UInt8(ascii: "0")...UInt8(ascii: "9") ~= $0
        || UInt8(ascii: "a")...UInt8(ascii: "f") ~= $0 || UInt8(ascii: "A")...UInt8(ascii: "F") ~= $0 }) else { return nil }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(digits.count / 2)
    for i in stride(from: 0, to: digits.count, by: 2) {
        guard let byte = UInt8(String(decoding: digits[i...i + 1], as: UTF8.self), radix: 16) else { return nil }
        bytes.append(byte)
    }
    return bytes
}
