import BTXSession

/// Keeps password guessers off: an address that fails to log in 5 times
/// within 10 minutes is refused for 10 minutes without a check (each check
/// costs the listener's one thread a few milliseconds of PBKDF2), as
/// qBittorrent bans an address after 5 failures.
/// `count` letters and digits from the system's secure generator: a session
/// id or cookie no one can guess.
func randomToken(_ count: Int) -> String {
    var random = SystemRandomNumberGenerator()
    let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    return String((0..<count).map { _ in letters[Int.random(in: 0..<letters.count, using: &random)] })
}

final class AuthGuard {
    static let allowed = 5
    static let window = 600.0
    private var failures: [String: [Double]] = [:]

    func isBanned(_ address: String, now: Double = monotonicSeconds()) -> Bool {
        recent(address, now).count >= Self.allowed
    }

    func failed(_ address: String, now: Double = monotonicSeconds()) {
        failures[address] = recent(address, now) + [now]
        // A crowd of addresses cannot grow this without bound.
        if failures.count > 10_000 { failures = failures.filter { !recent($0.key, now).isEmpty } }
    }

    private func recent(_ address: String, _ now: Double) -> [Double] {
        (failures[address] ?? []).filter { now - $0 < Self.window }
    }
}
