import Glibc
import TorrentKit

/// `--only LIST`: comma-separated file indices (`3`), ranges (`2-5`) and
/// globs (`*.iso`, matched against the path in the torrent, the path
/// without the torrent's folder, and the file name). Chosen files get the
/// normal priority, the others 0 (not downloaded).
public struct FileSelection {
    public let list: String

    public init(list: String) { self.list = list }

    public func priorities(for files: [FileEntry]) throws -> [UInt8] {
        let chosen = try indices(in: files, option: "--only", command: "add")
        return files.map { chosen.contains($0.index) ? 4 : 0 }
    }

    /// The files the list names; `option` and `command` name it in errors.
    /// An `option` without a leading "-" is an argument's placeholder (cat's
    /// FILE): errors then speak of the torrent, not of it.
    public func indices(in files: [FileEntry], option: String, command: String) throws -> Set<Int> {
        let named = option.hasPrefix("-") ? option + ": " : ""
        var chosen = Set<Int>()
        for item in list.split(separator: ",").map({ $0.trimmingSpaces }) where !item.isEmpty {
            if let range = indexRange(item) {
                guard range.lowerBound >= 0, range.upperBound < files.count else {
                    let which = range.count == 1 ? "index \(item)" : "indices \(item)"
                    throw BTXError.usage("\(named)the torrent has no file with \(which); it has \(files.count) (see 'btx files')",
                                         command: command)
                }
                chosen.formUnion(range)
                continue
            }
            let matched = files.filter { matches(item, $0.path) }
            guard !matched.isEmpty else {
                throw BTXError.usage("\(named)'\(item)' matches no file of the torrent (see 'btx files')", command: command)
            }
            chosen.formUnion(matched.map(\.index))
        }
        guard !chosen.isEmpty else {
            throw BTXError.usage(named.isEmpty ? "name at least one file" : "\(option) needs at least one file", command: command)
        }
        return chosen
    }

    private func indexRange(_ item: String) -> ClosedRange<Int>? {
        let bounds = item.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).map { Int($0) }
        if bounds.count == 1, let n = bounds[0] { return n...n }
        if bounds.count == 2, let a = bounds[0], let b = bounds[1], a <= b { return a...b }
        return nil
    }

    private func matches(_ pattern: String, _ path: String) -> Bool {
        let components = path.split(separator: "/")
        let candidates: [String] = [path, components.dropFirst().joined(separator: "/"), String(components.last ?? "")]
        for candidate in candidates where !candidate.isEmpty && fnmatch(pattern, candidate, 0) == 0 { return true }
        return false
    }
}
