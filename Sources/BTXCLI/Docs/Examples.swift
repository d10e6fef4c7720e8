import BTXSession
/// The man page's EXAMPLES: the README's tour, then scripts that read
/// --json with jq. The jq recipes are run against a live session by the
/// tests (JQRecipeTests), as written here.
extension Docs {
    struct Example {
        let text: String
        let commands: [String]
    }

    static let tour: [Example] = [
        Example(text: "Download a torrent into ~/Downloads; Ctrl-C saves where it got to, and the same command continues:",
                commands: ["btx add ubuntu.torrent -o ~/Downloads"]),
        Example(text: "Only some files, then seed until the ratio is 2 or for a day, whichever comes first:",
                commands: ["btx add big.torrent --only 0,3-5,'*.srt' --seed-ratio 2 --seed-time 24h"]),
        Example(text: "Run the session in the background; add a magnet link to it and return at once:",
                commands: ["btx daemon", "btx add 'magnet:?xt=urn:btih:dc466502...' --detach"]),
        Example(text: "From another terminal: every torrent, redrawn every 2 s; then one's peers and files:",
                commands: ["btx status --watch", "btx peers ubuntu", "btx files ubuntu"]),
        Example(text: "Pause, resume, recheck, and remove another with its data; stop the daemon:",
                commands: ["btx pause ubuntu; btx resume ubuntu; btx verify ubuntu",
                           "btx remove other --delete-data", "btx daemon --stop"]),
        Example(text: "Make a torrent, list its files and read its metadata:",
                commands: ["btx create photos -t udp://tracker.example.org:6969/announce --comment summer --no-date",
                           "btx files photos.torrent", "btx info photos.torrent --json"]),
        Example(text: "Store and read DHT items, immutable and signed:",
                commands: ["btx dht-put \"hello, DHT\"", "btx dht-get 69c815a421676f0d98444bd61b260f2a82261251 > value.txt",
                           "btx dht-put --mutable --salt status online", "btx dht-get \"$(btx dht-keygen)\" --salt status --json"]),
        Example(text: "Check a blocklist, and what btx uses and whether a session runs:",
                commands: ["btx blocklist level1.gz", "btx doctor"]),
    ]

    static let jqRecipes: [Example] = [
        Example(text: "The names of stalled torrents, downloading with nothing coming in:",
                commands: [#"btx status --json | jq -r '.torrents[] | select(.state == "downloading" and .download_rate == 0) | .name'"#]),
        Example(text: "The session's total download rate, in bytes/s:",
                commands: [#"btx status --json | jq '[.torrents[].download_rate] | add // 0'"#]),
        Example(text: "Wait until every torrent is complete:",
                commands: [#"until btx status --json | jq -e 'all(.torrents[]; .progress == 1)' > /dev/null; do sleep 2; done"#]),
        Example(text: "Each torrent's name as it completes, from a download's event stream:",
                commands: [#"btx add *.torrent --json | jq -r 'select(.type == "finished") | .data.name'"#]),
    ]

    static var examplesSection: String {
        var t = ".SH EXAMPLES\n"
        for (i, example) in (tour + jqRecipes).enumerated() {
            t += (i > 0 ? ".PP\n" : "") + "\(roff(example.text))\n.PP\n.RS 4\n.EX\n"
            t += example.commands.map { "$ " + roff($0) }.joined(separator: "\n") + "\n.EE\n.RE\n"
        }
        return t
    }
}
