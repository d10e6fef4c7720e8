import Glibc

/// Why each piece a check did not verify failed: missing when some byte of
/// it is not on disk (its file absent or short), bad when every byte is
/// there and the hash still did not match. libtorrent's recheck only says
/// "not verified"; verify FILE DIR tells the two apart, and verify TORRENT
/// says the same.
public func unverifiedPieces(have: [Bool], pieceLength: Int, files: [FileDocument], savePath: String)
    -> (bad: [Int], missing: [Int]) {
    guard pieceLength > 0 else { return ([], Array(have.indices.filter { !have[$0] })) }
    let sizes = files.map { file -> Int64 in
        var st = stat()
        return stat(joinPath(savePath, file.path), &st) == 0 ? Int64(st.st_size) : 0
    }
    let byOffset = files.indices.sorted { files[$0].offset < files[$1].offset }
    var bad: [Int] = [], missing: [Int] = []
    for piece in have.indices where !have[piece] {
        let start = Int64(piece) * Int64(pieceLength), end = start + Int64(pieceLength)
        let short = byOffset.contains { index in
            let file = files[index]
            let (from, to) = (max(start, file.offset), min(end, file.offset + file.size))
            return from < to && sizes[index] < to - file.offset
        }
        if short { missing.append(piece) } else { bad.append(piece) }
    }
    return (bad, missing)
}
