import TorrentKit

extension Blocklist {
    /// The biggest public lists are tens of MiB unpacked; past this it is no list.
    public static let sizeLimit = 256 << 20

    /// Reads the list at `path`, gzip-compressed or not. A list that cannot
    /// be used at all is an error (a missing one exits 3, any other 1):
    /// a session asked to block must never run without its list. Bad lines
    /// are only counted.
    public static func load(_ path: String) throws -> Blocklist {
        var bytes: [UInt8]
        do {
            guard let read = try FileIO.readStateFile(path, limit: sizeLimit) else {
                throw BTXError.notFound("blocklist \(path): No such file or directory")
            }
            bytes = read
        } catch let error as BTXError where !error.message.hasPrefix("blocklist ") {
            throw BTXError(exitCode: error.exitCode, message: "blocklist \(error.message)")
        }
        if let kind = unsupportedArchive(bytes) {
            throw BTXError.failure("blocklist \(path) is \(kind); btx reads text lists, plain or gzip-compressed")
        }
        let compressed = bytes.starts(with: [0x1F, 0x8B])
        if compressed {
            do {
                bytes = try gunzip(bytes, limit: sizeLimit)
            } catch let error as TorrentKitError {
                throw BTXError.failure("blocklist \(path): \(error.message)")
            }
        }
        var list = Blocklist(parsing: bytes)
        list.compressed = compressed
        return list
    }

    /// What the list's first bytes say it is, when that is a format btx does not unpack.
    private static func unsupportedArchive(_ bytes: [UInt8]) -> String? {
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return "a zip archive (unzip it first)" }
        if bytes.starts(with: [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C]) { return "a 7-Zip archive (unpack it first)" }
        if bytes.starts(with: [UInt8](repeating: 0xFF, count: 8) + Array("P2B".utf8)) {
            return "a PeerGuardian binary (.p2b) list (use its text form, .p2p)"
        }
        return nil
    }
}
