import BTXSession
import TorrentKit

let versionCommand = Command(
    name: "version",
    usage: "version",
    summary: "print btx's and libtorrent's versions",
    run: { invocation in
        try invocation.expectArguments(0, 0)
        let out = invocation.output
        if out.json {
            out.document(.object([("version", .string(btxVersion)), ("libtorrent", .string(libtorrentVersion))]))
        } else {
            out.line("btx \(btxVersion) (libtorrent \(libtorrentVersion))")
        }
    }
)
