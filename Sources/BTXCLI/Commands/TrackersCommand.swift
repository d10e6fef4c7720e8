import BTXSession
import Glibc

let trackersCommand = Command(
    name: "trackers",
    usage: "trackers TORRENT [--add URL [--tier N]] [--remove URL] [--reannounce] [--scrape]",
    summary: "list and change a torrent's trackers and web seeds",
    details: """
        Lists every tracker with its tier (from 0), state (not_contacted, updating, working, error), the last \
        message, the last and next announce and the swarm counts of the last announce or scrape (seeds, peers, \
        downloaded; - when unknown), then the web seeds, each with why it failed when it did this run (a \
        server that ignores Range requests, an HTTP error). --add and --remove change the list (--add-web-seed, \
        --remove-web-seed the web seeds), saved with the torrent. --reannounce and --scrape ask every tracker \
        now and wait up to 10 s for the answers before listing. In the running session, or in the saved state \
        when none runs (where nothing is announced: --reannounce and --scrape need the session).
        """,
    options: [
        OptionSpec(long: "add", argument: "URL", summary: "add a tracker", repeatable: true),
        OptionSpec(long: "tier", argument: "N", summary: "the tier --add puts trackers in (default: a new last tier)"),
        OptionSpec(long: "remove", argument: "URL", summary: "remove a tracker", repeatable: true),
        OptionSpec(long: "add-web-seed", argument: "URL", summary: "add a web seed (BEP 19)", repeatable: true),
        OptionSpec(long: "remove-web-seed", argument: "URL", summary: "remove a web seed", repeatable: true),
        OptionSpec(long: "reannounce", summary: "announce to every tracker now"),
        OptionSpec(long: "scrape", summary: "scrape every tracker now"),
    ],
    positional: .torrent,
    run: runTrackers
)

private func runTrackers(_ invocation: Invocation) throws {
    try invocation.expectArguments(1, 1)
    let query = invocation.arguments[0]
    var params: [(String, JSON)] = [("torrent", .string(query))]
    for url in invocation.all("add") + invocation.all("add-web-seed") where !isURL(url) {
        throw BTXError.usage("'\(url)' is not a URL (http://, https:// or udp://)", command: "trackers")
    }
    if let text = invocation.value("tier") {
        guard let tier = Int(text), (0...1000).contains(tier) else {
            throw BTXError.usage("--tier: '\(text)' is not a tier number from 0", command: "trackers")
        }
        params.append(("tier", .int(tier)))
    }
    let lists: [(String, String)] = [("add", "add"), ("remove", "remove"), ("add-web-seed", "add_web_seeds"),
                                     ("remove-web-seed", "remove_web_seeds")]
    for (option, key) in lists where !invocation.all(option).isEmpty {
        params.append((key, .array(invocation.all(option).map(JSON.string))))
    }
    let asks = invocation.flag("reannounce") || invocation.flag("scrape")
    params += [("reannounce", .bool(invocation.flag("reannounce"))), ("scrape", .bool(invocation.flag("scrape")))]
    let client = try SessionClient(invocation)
    if asks && !client.isLive {
        throw BTXError(exitCode: .noSession, message: "--reannounce and --scrape need a running session (btx daemon)")
    }
    var document = try client.call(.trackers, params)
    // Ask again until no tracker is still answering, or 10 s.
    let deadline = monotonicSeconds() + 10
    while asks, try isUpdating(document), monotonicSeconds() < deadline, !interruptRequested() {
        usleep(100_000)
        document = try client.call(.trackers, [("torrent", .string(query))])
    }
    try show(document, output: invocation.output)
}

private func isURL(_ text: String) -> Bool {
    ["http://", "https://", "udp://"].contains { text.lowercased().hasPrefix($0) } && text.count > 8
}

private func isUpdating(_ document: JSON) throws -> Bool {
    try document.documents("trackers", TrackerDocument.init(json:)).contains { $0.state == "updating" }
}

private func show(_ document: JSON, output: Output) throws {
    if output.json { return output.document(document) }
    let trackers = try document.documents("trackers", TrackerDocument.init(json:))
    let now = Int64(time(nil))
    func count(_ value: Int?) -> String { value.map(String.init) ?? "-" }
    func when(_ at: Int64?) -> String {
        guard let at else { return "-" }
        return at <= now ? Units.duration(seconds: now - at) + " ago" : "in " + Units.duration(seconds: at - now)
    }
    if trackers.isEmpty {
        if output.width != nil { output.line("no trackers") }
    } else {
        let columns = [TableColumn("TIER", numeric: true), TableColumn("URL", flexible: true), TableColumn("STATE"),
                       TableColumn("SEEDS", numeric: true, drop: 5), TableColumn("PEERS", numeric: true, drop: 4),
                       TableColumn("DOWNLOADED", numeric: true, drop: 1), TableColumn("LAST", drop: 3), TableColumn("NEXT", drop: 2),
                       TableColumn("MESSAGE", flexible: true, drop: 6)]
        // Raw: counts empty when unknown, times in Unix seconds.
        func raw(_ value: Int?) -> String { value.map(String.init) ?? "" }
        output.table(columns, trackers.map { t in
            [TableCell(t.tier), TableCell(t.url), TableCell(t.state),
             TableCell(count(t.seeds), raw: raw(t.seeds)), TableCell(count(t.peers), raw: raw(t.peers)),
             TableCell(count(t.downloaded), raw: raw(t.downloaded)),
             TableCell(when(t.lastAnnounce), raw: t.lastAnnounce.map(String.init) ?? ""),
             TableCell(when(t.nextAnnounce), raw: t.nextAnnounce.map(String.init) ?? ""), TableCell(t.message ?? "")]
        })
    }
    // Off a terminal the rows are a script's; the web seeds are in --json.
    guard output.width != nil else { return }
    var failures: [String: String] = [:]
    for failure in document["web_seed_errors"]?.arrayValue ?? [] {
        failures[failure["url"]?.stringValue ?? ""] = failure["message"]?.stringValue
    }
    for seed in (document["web_seeds"]?.arrayValue ?? []).compactMap(\.stringValue) {
        output.line("web seed  \(seed)" + (failures.removeValue(forKey: seed).map { "  (failed: \($0))" } ?? ""))
    }
    for (url, message) in failures { output.line("web seed  \(url.isEmpty ? "?" : url)  (failed: \(message))") }
}
