/// A folder the daemon adds torrents from (`--watch DIR`, config
/// `watch = DIR [label=L] [output=PATH]`).
public struct WatchFolder: Equatable {
    public let path: String
    public var label: String?
    /// Where its torrents download; the daemon's own default otherwise.
    public var output: String?

    public init(path: String, label: String? = nil, output: String? = nil) {
        self.path = path
        self.label = label
        self.output = output
    }

    /// A config line's value: DIR, then label=L and output=PATH in any order.
    public init(configValue text: String) throws {
        var words = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard !words.isEmpty else { throw BTXError.failure("watch needs a folder") }
        var label: String?, output: String?
        while let last = words.last, words.count > 1, let eq = last.firstIndex(of: "="),
              ["label", "output"].contains(String(last[..<eq])) {
            let value = String(last[last.index(after: eq)...])
            guard !value.isEmpty else { throw BTXError.failure("watch: \(last[..<eq])= needs a value") }
            if last.hasPrefix("label=") { label = value } else { output = value }
            words.removeLast()
        }
        self.init(path: words.joined(separator: " "), label: label, output: output)
    }

    /// What it picks up: a .torrent, or a .magnet of magnet links or info-hashes, one a line.
    static func isPickedUp(_ name: String) -> Bool {
        !name.hasPrefix(".") && (name.hasSuffix(".torrent") || name.hasSuffix(".magnet"))
    }
}
