/// Every JSON document and event btx prints, field by field (see
/// JSONShape). The document types and the commands build them; the tests hold
/// those to what is written here.
public enum JSONContracts {
    static let metainfoFields: [JSONField] = [
        JSONField("name", .string, "the torrent's name"),
        JSONField("info_hash", .hash, "the v1 info-hash, or the v2 one for a v2-only torrent"),
        JSONField("info_hash_v1", .nullable(.hex(40)), "null for v2-only"),
        JSONField("info_hash_v2", .nullable(.hex(64)), "null for v1-only"),
        JSONField("size", .integer(.bytes), "every file's bytes (padding files left out)"),
        JSONField("file_count", .integer(.count), "files (padding files left out)"),
        JSONField("piece_length", .integer(.bytes), "bytes per piece"),
        JSONField("pieces", .integer(.count), "pieces in the torrent (as status and verify count them)"),
        JSONField("private", .boolean, "peers only from its trackers"),
        JSONField("trackers", .array(.object(JSONObject(fields: [
            JSONField("url", .string, "announce URL"),
            JSONField("tier", .integer(.index), "its tier"),
        ]))), "in the file's order"),
        JSONField("web_seeds", .array(.string), "web seed URLs"),
        JSONField("comment", .nullable(.string), "null without one"),
        JSONField("created_by", .nullable(.string), "null without one"),
        JSONField("source", .nullable(.string), "null without one"),
        JSONField("creation_date", .nullable(.integer(.unixSeconds)), "null without one"),
        JSONField("magnet_uri", .string, "a magnet link to it"),
    ]

    static let metainfo = JSONObject(name: "METAINFO", fields: metainfoFields)

    static let blocklist = JSONObject(name: "BLOCKLIST", fields: [
        JSONField("path", .string, "the list's absolute path"),
        JSONField("compressed", .boolean, "it is gzipped"),
        JSONField("entries", .integer(.count), "lines that block"),
        JSONField("formats", .object(JSONObject(fields: ["p2p", "dat", "cidr", "range", "single"].map {
            JSONField($0, .integer(.count), "entries in this format")
        })), "entries per format: p2p (PeerGuardian), dat (eMule), cidr, range, single"),
        JSONField("allowed", .integer(.count), "DAT entries whose access level (above 127) allows"),
        JSONField("bad_lines", .integer(.count), "lines it could not read, skipped"),
        JSONField("first_bad_line", .nullable(.integer(.count)), "the first one's line number; null when none"),
        JSONField("ranges", .integer(.count), "ranges once overlaps are merged"),
        JSONField("ipv4_ranges", .integer(.count), "of which IPv4"),
        JSONField("ipv6_ranges", .integer(.count), "of which IPv6"),
        JSONField("ipv4_addresses", .integer(.count), "IPv4 addresses blocked"),
        JSONField("blocked_peers", .nullable(.integer(.count)), "addresses the session refused this run; null without one"),
    ])

    static let option = JSONObject(name: "OPTION", fields: [
        JSONField("long", .string, "the option's name without --"),
        JSONField("short", .nullable(.string), "its one-letter form; null without one"),
        JSONField("argument", .nullable(.string), "what its value is; null for a flag"),
        JSONField("summary", .string, "what it does"),
        JSONField("repeatable", .boolean, "it may be given more than once"),
    ])

    static let command = JSONObject(name: "COMMAND", fields: [
        JSONField("name", .string, "the command"),
        JSONField("usage", .string, "its usage line"),
        JSONField("summary", .string, "what it does, in a line"),
        JSONField("details", .array(.string), "its help's paragraphs"),
        JSONField("options", .array(.object(option)), "its own options"),
        JSONField("streams_events", .boolean, "with --json it prints events, one a line"),
    ])

    private static func action(_ name: String) -> JSONShape {
        .object(JSONObject(fields: [
            JSONField("action", .constant(name), "what was done"),
            JSONField("info_hash", .hash, "the torrent's"),
            JSONField("name", .string, "the torrent's"),
        ]))
    }

