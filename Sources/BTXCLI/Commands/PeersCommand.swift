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
    guard !peers.isEmpty else { return out.line("no peers") }
    out.table(["ADDRESS", "CLIENT", "FLAGS", "DONE", "DOWN", "UP", "DOWNLOADED", "UPLOADED"], peers.map { p in
        [p.address, p.client, p.flags, Units.oneDecimal(p.progress * 100) + "%", Units.rate(p.downloadRate),
         Units.rate(p.uploadRate), Units.bytes(p.downloaded), Units.bytes(p.uploaded)]
    }, rightAligned: [3, 4, 5, 6, 7], flexible: [1])
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
