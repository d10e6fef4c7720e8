import BTXSession
import Glibc
import TorrentKit

let createCommand = Command(
    name: "create",
    usage: "create PATH [-o FILE] [-t URL]... [options]",
    summary: "make a .torrent from a file or directory",
    details: """
        Hashes PATH on every core and writes the torrent to FILE (default: NAME.torrent in the \
        current directory; - writes it to standard output). Prints the info-hash(es) and the magnet link.
        The default format is v1: every client reads it, it hashes fastest, and it needs no padding \
        files, which older clients would write to disk. --hybrid adds v2 metadata for v2-aware \
        clients while v1 ones still work; --v2 makes a v2-only torrent.
        The automatic piece size is the smallest power of two from 16 KiB to 16 MiB giving at most \
        2048 pieces; for v2 and hybrid torrents, whose files each start on a new piece, every file \
        may add one piece to that budget.
        Symlinks that stay inside PATH are followed; links leading out of it, dangling links, loops \
        and special files are skipped with a warning. \
        Empty directories cannot be represented in a torrent.
        """,
    options: [
        OptionSpec(long: "output", short: "o", argument: "FILE", summary: "write the torrent to FILE (- for stdout)", completion: .file),
        OptionSpec(long: "tracker", short: "t", argument: "URL", summary: "announce URL, one tier each; URL,URL shares a tier", repeatable: true),
        OptionSpec(long: "web-seed", short: "w", argument: "URL", summary: "HTTP seed URL (BEP 19)", repeatable: true),
        OptionSpec(long: "piece-size", argument: "SIZE", summary: "piece size such as 256K or 4M (default: automatic)"),
        OptionSpec(long: "private", summary: "mark private: peers only from the trackers"),
        OptionSpec(long: "comment", argument: "TEXT", summary: "free-form comment"),
        OptionSpec(long: "source", argument: "TEXT", summary: "source tag (changes the info-hash; used by private trackers)"),
        OptionSpec(long: "creator", argument: "TEXT", summary: "created-by text (default: btx VERSION)"),
        OptionSpec(long: "no-date", summary: "leave out the creation date, for reproducible torrents"),
        OptionSpec(long: "v1", summary: "BitTorrent v1 torrent (the default)"),
        OptionSpec(long: "v2", summary: "BitTorrent v2-only torrent"),
        OptionSpec(long: "hybrid", summary: "v1 + v2 hybrid torrent"),
        OptionSpec(long: "exclude", argument: "GLOB", summary: "leave out entries whose name or path matches GLOB", repeatable: true),
        OptionSpec(long: "threads", argument: "N", summary: "hashing threads (default: one per core)"),
        OptionSpec(long: "force", short: "f", summary: "replace FILE if it exists"),
    ],
    positional: .file,
    run: runCreate
)

private func runCreate(_ invocation: Invocation) throws {
    try invocation.expectArguments(1, 1)
    let path = invocation.arguments[0]
    let options = try torrentOptions(invocation)
    let out = invocation.output
    if invocation.value("output") == "-" && out.json {
        // Standard output is the torrent's bytes then; a document after them would corrupt it.
        throw BTXError.usage("-o - writes the torrent to standard output: leave out --json", command: "create")
    }

    // Fail before hashing, not after minutes of it.
    let content = try scanContent(path, exclude: invocation.all("exclude"))
    let destination = invocation.value("output") ?? content.name + ".torrent"
    let force = invocation.flag("force")
    if destination != "-" && !force && FileIO.exists(destination) {
        throw BTXError.failure("\(destination) already exists (use --force to replace it)")
    }
    let bytes = try hashContent(content, options: options, output: out)

    if destination == "-" {
        bytes.withUnsafeBytes { _ = fwrite($0.baseAddress, 1, $0.count, stdout) }
        return
    }
    try FileIO.writeAtomically(bytes, to: destination, replace: force)
    let info = try TorrentInfo(bytes: bytes)
    if out.json {
        var fields: [(String, JSON)] = [("path", .string(destination)), ("format", .string(options.format.rawValue))]
        if case .object(let rest) = info.document { fields += rest }
        fields.append(("skipped", .array(content.skipped.map(JSON.string))))
        out.document(.object(fields))
        return
    }
    var fields: [(String, String)] = [("created", destination), ("name", info.name)]
    if let v1 = info.infoHashV1 { fields.append(("info hash v1", v1)) }
    if let v2 = info.infoHashV2 { fields.append(("info hash v2", v2)) }
    fields += [
        ("size", "\(Units.bytes(info.totalSize)) in \(info.fileCount) file\(info.fileCount == 1 ? "" : "s")"),
        ("pieces", "\(info.pieceCount) × \(Units.bytes(Int64(info.pieceLength)))"),
        ("magnet", info.magnetURI),
    ]
    out.fields(fields)
}

