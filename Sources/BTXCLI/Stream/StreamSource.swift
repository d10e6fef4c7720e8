import BTXSession

/// What cat and serve read: a .torrent file, a magnet link or an info-hash
/// to add; nil for the name (or hash prefix) of a torrent the session has or
/// saved, also when a folder of that name is at hand (the torrent's own
/// data, as likely as not).
func streamSource(_ argument: String) throws -> AddSource? {
    if FileIO.isDirectory(argument) { return nil }
    let hex = argument.lowercased()
    let isHash = (hex.count == 40 || hex.count == 64) && hex.allSatisfy(\.isHexDigit)
    guard argument.hasPrefix("magnet:") || isHash || argument == "-" || argument.contains("/")
            || FileIO.exists(argument) || argument.hasSuffix(".torrent") else { return nil }
    return try AddSource.resolve(argument)
}
