import Glibc
import BTXSession
import TorrentKit

/// `btx _complete torrents`: what the shell completions offer for a TORRENT,
/// one "INFO-HASH<TAB>NAME" line per saved torrent, by name, and a third
/// field, "shared", when other torrents have that name too (the name then
/// selects none of them: the shells offer their hashes). Hidden from
/// help: the completions call it on every <TAB>, so it reads only each
/// resume file's name, with no libtorrent and no session.
let completeCommand = Command(
    name: "_complete",
    usage: "_complete torrents",
    summary: "print the saved torrents for shell completion",
    run: { invocation in
        try invocation.expectArguments(1, 1)
        guard invocation.arguments[0] == "torrents" else {
            throw BTXError.usage("_complete knows only 'torrents'")
        }
        let directory = StateDirectory(invocation: invocation)
        var lines: [(name: String, hash: String)] = []
        for hash in (try? directory.savedHashes()) ?? [] {
            guard let bytes = try? directory.loadResumeData(hash) else { continue }
            let name = BencodeValue.string(forKey: "name", inDictionary: bytes).map { String(decoding: $0, as: UTF8.self) } ?? ""
            // A tab or newline would break the lines the shells split, and a
            // control would reach the terminal; a name is otherwise as it is
            // (escaped, a right-to-left mark in it would complete to nothing).
            lines.append((String(String.UnicodeScalarView(name.unicodeScalars.filter {
                $0.value >= 0x20 && !(0x7F...0x9F).contains($0.value) && $0 != "\u{2028}" && $0 != "\u{2029}"
            })), hash))
        }
        var counts: [String: Int] = [:]
        for line in lines { counts[line.name, default: 0] += 1 }
        for line in lines.sorted(by: { ($0.name, $0.hash) < ($1.name, $1.hash) }) {
            // The tab is the shells' separator.
            let shared = !line.name.isEmpty && counts[line.name, default: 0] > 1
            write(line.hash + "\t" + line.name + (shared ? "\tshared" : "") + "\n", to: stdout)
        }
    }
)

/// Commands that work but are not listed: the completions' helper.
let hiddenCommands = [completeCommand]
