import BTXSession

let moveCommand = Command(
    name: "move",
    usage: "move TORRENT DIR",
    summary: "move a torrent's downloaded data to DIR and keep it there",
    details: """
        Moves the files (a rename on the same file system, a copy then delete across) and saves DIR as the \
        torrent's place, in the running session (the download goes on) or in the saved state when none runs. \
        A DIR that is missing is created; one that cannot be written, or a disk that fills up, fails with the \
        data where it was. Files of the same name already in DIR are not replaced: the move fails.
        """,
    positional: .directory,
    run: runMove
)

private func runMove(_ invocation: Invocation) throws {
    try invocation.expectArguments(2, 2)
    let target = absolutePath(invocation.arguments[1])
    let reply = try SessionClient(invocation).call(.move, [("torrent", .string(invocation.arguments[0])),
                                                             ("path", .string(target))])
    if invocation.output.json { return invocation.output.document(reply) }
    invocation.output.line("\(reply["name"]?.stringValue ?? ""): moved to \(reply["save_path"]?.stringValue ?? target)")
}
