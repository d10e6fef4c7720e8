import TorrentKit

/// A mutable torrent (BEP 46): a publisher's ed25519 public key and a salt,
/// under which the DHT holds the info-hash of the content's current version.
/// Its magnet link is `magnet:?xs=urn:btpk:KEY&s=SALT`, both in hex.
public struct MutableTorrentLink: Equatable {
    /// 64 lowercase hex digits.
    public let publicKey: String
    public let salt: [UInt8]
    /// The link's other parameters (trackers, a name, peers), as written:
    /// a version's magnet carries them.
    public let extras: [String]

    /// BEP 44's limit.
    public static let maxSaltBytes = 64

    public init(publicKey: String, salt: [UInt8], extras: [String] = []) throws {
        let key = publicKey.lowercased()
        guard key.utf8.count == 64, hexBytes(key) != nil else {
            throw BTXError.usage("'\(publicKey)' is not a public key: 64 hex digits")
        }
        guard salt.count <= Self.maxSaltBytes else {
            throw BTXError.usage("the salt is \(salt.count) bytes; BEP 44 allows \(Self.maxSaltBytes)")
        }
        self.publicKey = key
        self.salt = salt
        self.extras = extras
    }

    /// nil for a magnet link that names no public key (an ordinary one).
    public init?(magnet: String) throws {
        guard magnet.hasPrefix("magnet:?") else { return nil }
        var key: String?
        var salt: String?
        var extras: [String] = []
        for pair in magnet.dropFirst("magnet:?".count).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            let value = parts.count == 2 ? percentDecoded(parts[1]) ?? String(parts[1]) : ""
            if parts[0] == "xs", value.lowercased().hasPrefix("urn:btpk:") {
                key = String(value.dropFirst("urn:btpk:".count))
            } else if parts[0] == "s" {
                salt = value
            } else {
                extras.append(String(pair))
            }
        }
        guard let key else { return nil }
        guard let saltBytes = hexBytes(salt ?? "") else {
            throw BTXError.usage("the salt in \(magnet) is not hex (s=HEX)")
        }
        try self.init(publicKey: key, salt: saltBytes, extras: extras)
    }

    public var magnet: String {
        "magnet:?xs=urn:btpk:\(publicKey)" + (salt.isEmpty ? "" : "&s=" + lowercaseHex(salt))
    }

    /// What the DHT item holds for a version: BEP 46's {"ih": the v1
    /// info-hash}, or the 32-byte v2 one for a v2-only torrent.
    public static func value(infoHashV1: String?, infoHashV2: String?) -> [UInt8] {
        let hash = (infoHashV1 ?? infoHashV2).flatMap(hexBytes) ?? []
        return BencodeValue.dictionary([(Array("ih".utf8), .bytes(hash))]).bencoded
    }

    /// The magnet link of the version an item's value names, with the link's other parameters.
    public func versionMagnet(fromValue value: [UInt8]) throws -> String {
        try ([Self.versionTopic(fromValue: value)] + extras).joined(separator: "&")
    }

    private static func versionTopic(fromValue value: [UInt8]) throws -> String {
        guard case .dictionary(let pairs)? = BencodeValue(bencoded: value),
              case .bytes(let hash)? = pairs.first(where: { $0.0 == Array("ih".utf8) })?.1,
              hash.count == 20 || hash.count == 32 else {
            throw BTXError.failure("the item holds no info-hash (BEP 46 wants {\"ih\": 20 or 32 bytes}): not a mutable torrent")
        }
        return hash.count == 20 ? "magnet:?xt=urn:btih:\(lowercaseHex(hash))" : "magnet:?xt=urn:btmh:1220\(lowercaseHex(hash))"
    }
}