    static let error = JSONObject(fields: [
        JSONField("code", .oneWord(["failed", "usage", "not_found", "no_session", "interrupted"]),
                  "failed (exit 1), usage (2), not_found (3), no_session (4), interrupted (130, 141, 143)"),
        JSONField("message", .string, "what btx also prints on stderr"),
    ])

    /// One document per line of `btx add --json` and of daemon.log.
    public static let events: [JSONDocument] = [
        event("added", "a torrent was added (or handed to the running session)", [
            JSONField("info_hash", .hash, "the torrent's"),
            JSONField("name", .string, "its name (the info-hash for a magnet without one)"),
            JSONField("save_path", .string, "where its files go"),
            JSONField("resumed", .boolean, "it continues from saved state"),
            JSONField("has_metadata", .boolean, "false for a magnet still fetching it"),
        ]),
        event("listening", "the session listens for peers", [JSONField("port", .integer(.count), "its port")]),
        event("metadata", "a magnet's metadata arrived", [
            JSONField("info_hash", .hash, "the torrent's"),
            JSONField("name", .string, "its name"),
            JSONField("size", .nullable(.integer(.bytes)), "every file's bytes"),
        ]),
        JSONDocument(id: "event-progress", producedBy: "progress", summary: "about once a second per torrent until it is "
                         + "complete: its status, the same document btx status --json shows",
                     shape: eventShape("progress", .object(TorrentDocument.contract))),
        event("tracker_reply", "a tracker answered (from the process that runs the session)", [
            JSONField("info_hash", .hash, "the torrent's"),
            JSONField("peers", .integer(.count), "peers it named"),
        ]),
        JSONDocument(id: "event-blocklist", producedBy: "blocklist",
                     summary: "the blocklist the session put in force, as btx blocklist --json shows it",
                     shape: eventShape("blocklist", .object(blocklist))),
        event("warning", "something the user may want to know: a tracker that does not answer, a piece that failed its hash", [
            JSONField("info_hash", .nullable(.hash), "the torrent's; null for the session's own"),
            JSONField("message", .string, "the warning"),
        ]),
        event("error", "a torrent failed, or the command did (then info_hash and name are null); an exit event follows", [
            JSONField("info_hash", .nullable(.hash), "the torrent's, or null"),
            JSONField("name", .nullable(.string), "the torrent's, or null"),
            JSONField("code", error.fields[0].shape, "as in the error object"),
            JSONField("message", .string, "what went wrong"),
        ]),
        event("hook", "an --on-complete command ended (from the process that runs the session)", [
            JSONField("info_hash", .hash, "the torrent's"),
            JSONField("name", .string, "its name"),
            JSONField("command", .string, "the command, as sh -c ran it"),
            JSONField("exit_code", .nullable(.integer(.none)), "its exit status; null when a signal ended it"),
            JSONField("signal", .nullable(.integer(.none)), "the signal that ended it; null when it exited"),
            JSONField("timed_out", .boolean, "it was killed at on-complete-timeout"),
            JSONField("seconds", .number(.seconds), "how long it ran"),
            JSONField("stderr", .string, "the last 64 KiB it wrote to stderr"),
        ]),
        event("finished", "a torrent is complete (its wanted bytes verified)", [
            JSONField("info_hash", .hash, "the torrent's"),
            JSONField("name", .string, "its name"),
            JSONField("size", .integer(.bytes), "every file's bytes"),
            JSONField("wanted", .integer(.bytes), "the bytes it needed"),
            JSONField("session_downloaded", .integer(.bytes), "downloaded in this run"),
            JSONField("seconds", .number(.seconds), "since the command started"),
        ]),
        event("exit", "the last line: why the command ends and its exit status", [
            JSONField("reason", .oneWord(["complete", "paused", "detached", "stopped", "interrupted", "error"]),
                      "complete, paused (--paused), detached (--detach), stopped (a daemon told to stop), interrupted or error"),
            JSONField("code", .integer(.none), "the exit status"),
        ]),
    ]

