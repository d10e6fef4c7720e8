import BTXSession
import Glibc
import TorrentKit

let editCommand = Command(
    name: "edit",
    usage: "edit FILE.torrent [--add-tracker URL [--tier N]] [--remove-tracker URL] [options]",
    summary: "change a .torrent file's trackers, web seeds, comment, private flag or source",
    details: """
        Rewrites FILE in place (atomically: the old file stays whole until the new one is complete) or writes \
        the result to -o OUT, changing only what the options name: every other byte stays as it was, so \
        trackers, web seeds and the comment, which live outside the info dictionary, leave the info-hash \
        unchanged. --private (as in create) sets the private flag and --no-private clears it. --private, \
        --no-private and --source are part of the info dictionary: the edited torrent has a new \
        info-hash (a new swarm), which is printed with a warning. Tracker edits apply in this order: \
        --replace-trackers (each one a tier; URL,URL shares a tier), then --remove-tracker, then \
        --add-tracker (each into a new tier at the end, or all into tier N with --tier; a URL the torrent \
        has already stays where it is). Trackers are http://, https:// or udp:// URLs, web seeds http:// or \
        https://. An empty --comment or --source removes it, an empty --replace-trackers every tracker. Removing a tracker or web seed the torrent does \
        not have is an error (exit 3) and nothing is written.
        """,
    options: [
        OptionSpec(long: "add-tracker", argument: "URL", summary: "add an announce URL (a new tier, or tier N with --tier)", repeatable: true),
        OptionSpec(long: "tier", argument: "N", summary: "put the added trackers into tier N (from 0)"),
        OptionSpec(long: "remove-tracker", argument: "URL", summary: "remove an announce URL from every tier", repeatable: true),
        OptionSpec(long: "replace-trackers", argument: "URL,...", summary: "replace every tracker: one tier each, URL,URL shares a tier", repeatable: true),
        OptionSpec(long: "add-web-seed", argument: "URL", summary: "add an HTTP seed URL (BEP 19)", repeatable: true),
        OptionSpec(long: "remove-web-seed", argument: "URL", summary: "remove an HTTP seed URL", repeatable: true),
        OptionSpec(long: "comment", argument: "TEXT", summary: "set the comment (\"\" removes it)"),
        OptionSpec(long: "private", summary: "mark private: peers only from the trackers (changes the info-hash)"),
        OptionSpec(long: "no-private", summary: "clear the private flag (changes the info-hash)"),
        OptionSpec(long: "source", argument: "TEXT", summary: "set the source tag (changes the info-hash; \"\" removes it)"),
        OptionSpec(long: "output", short: "o", argument: "OUT", summary: "write to OUT (- for stdout) instead of FILE", completion: .file),
        OptionSpec(long: "force", short: "f", summary: "replace OUT if it exists"),
    ],
    positional: .torrentFile,
    run: runEdit
)

