import BTXSession
import TorrentKit

/// `verify FILE.torrent DIR`: the data in DIR checked against the file, with
/// no session and no saved state.
func verifyContent(torrent path: String, directory: String, invocation: Invocation) throws {
    let bytes = try FileIO.read(path)
    let shown = path == "-" ? "standard input" : path
    let info: TorrentInfo
    do {
        info = try TorrentInfo(bytes: bytes, includeFiles: true)
    } catch let error as TorrentKitError {
        throw BTXError.failure("\(shown) is not a valid torrent: \(error.message)")
    }
    // Absolute, as every other document's save_path.
    let savePath = absolutePath(try contentSavePath(directory, info: info))
    let out = invocation.output
    installInterruptHandlers()
    let bar = ProgressBar(output: out, label: "checking")
    let check: ContentCheck
    do {
        check = try ContentCheck.run(metainfo: bytes, savePath: savePath) { done, total in
            bar.update(done: done, total: total)
            return !interruptRequested()
        }
    } catch let error as TorrentKitError where error.code == .cancelled {
        bar.finish()
        throw BTXError(exitCode: interruptExitCode(), message: "verify interrupted")
    } catch let error as TorrentKitError {
        bar.finish()
        // Read errors name their file; a torrent that cannot be checked is named here.
        throw BTXError.failure(error.code == .parse ? "\(shown): \(error.message)" : error.message)
    }
    bar.finish()

    let indices = { (state: ContentCheck.State) in check.pieces.indices.filter { check.pieces[$0] == state } }
    let good = check.count(.good), bad = check.count(.bad), missing = check.count(.missing)
    let filesGood = check.files.filter { $0.state == .good }.count
    if out.json {
        out.document(.object([
            ("name", .string(info.name)), ("info_hash", .string(info.infoHash)), ("save_path", .string(savePath)),
            ("hash", .string(check.hashVersion == 2 ? "sha256" : "sha1")),
            ("pieces", .int(check.pieces.count)), ("pieces_done", .int(good)), ("pieces_bad", .int(bad)),
            ("pieces_missing", .int(missing)),
            ("bad_pieces", .array(indices(.bad).map(JSON.int))), ("missing_pieces", .array(indices(.missing).map(JSON.int))),
            ("files", .array(check.files.map(\.document))), ("files_good", .int(filesGood)),
            ("complete", .bool(check.isComplete)),
        ]))
    } else {
        let columns = [TableColumn("INDEX", numeric: true), TableColumn("STATE"), TableColumn("PIECES", numeric: true),
                       TableColumn("SIZE", numeric: true, drop: 2), TableColumn("ON DISK", numeric: true, drop: 1),
                       TableColumn("PATH", flexible: true)]
        out.table(columns, check.files.map { file in
            [TableCell(file.index), TableCell(file.state.rawValue), TableCell("\(file.piecesGood)/\(file.pieces)"),
             TableCell(Units.bytes(file.size), raw: String(file.size)),
             TableCell(file.sizeOnDisk.map(Units.bytes) ?? "-", raw: file.sizeOnDisk.map(String.init) ?? ""), TableCell(file.path)]
        })
        out.line("\(info.name): \(good) of \(check.pieces.count) pieces good, \(bad) bad, \(missing) missing; "
                 + "\(filesGood) of \(check.files.count) files good")
    }
    if !check.isComplete {
        let brokenFiles = check.files.count - filesGood
        let broken = bad + missing
        throw BTXError(exitCode: .failure, message: "\(info.name): \(broken) piece\(broken == 1 ? "" : "s") bad or missing, "
                       + "\(brokenFiles) file\(brokenFiles == 1 ? "" : "s") not good", reported: true)
    }
}

/// Where the torrent's paths start: DIR itself (what add -o DIR wrote
/// into), or, when DIR is the torrent's own folder or single file, the
/// folder that holds it.
private func contentSavePath(_ directory: String, info: TorrentInfo) throws -> String {
    guard FileIO.exists(directory) else { throw BTXError.notFound("\(directory): No such file or directory") }
    let trimmed = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
    let base = trimmed.split(separator: "/").last.map(String.init) ?? trimmed
    let parent = trimmed.contains("/") ? String(trimmed[..<trimmed.lastIndex(of: "/")!]) : "."
    let top = info.files.first?.path.split(separator: "/").first.map(String.init) ?? info.name
    if FileIO.isDirectory(trimmed) {
        if FileIO.exists(trimmed + "/" + top) || base != top { return trimmed }
        return parent.isEmpty ? "/" : parent
    }
    guard base == top else {
        throw BTXError.failure("\(directory) is a file, not a directory (the torrent's data is \(top))")
    }
    return parent.isEmpty ? "/" : parent
}

extension ContentCheck.File {
    var document: JSON {
        .object([("index", .int(index)), ("path", .string(path)), ("size", .int(size)),
                 ("size_on_disk", sizeOnDisk.map(JSON.int) ?? .null), ("state", .string(state.rawValue)),
                 ("first_piece", firstPiece.map(JSON.int) ?? .null), ("pieces", .int(pieces)),
                 ("pieces_done", .int(piecesGood))])
    }
}