    public static let documents: [JSONDocument] = [
        JSONDocument(id: "status", producedBy: "btx status --json",
                     summary: "the torrents asked for, live or saved; status --watch --json prints one a tick",
                     shape: .object(JSONObject(fields: [JSONField("torrents", .array(.object(TorrentDocument.contract)), "oldest first")]))),
        JSONDocument(id: "peers", producedBy: "btx peers --json", summary: "a running torrent's connected peers",
                     shape: .object(JSONObject(fields: [
                         JSONField("name", .string, "the torrent's"),
                         JSONField("info_hash", .hash, "the torrent's"),
                         JSONField("peers", .array(.object(PeerDocument.contract)), "connected peers"),
                     ]))),
        JSONDocument(id: "files", producedBy: "btx files --json", summary: "a torrent's files (or a .torrent file's)",
                     shape: .object(JSONObject(fields: [
                         JSONField("name", .string, "the torrent's"),
                         JSONField("info_hash", .hash, "the torrent's"),
                         JSONField("files", .array(.object(FileDocument.contract)), "padding files left out"),
                     ]))),
        JSONDocument(id: "pause", producedBy: "btx pause --json", summary: "one a torrent paused", shape: action("pause")),
        JSONDocument(id: "resume", producedBy: "btx resume --json", summary: "one a torrent resumed", shape: action("resume")),
        JSONDocument(id: "remove", producedBy: "btx remove --json", summary: "one a torrent removed", shape: action("remove")),
        JSONDocument(id: "trackers", producedBy: "btx trackers --json", summary: "a torrent's trackers and web seeds, after the changes asked for",
                     shape: .object(JSONObject(fields: [
                         JSONField("info_hash", .hash, "the torrent's"),
                         JSONField("name", .string, "the torrent's"),
                         JSONField("trackers", .array(.object(TrackerDocument.contract)), "in tier order"),
                         JSONField("web_seeds", .array(.string), "web seed URLs"),
                         JSONField("web_seed_errors", .array(.object(JSONObject(fields: [
                             JSONField("url", .string, "the web seed; \"\" when it cannot be told apart from the others"),
                             JSONField("message", .string, "why it failed (a server that ignores Range, an HTTP error)"),
                         ]))), "web seeds that failed this run; empty with no session"),
                     ]))),
        JSONDocument(id: "set", producedBy: "btx set --json", summary: "the torrent with its new settings", shape: .object(TorrentDocument.contract)),
        JSONDocument(id: "set-alt", producedBy: "btx set --alt on|off --json", summary: "the session's caps, and turtle mode's",
                     shape: .object(JSONObject(fields: [
                         JSONField("max_down", .integer(.bytesPerSecond), "the session's download cap; 0 for none"),
                         JSONField("max_up", .integer(.bytesPerSecond), "the session's upload cap; 0 for none"),
                         JSONField("alt", .boolean, "alternate speeds (turtle mode) are on: their caps are in force"),
                         JSONField("alt_max_down", .nullable(.integer(.bytesPerSecond)), "turtle mode's download cap; null without one"),
                         JSONField("alt_max_up", .nullable(.integer(.bytesPerSecond)), "turtle mode's upload cap; null without one"),
                         JSONField("alt_scheduled", .boolean, "an alt-schedule switches it"),
                     ]))),
        JSONDocument(id: "move", producedBy: "btx move --json", summary: "the data moved",
                     shape: .object(JSONObject(fields: [
                         JSONField("info_hash", .hash, "the torrent's"),
                         JSONField("name", .string, "the torrent's"),
                         JSONField("save_path", .string, "where its data is now"),
                     ]))),
        JSONDocument(id: "queue", producedBy: "btx queue --json", summary: "the torrent's new place",
                     shape: .object(JSONObject(fields: [
                         JSONField("info_hash", .hash, "the torrent's"),
                         JSONField("name", .string, "the torrent's"),
                         JSONField("queue_position", .nullable(.integer(.index)), "null when it is complete"),
                     ]))),
        JSONDocument(id: "queue-list", producedBy: "btx queue --json (no arguments)", summary: "the download queue, first first",
                     shape: .object(JSONObject(fields: [
                         JSONField("torrents", .array(.object(JSONObject(fields: [
                             JSONField("info_hash", .hash, "the torrent's"),
                             JSONField("name", .string, "the torrent's"),
                             JSONField("queue_position", .integer(.index), "its place, from 0"),
                             JSONField("state", .oneWord(TorrentDocument.states), "as in status"),
                         ]))), "unfinished torrents, in queue order"),
                     ]))),
        JSONDocument(id: "verify", producedBy: "btx verify --json", summary: "the recheck's outcome",
                     shape: .object(JSONObject(fields: [
                         JSONField("info_hash", .hash, "the torrent's"),
                         JSONField("name", .string, "the torrent's"),
                         JSONField("pieces", .integer(.count), "pieces in the torrent"),
                         JSONField("pieces_done", .integer(.count), "pieces whose data passed (as status counts them)"),
                         JSONField("pieces_bad", .integer(.count), "on disk, but their hash does not match"),
                         JSONField("pieces_missing", .integer(.count), "with bytes not on disk (a file absent or short)"),
                         JSONField("bad_pieces", .array(.integer(.index)), "the bad pieces"),
                         JSONField("missing_pieces", .array(.integer(.index)), "the missing pieces"),
                         JSONField("wanted", .nullable(.integer(.bytes)), "the bytes it needs"),
                         JSONField("done", .integer(.bytes), "of which verified"),
                         JSONField("complete", .boolean, "every wanted byte is good (else exit 1)"),
                         JSONField("state", .oneWord(TorrentDocument.states), "as in TORRENT"),
                     ]))),
        JSONDocument(id: "verify-content", producedBy: "btx verify FILE.torrent DIR --json",
                     summary: "the data in DIR checked against the .torrent, with no session",
                     shape: .object(JSONObject(fields: [
                         JSONField("name", .string, "the torrent's"),
                         JSONField("info_hash", .hash, "the torrent's"),
                         JSONField("save_path", .string, "where the torrent's paths start, absolute: DIR, or the folder holding it"),
                         JSONField("hash", .oneWord(["sha1", "sha256"]), "sha1 pieces (v1, hybrid) or sha256 piece layers (v2)"),
                         JSONField("pieces", .integer(.count), "pieces in the torrent"),
                         JSONField("pieces_done", .integer(.count), "on disk and their hash matches (as status counts them)"),
                         JSONField("pieces_bad", .integer(.count), "on disk, but their hash does not match"),
                         JSONField("pieces_missing", .integer(.count), "with bytes not on disk (a file absent or short)"),
                         JSONField("bad_pieces", .array(.integer(.index)), "the bad pieces"),
                         JSONField("missing_pieces", .array(.integer(.index)), "the missing pieces"),
                         JSONField("files", .array(.object(JSONObject(name: "CHECKED_FILE", fields: [
                             JSONField("index", .integer(.index), "as btx files numbers it"),
                             JSONField("path", .string, "relative to save_path"),
                             JSONField("size", .integer(.bytes), "what the torrent says"),
                             JSONField("size_on_disk", .nullable(.integer(.bytes)), "null when there is no file"),
                             JSONField("state", .oneWord(["good", "bad", "missing", "incomplete"]),
                                       "good; bad (a piece failed, or it is longer than the torrent says); missing; "
                                           + "incomplete (there, nothing bad, some pieces missing)"),
                             JSONField("first_piece", .nullable(.integer(.index)), "the first piece holding it; null when empty"),
                             JSONField("pieces", .integer(.count), "pieces holding some of it"),
                             JSONField("pieces_done", .integer(.count), "of which good"),
                         ]))), "padding files left out"),
                         JSONField("files_good", .integer(.count), "files in state good"),
                         JSONField("complete", .boolean, "every piece and file is good (else exit 1)"),
                     ]))),
        JSONDocument(id: "edit", producedBy: "btx edit --json",
                     summary: "the torrent written (with -o -, the torrent itself is standard output and nothing else)",
                     shape: .object(JSONObject(fields: [
                         JSONField("path", .string, "the file written"),
                         JSONField("info_hash_changed", .boolean, "--private or --source made it a new torrent"),
                         JSONField("previous_info_hash", .hash, "the info-hash before the edit"),
                     ] + metainfoFields))),
    ] + loggedEvents + [
        JSONDocument(id: "export", producedBy: "btx export --json", summary: "the .torrent file written",
                     shape: .object(JSONObject(fields: [JSONField("path", .string, "the file written, absolute")] + metainfoFields))),
        JSONDocument(id: "daemon", producedBy: "btx daemon --json", summary: "the background session started",
                     shape: .object(JSONObject(fields: [
                         JSONField("pid", .integer(.count), "its process id"),
                         JSONField("log", .string, "its log, daemon.log"),
                         JSONField("rpc", .nullable(.string), "the Transmission RPC URL (--rpc); null without one"),
                     ]))),
        JSONDocument(id: "daemon-stop", producedBy: "btx daemon --stop --json", summary: "the session saved its state and exited",
                     shape: .object(JSONObject(fields: [JSONField("stopped", .boolean, "always true")]))),
        JSONDocument(id: "blocklist", producedBy: "btx blocklist --json",
                     summary: "a list read from FILE, or the running session's (after --reload, the reloaded one)",
                     shape: .object(blocklist)),
        JSONDocument(id: "create", producedBy: "btx create --json",
                     summary: "the torrent written (with -o -, the torrent itself is standard output and --json is refused)",
                     shape: .object(JSONObject(fields: [
                         JSONField("path", .string, "the file written"),
                         JSONField("format", .oneWord(["v1", "v2", "hybrid"]), "the torrent's format"),
                     ] + metainfoFields + [
                         JSONField("skipped", .array(.string), "entries left out: links out of PATH, special files"),
                     ]))),
        JSONDocument(id: "cat", producedBy: "btx cat --json",
                     summary: "the range once it is verified on disk, where a reader finds it (the bytes themselves are not written)",
                     shape: .object(JSONObject(fields: [
                         JSONField("info_hash", .hash, "the torrent"),
                         JSONField("name", .string, "its name"),
                         JSONField("file", .integer(.index), "the file"),
                         JSONField("path", .string, "the file on disk, absolute"),
                         JSONField("size", .integer(.bytes), "the file's size"),
                         JSONField("offset", .integer(.bytes), "the range's first byte"),
                         JSONField("end", .integer(.bytes), "the range's end (exclusive)"),
                     ]))),
        JSONDocument(id: "serve", producedBy: "btx serve --json",
                     summary: "where the files are served, once the torrent's metadata is known (then the server runs)",
                     shape: .object(JSONObject(fields: [
                         JSONField("info_hash", .hash, "the torrent"),
                         JSONField("name", .string, "its name"),
                         JSONField("url", .string, "what to open: the file's URL, or the playlist's when several are served"),
                         JSONField("playlist", .string, "an M3U playlist of the served files"),
                         JSONField("files", .array(.object(JSONObject(name: "SERVED_FILE", fields: [
                             JSONField("index", .integer(.index), "the file's number, as 'btx files' counts"),
                             JSONField("path", .string, "its path in the torrent"),
                             JSONField("size", .integer(.bytes), "the file's size"),
                             JSONField("content_type", .string, "the Content-Type it is served with"),
                             JSONField("url", .string, "its URL"),
                         ]))), "the served files, in the torrent's order"),
                     ]))),
        JSONDocument(id: "dht-get", producedBy: "btx dht-get --json", summary: "the item found",
                     shape: .object(JSONObject(fields: [
                         JSONField("target", .hex(40), "the item's target"),
                         JSONField("mutable", .boolean, "a signed, updatable item"),
                         JSONField("value", .anyValue, "a string's text (UTF-8) or base64, or another type as JSON"),
                         JSONField("encoding", .oneWord(["utf-8", "base64", "json"]), "how value is written"),
                         JSONField("public_key", .nullable(.hex(64)), "mutable items only", optional: true),
                         JSONField("salt", .string, "mutable items only", optional: true),
                         JSONField("seq", .integer(.count), "mutable items only", optional: true),
                         JSONField("signature", .nullable(.hex(128)), "mutable items only", optional: true),
                         JSONField("authoritative", .boolean, "mutable items only: every node on the path answered",
                                   optional: true),
                         JSONField("nodes", .integer(.count), "nodes that answered with the item"),
                     ]))),
        JSONDocument(id: "dht-put", producedBy: "btx dht-put --json", summary: "the item stored",
                     shape: .object(JSONObject(fields: [
                         JSONField("target", .hex(40), "the item's target"),
                         JSONField("mutable", .boolean, "a signed, updatable item"),
                         JSONField("public_key", .nullable(.hex(64)), "mutable items only", optional: true),
                         JSONField("salt", .string, "mutable items only", optional: true),
                         JSONField("seq", .integer(.count), "mutable items only", optional: true),
                         JSONField("nodes", .integer(.count), "nodes that stored it (0: exit 1)"),
                     ]))),
        JSONDocument(id: "publish", producedBy: "btx publish --json", summary: "the mutable torrent published (BEP 46)",
                     shape: .object(JSONObject(fields: [
                         JSONField("magnet", .string, "its magnet:?xs=urn:btpk: link, the same for every version"),
                         JSONField("public_key", .hex(64), "the key it is signed with"),
                         JSONField("salt", .string, "the salt it is stored under (\"\" for none)"),
                         JSONField("seq", .integer(.count), "the item's sequence number: one more for each new version"),
                         JSONField("updated", .boolean, "this version is new (false: the same one, refreshed)"),
                         JSONField("name", .string, "the torrent's name"),
                         JSONField("info_hash_v1", .nullable(.hex(40)), "its v1 info-hash; null for v2-only"),
                         JSONField("info_hash_v2", .nullable(.hex(64)), "its v2 info-hash; null for v1-only"),
                         JSONField("torrent", .string, "the .torrent published"),
                         JSONField("created", .boolean, "the torrent was made of PATH by this command"),
                         JSONField("nodes", .integer(.count), "nodes that stored the item (0: exit 1)"),
                     ]))),
        JSONDocument(id: "dht-keygen", producedBy: "btx dht-keygen --json", summary: "the signing key",
                     shape: .object(JSONObject(fields: [
                         JSONField("public_key", .hex(64), "its public key"),
                         JSONField("key_file", .string, "where it is"),
                         JSONField("created", .boolean, "made now (false: an existing key was kept)"),
                     ]))),
        JSONDocument(id: "info", producedBy: "btx info --json", summary: "a torrent's metadata", shape: .object(metainfo)),
        JSONDocument(id: "doctor", producedBy: "btx doctor --json", summary: "what btx uses, and what is wrong with it",
                     shape: .object(JSONObject(fields: [
                         JSONField("version", .string, "btx's"),
                         JSONField("libtorrent", .string, "libtorrent-rasterbar's"),
                         JSONField("directories", .object(JSONObject(fields: [
                             JSONField("state", .string, "resume data, the DHT routing table, the lock, daemon.log"),
                             JSONField("data", .string, "the DHT key"),
                             JSONField("config", .array(.string), "config files, read in this order; missing ones are skipped"),
                             JSONField("runtime", .string, "the control socket's folder"),
                         ])), "the directories in use"),
                         JSONField("session", .nullable(.object(JSONObject(fields: [
                             JSONField("pid", .integer(.count), "its process id"),
                             JSONField("daemon", .boolean, "a btx daemon (else a foreground btx add)"),
                             JSONField("uptime", .nullable(.number(.seconds)), "how long it has run"),
                             JSONField("torrents", .nullable(.integer(.count)), "torrents it holds"),
                             JSONField("listen_port", .nullable(.integer(.count)), "its peer port"),
                             JSONField("dht_nodes", .nullable(.integer(.count)), "live nodes (ones that have answered) in its DHT routing table; null with the DHT off"),
                         ]))), "the running session; null when none runs"),
                         JSONField("checks", .array(.object(JSONObject(fields: [
                             JSONField("name", .string, "what was checked: state, resume data, config, control socket, DHT key, daemon log"),
                             JSONField("path", .string, "the file or folder"),
                             JSONField("ok", .boolean, "it passed"),
                             JSONField("message", .string, "what was found, or what is wrong and how to fix it"),
                         ]))), "in this order"),
                         JSONField("ok", .boolean, "every check passed (else exit 1)"),
                     ]))),
        JSONDocument(id: "help", producedBy: "btx help --json", summary: "the commands (or the one named) and their options",
                     shape: .object(JSONObject(fields: [
                         JSONField("commands", .array(.object(command)), "every command, or the one named"),
                         JSONField("global_options", .array(.object(option)), "options every command takes"),
                     ]))),
        JSONDocument(id: "version", producedBy: "btx version --json", summary: "the versions",
                     shape: .object(JSONObject(fields: [
                         JSONField("version", .string, "btx's"),
                         JSONField("libtorrent", .string, "libtorrent-rasterbar's"),
                     ]))),
        JSONDocument(id: "error", producedBy: "any command's --json, on failure",
                     summary: "instead of the document (add --json says it with an error event, then exit)",
                     shape: .object(JSONObject(fields: [JSONField("error", .object(error), "what failed")]))),
    ]

