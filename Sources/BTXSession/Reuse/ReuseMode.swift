/// How a file already on disk becomes a torrent's (`--reuse`, config `reuse`).
public enum ReuseMode: String, CaseIterable, Sendable {
    /// A copy-on-write clone where the filesystem makes one (btrfs, XFS,
    /// bcachefs), else a plain copy: the two files never change each other.
    case reflink
    /// A hard link, else a copy (another filesystem): no space used, but
    /// the two names are one file.
    case link
    case copy
    case off

    public static let `default` = ReuseMode.reflink

    public init(parsing text: String, option: String) throws {
        guard let mode = ReuseMode(rawValue: text) else {
            throw BTXError.usage("\(option): '\(text)' is not reflink, link, copy or off")
        }
        self = mode
    }
}