private func runEdit(_ invocation: Invocation) throws {
    try invocation.expectArguments(1, 1)
    let path = invocation.arguments[0]
    let edit = try metainfoEdit(invocation)
    let inPlace = invocation.value("output") == nil
    if invocation.value("output") == "-" && invocation.output.json {
        throw BTXError.usage("-o - writes the torrent to standard output: leave out --json", command: "edit")
    }
    if path == "-" && inPlace { throw BTXError.usage("a torrent read from standard input needs -o OUT", command: "edit") }
    // In place through a symlink edits the file it points to, not the link.
    let destination = invocation.value("output") ?? FileIO.resolved(path)
    if !inPlace && destination != "-" && !invocation.flag("force") && FileIO.exists(destination) {
        throw BTXError.failure("\(destination) already exists (use --force to replace it)")
    }

    let bytes = try FileIO.read(path)
    let shown = path == "-" ? "standard input" : path
    let before: TorrentInfo
    do {
        before = try TorrentInfo(bytes: bytes)
    } catch let error as TorrentKitError {
        throw BTXError.failure("\(shown) is not a valid torrent: \(error.message)")
    }
    let edited: [UInt8]
    do {
        edited = try edit.apply(to: bytes)
    } catch let error as TorrentKitError {
        switch error.code {
        case .notFound: throw BTXError.notFound("\(shown): \(error.message)")
        case .invalidArgument: throw BTXError.usage(error.message, command: "edit")
        default: throw BTXError.failure("\(shown): \(error.message)")
        }
    }
    let after = try TorrentInfo(bytes: edited)

    if destination == "-" {
        edited.withUnsafeBytes { _ = fwrite($0.baseAddress, 1, $0.count, stdout) }
    } else {
        // In place, the file keeps its permissions.
        try FileIO.writeAtomically(edited, to: destination, replace: inPlace || invocation.flag("force"),
                                   mode: inPlace ? FileIO.mode(path) ?? 0o644 : 0o644)
    }
    let changed = after.infoHashV1 != before.infoHashV1 || after.infoHashV2 != before.infoHashV2
    let out = invocation.output
    if changed {
        out.warning("the info-hash changed from \(before.infoHash) to \(after.infoHash): to peers and trackers this is a new torrent")
    }
    if destination == "-" { return }
    if out.json {
        var fields: [(String, JSON)] = [("path", .string(destination)), ("info_hash_changed", .bool(changed)),
                                        ("previous_info_hash", .string(before.infoHash))]
        if case .object(let rest) = after.document { fields += rest }
        out.document(.object(fields))
        return
    }
    var lines: [(String, String)] = [("written", destination)]
    if let v1 = after.infoHashV1 { lines.append(("info hash v1", v1 + (changed ? " (new)" : ""))) }
    if let v2 = after.infoHashV2 { lines.append(("info hash v2", v2 + (changed ? " (new)" : ""))) }
    for (tier, trackers) in Dictionary(grouping: after.trackers, by: \.tier).sorted(by: { $0.key < $1.key }) {
        lines.append(("tier \(tier)", trackers.map(\.url).joined(separator: " ")))
    }
    for seed in after.webSeeds { lines.append(("web seed", seed)) }
    if let comment = after.comment { lines.append(("comment", comment)) }
    lines.append(("private", after.isPrivate ? "yes" : "no"))
    if let source = after.source { lines.append(("source", source)) }
    out.fields(lines)
}

/// The options as one edit, checked before the file is read.
private func metainfoEdit(_ invocation: Invocation) throws -> MetainfoEdit {
    var edit = MetainfoEdit()
    let replaced = invocation.all("replace-trackers")
    if !replaced.isEmpty {
        edit.replaceTrackers = replaced.map { $0.split(separator: ",").map(String.init) }.filter { !$0.isEmpty }
    }
    edit.removeTrackers = invocation.all("remove-tracker")
    edit.addTrackers = invocation.all("add-tracker")
    if let text = invocation.value("tier") {
        guard let tier = Int(text), tier >= 0 else {
            throw BTXError.usage("--tier: '\(text)' is not a tier number (0, 1, ...)", command: "edit")
        }
        guard !edit.addTrackers.isEmpty else { throw BTXError.usage("--tier goes with --add-tracker", command: "edit") }
        edit.addTier = tier
    }
    edit.addWebSeeds = invocation.all("add-web-seed")
    edit.removeWebSeeds = invocation.all("remove-web-seed")
    edit.comment = invocation.value("comment")
    edit.source = invocation.value("source")
    switch (invocation.flag("private"), invocation.flag("no-private")) {
    case (true, true): throw BTXError.usage("--private and --no-private contradict each other", command: "edit")
    case (true, false): edit.isPrivate = true
    case (false, true): edit.isPrivate = false
    case (false, false): break
    }
    guard !edit.isEmpty else {
        throw BTXError.usage("nothing to change: give a tracker, web seed, --comment, --private, --no-private or --source option",
                             command: "edit")
    }
    return edit
}