    public static var all: [JSONDocument] { documents + events }

    private static func eventShape(_ type: String, _ data: JSONShape) -> JSONShape {
        .object(JSONObject(fields: [JSONField("type", .constant(type), "the event"), JSONField("data", data, "its data")]))
    }

    /// One line of `btx events --json` each: the session's event log (EventLog).
    static let loggedEvents: [JSONDocument] = {
        let torrent = [JSONField("info_hash", .hash, "the torrent's"), JSONField("name", .string, "its name")]
        let types: [(String, String, [JSONField])] = [
            ("added", "a torrent was added", torrent + [
                JSONField("save_path", .string, "where its files go"), JSONField("resumed", .boolean, "it continues from saved state"),
                JSONField("has_metadata", .boolean, "false for a magnet still fetching it")]),
            ("metadata", "a magnet's metadata arrived", torrent + [JSONField("size", .integer(.bytes), "every file's bytes")]),
            ("state", "a torrent's state changed", torrent + [
                JSONField("from", .oneWord(TorrentDocument.states), "before"), JSONField("to", .oneWord(TorrentDocument.states), "now")]),
            ("file_completed", "every piece of one of a torrent's files is verified", torrent + [
                JSONField("path", .string, "the file, as btx files shows it")]),
            ("finished", "a torrent has every wanted byte", torrent + [
                JSONField("size", .integer(.bytes), "every file's bytes"),
                JSONField("seconds", .number(.seconds), "since the session started")]),
            ("error", "a torrent stopped on an error", torrent + [JSONField("message", .string, "why")]),
            ("moved", "a torrent's data moved (btx move), or did not", torrent + [
                JSONField("save_path", .nullable(.string), "where it is now; null when the move failed"),
                JSONField("error", .nullable(.string), "why the move failed; null when it did not")]),
            ("removed", "a torrent was removed", torrent + [JSONField("deleted_data", .boolean, "its files went with it")]),
            ("tracker_error", "a tracker did not answer, or refused", torrent + [
                JSONField("url", .string, "the tracker"), JSONField("message", .string, "what went wrong")]),
            ("blocklist", "the blocklist was (re)loaded", blocklist.fields),
            ("new_version", "the btpk link a torrent follows names a newer version, added beside it", torrent + [
                JSONField("link", .string, "the btpk magnet link"), JSONField("seq", .integer(.count), "the new version's sequence number"),
                JSONField("version_info_hash", .hash, "the new version's info-hash; the old one is removed, data kept, once it is complete")]),
            ("reused", "files already on disk were placed for a torrent added afresh, to be checked, not downloaded", torrent + [
                JSONField("files", .integer(.count), "how many"), JSONField("bytes", .integer(.bytes), "their size"),
                JSONField("made", .array(.oneWord(ReuseMode.allCases.filter { $0 != .off }.map(\.rawValue))), "how: reflink, link or copy")]),
        ]
        return types.map { type, summary, fields in
            JSONDocument(id: "events-" + type, producedBy: "btx events --json", summary: summary, shape: .object(JSONObject(fields: [
                JSONField("id", .integer(.count), "grows with every event, across restarts"),
                JSONField("time", .integer(.unixSeconds), "when"),
                JSONField("type", .constant(type), "the event"),
                JSONField("data", .object(JSONObject(fields: fields)), "its data"),
            ])))
        }
    }()

    private static func event(_ type: String, _ summary: String, _ fields: [JSONField]) -> JSONDocument {
        JSONDocument(id: "event-" + type, producedBy: type, summary: summary,
                     shape: eventShape(type, .object(JSONObject(fields: fields))))
    }
}
