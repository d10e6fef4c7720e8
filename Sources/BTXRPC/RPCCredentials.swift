import BTXSession
import TorrentKit

/// The user and password the RPC listener asks for (HTTP basic auth). The
/// password is kept only as a salted PBKDF2 hash: a plain one in the config
/// is replaced there by its hash when the daemon starts, as transmission
/// does with its settings.json.
public struct RPCCredentials {
    public let user: String
    private let iterations: Int
    private let salt: [UInt8]
    private let digest: [UInt8]

    static let scheme = "pbkdf2-sha256"
    /// About 5 ms a guess here: slow for a guesser, unnoticed by a client
    /// (an accepted header is remembered, see RPCService).
    static let iterations = 20_000

    /// `password`: as the config holds it, plain or as `storedForm` wrote it.
    public init(user: String, password: String) throws {
        self.user = user
        let parts = password.split(separator: "$", omittingEmptySubsequences: false)
        if parts.count == 4, parts[0] == Substring(Self.scheme) {
            guard let iterations = Int(parts[1]), (1...10_000_000).contains(iterations),
                  let salt = hexBytes(String(parts[2])), let digest = hexBytes(String(parts[3])), digest.count == 32, !salt.isEmpty else {
                throw BTXError.failure("rpc-password: a damaged \(Self.scheme) hash; set the password again in plain text")
            }
            (self.iterations, self.salt, self.digest) = (iterations, salt, digest)
        } else {
            var random = SystemRandomNumberGenerator()
            let salt = (0..<16).map { _ in UInt8.random(in: 0...255, using: &random) }
            (iterations, self.salt) = (Self.iterations, salt)
            digest = try pbkdf2SHA256(password: password, salt: salt, iterations: Self.iterations)
        }
    }

    /// What the config keeps: the hash, never the password.
    public var storedForm: String { "\(Self.scheme)$\(iterations)$\(hexString(salt))$\(hexString(digest))" }

    public static func isHashed(_ password: String) -> Bool { password.hasPrefix(scheme + "$") }

    func accepts(user: String, password: String) -> Bool {
        guard let tried = try? pbkdf2SHA256(password: password, salt: salt, iterations: iterations) else { return false }
        // Compared in full, whatever differs first: no timing tells how close a guess came.
        let sameUser = Array(user.utf8).constantTimeEquals(Array(self.user.utf8))
        return tried.constantTimeEquals(digest) && sameUser
    }
}

extension Array where Element == UInt8 {
    func constantTimeEquals(_ other: [UInt8]) -> Bool {
        var difference = UInt8(count == other.count ? 0 : 1)
        for i in 0..<Swift.min(count, other.count) { difference |= self[i] ^ other[i] }
        return difference == 0
    }
}

private func hexString(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef")
    return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
}
