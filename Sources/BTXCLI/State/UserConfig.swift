/// Optional defaults from `$XDG_CONFIG_HOME/btx/config`: `key = value`
/// lines, `#` comments. Command-line options win over it.
struct UserConfig {
    static let keys: [String: String] = [
        "listen": "PORT or ADDRESS:PORT to listen on",
        "output": "download directory",
        "max-down": "session download cap, e.g. 5M",
        "max-up": "session upload cap",
        "bootstrap": "comma-separated DHT bootstrap nodes, HOST:PORT",
        "dht": "on/off",
        "lsd": "local peer discovery, on/off",
        "upnp": "on/off",
        "natpmp": "on/off",
        "utp": "on/off",
    ]

    private(set) var values: [String: String] = [:]

    subscript(key: String) -> String? { values[key] }

    static func load(_ path: String) throws -> UserConfig {
        guard FileIO.isRegularFile(path) else { return UserConfig() }
        var config = UserConfig()
        let text = String(decoding: try FileIO.read(path), as: UTF8.self)
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
            guard !line.allSatisfy(\.isWhitespace) else { continue }
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingSpaces }
            guard parts.count == 2, Self.keys[parts[0]] != nil else {
                throw CLIError.failure("\(path):\(number + 1): expected one of \(Self.keys.keys.sorted().joined(separator: ", ")) = VALUE")
            }
            config.values[parts[0]] = parts[1]
        }
        return config
    }

    /// nil when unset; an error naming the key for anything but on/off.
    func switchValue(_ key: String) throws -> Bool? {
        guard let value = values[key] else { return nil }
        switch value.lowercased() {
        case "on", "yes", "true", "1": return true
        case "off", "no", "false", "0": return false
        default: throw CLIError.failure("config: \(key) must be on or off, not '\(value)'")
        }
    }
}
