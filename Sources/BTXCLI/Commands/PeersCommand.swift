import BTXSession

let peersCommand = Command(
    name: "peers",
    usage: "peers TORRENT",
    summary: "list a running torrent's peers: address, client, flags, progress, rates",
    details: """
        Needs a running session (exit 4 without one). FLAGS has one letter per position, '-' when off: \
        I we are interested, C they choke us, i they are interested, c we choke them, S seed, \
        E encrypted, U uTP, R they connected to us.
        """,
    positional: .torrent,
    run: runPeers
)

private func runPeers(_ invocation: Invocation) throws {
    try invocation.expectArguments(1, 1)
    let reply = try requireSession(invocation).call(.peers, [("torrent", .string(invocation.arguments[0]))])
    let out = invocation.output
    if out.json { return out.document(reply) }
    let peers = try reply.documents("peers", PeerDocument.init(json:))
    // Off a terminal the rows are a script's: no words instead of them.
    guard !peers.isEmpty else { return out.width == nil ? () : out.line("no peers") }
    let columns = [TableColumn("ADDRESS"), TableColumn("CLIENT", flexible: true, drop: 4), TableColumn("FLAGS", drop: 3),
                   TableColumn("DONE", numeric: true), TableColumn("DOWN", numeric: true), TableColumn("UP", numeric: true),
                   TableColumn("DOWNLOADED", numeric: true, drop: 2), TableColumn("UPLOADED", numeric: true, drop: 1)]
    out.table(columns, peers.map { p in
        [TableCell(p.address), TableCell(p.client), TableCell(p.flags),
         TableCell(Units.oneDecimal(p.progress * 100) + "%", raw: String(p.progress)),
         TableCell(Units.rate(p.downloadRate), raw: String(p.downloadRate)), TableCell(Units.rate(p.uploadRate), raw: String(p.uploadRate)),
         TableCell(Units.bytes(p.downloaded), raw: String(p.downloaded)), TableCell(Units.bytes(p.uploaded), raw: String(p.uploaded))]
    })
}

/// The running session's client; exit 4 when none runs.
func requireSession(_ invocation: Invocation) throws -> SessionChannel {
    let directory = StateDirectory(invocation: invocation)
    guard let client = try connectSession(invocation, directory) else {
        throw BTXError(exitCode: .noSession,
                       message: "no btx session is running for \(directory.state) (start one with 'btx daemon' or 'btx add')")
    }
    return client
}

extension SessionClient {
    convenience init(_ invocation: Invocation) throws {
        let directory = StateDirectory(invocation: invocation)
        try self.init(directory: directory, channel: connectSession(invocation, directory), warn: invocation.output.warning)
    }
}
