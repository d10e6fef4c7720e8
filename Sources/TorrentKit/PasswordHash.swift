import CBTX

/// PBKDF2-HMAC-SHA256: a password kept only as this, with its salt, costs
/// an attacker who reads the file `iterations` hashes per guess.
public func pbkdf2SHA256(password: String, salt: [UInt8], iterations: Int, length: Int = 32) throws -> [UInt8] {
    var out = [UInt8](repeating: 0, count: length)
    let count = password.utf8.count
    _ = try password.withCString { chars in
        try check(btx_pbkdf2_sha256(chars, count, salt, salt.count, Int32(iterations), &out, length))
    }
    return out
}