/// The files of a torrent to be made of `path`, found before any hashing.
func scanContent(_ path: String, exclude: [String]) throws -> TorrentContent {
    do {
        return try TorrentContent.scan(path, exclude: exclude)
    } catch let error as TorrentKitError where error.code == .io {
        throw BTXError(exitCode: FileIO.exists(path) ? .failure : .notFound, message: error.message)
    }
}

/// The torrent's bytes, hashed on every core with a progress bar; Ctrl-C stops it.
func hashContent(_ content: TorrentContent, options: TorrentOptions, output: Output) throws -> [UInt8] {
    for entry in content.skipped { output.warning("skipped \(entry)") }
    installInterruptHandlers()
    let bar = ProgressBar(output: output, label: "hashing")
    let bytes = try TorrentCreator.create(content, options: options) { done, total in
        bar.update(done: done, total: total)
        return !interruptRequested()
    }
    bar.finish()
    return bytes
}

private func torrentOptions(_ invocation: Invocation) throws -> TorrentOptions {
    var options = TorrentOptions()
    let formats = ["v1", "v2", "hybrid"].filter(invocation.flag)
    guard formats.count <= 1 else {
        throw BTXError.usage("choose one of --v1, --v2 and --hybrid", command: "create")
    }
    options.format = formats.first.flatMap(TorrentFormat.init(rawValue:)) ?? .v1
    if let text = invocation.value("piece-size") {
        guard let size = Units.parseSize(text), size >= PieceLength.minimum, size <= 128 << 20, size & (size - 1) == 0 else {
            throw BTXError.usage("--piece-size must be a power of two from 16K to 128M, got '\(text)'", command: "create")
        }
        options.pieceLength = Int(size)
    }
    options.trackerTiers = try invocation.all("tracker").map { tier in
        let urls = tier.split(separator: ",").map { String($0).trimmingSpaces }.filter { !$0.isEmpty }
        for url in urls where !isURL(url, schemes: ["http", "https", "udp", "ws", "wss"]) {
            throw BTXError.usage("'\(url)' is not a tracker URL (http, https or udp)", command: "create")
        }
        return urls
    }.filter { !$0.isEmpty }
    options.webSeeds = try invocation.all("web-seed").map { url in
        guard isURL(url, schemes: ["http", "https", "ftp"]) else {
            throw BTXError.usage("'\(url)' is not a web seed URL (http or https)", command: "create")
        }
        return url
    }
    options.isPrivate = invocation.flag("private")
    options.comment = invocation.value("comment")
    options.source = invocation.value("source")
    options.creator = invocation.value("creator") ?? "btx \(btxVersion)"
    options.creationDate = invocation.flag("no-date") ? nil : Int64(time(nil))
    if let text = invocation.value("threads") {
        guard let n = Int(text), n >= 1, n <= 256 else {
            throw BTXError.usage("--threads must be a number from 1 to 256, got '\(text)'", command: "create")
        }
        options.threads = n
    }
    return options
}

private func isURL(_ text: String, schemes: [String]) -> Bool {
    guard let colon = text.firstIndex(of: ":") else { return false }
    let rest = text[colon...]
    return schemes.contains(text[..<colon].lowercased()) && rest.hasPrefix("://") && rest.count > 3
}
