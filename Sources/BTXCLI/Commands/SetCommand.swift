import BTXSession

let setCommand = Command(
    name: "set",
    usage: "set TORRENT [--max-down RATE] [--max-peers N] [--sequential on|off] [--priority FILES=WORD] [--label L] ... | set --alt on|off",
    summary: "show or change a torrent's limits, download order, labels, seeding goal and file priorities",
    details: """
        Changes what is given and shows the torrent's settings. The values are saved with the torrent and \
        survive restarts (a later 'btx add --max-down' overrides its cap for that run). A RATE or count of 0 \
        means unlimited. FILES is what --only takes: indices, ranges (2-5) or globs, comma-separated; WORD is \
        skip, low, normal or high. --skip FILES is --priority FILES=skip, --want FILES is --priority FILES=normal. \
        --super-seed on offers each peer only pieces others lack (for an initial seeder); --upload-only on \
        stops downloading but keeps seeding. --label adds a label and --unlabel removes one (both repeatable). \
        --name shows the torrent by another name (its files keep theirs; --name "" goes back to the \
        metadata's). --seed-ratio, --seed-time and --seed-idle (no byte uploaded for that long) set the seeding goal (none clears it): a daemon stops the torrent once \
        either is met, and a goal met already stops it at once. With no option, set shows the settings. In \
        the running session, or in the saved state when none runs. set --alt on|off, with no TORRENT, turns the \
        running daemon's alternate speeds (turtle mode: the config's alt-max-down and alt-max-up) on or off, \
        until its alt-schedule next changes.
        """,
    options: [
        OptionSpec(long: "max-down", argument: "RATE", summary: "cap the torrent's download rate (0: none)"),
        OptionSpec(long: "max-up", argument: "RATE", summary: "cap the torrent's upload rate (0: none)"),
        OptionSpec(long: "max-peers", argument: "N", summary: "connect to at most N peers (0: the session's limit)"),
        OptionSpec(long: "max-uploads", argument: "N", summary: "upload to at most N peers at once (0: no limit)"),
        OptionSpec(long: "sequential", argument: "on|off", summary: "download pieces in order"),
        OptionSpec(long: "super-seed", argument: "on|off", summary: "super-seeding (BEP 16)"),
        OptionSpec(long: "upload-only", argument: "on|off", summary: "seed what is there, download nothing"),
        OptionSpec(long: "priority", argument: "FILES=WORD", summary: "set files' priority: skip, low, normal, high", repeatable: true),
        OptionSpec(long: "skip", argument: "FILES", summary: "do not download these files", repeatable: true),
        OptionSpec(long: "want", argument: "FILES", summary: "download these files (normal priority)", repeatable: true),
        OptionSpec(long: "label", short: "L", argument: "LABEL", summary: "add a label", repeatable: true),
        OptionSpec(long: "unlabel", argument: "LABEL", summary: "remove a label", repeatable: true),
        OptionSpec(long: "name", argument: "NAME", summary: "show it by this name (\"\": the metadata's)"),
        OptionSpec(long: "alt", argument: "on|off", summary: "the session's alternate speeds (turtle mode), with no TORRENT"),
        OptionSpec(long: "seed-ratio", argument: "RATIO|none", summary: "seed until uploaded/size reaches RATIO (none: no ratio goal)"),
        OptionSpec(long: "seed-idle", argument: "DURATION|none", summary: "stop seeding after DURATION with nothing uploaded (none: no idle goal)",
                   completion: .format(["30m", "2h", "none"], hint: "DURATION")),
        OptionSpec(long: "seed-time", argument: "DURATION|none", summary: "seed for DURATION after completion (none: no time goal)",
                   completion: .format(["90s", "30m", "2h", "none"], hint: "DURATION")),
    ],
    positional: .torrent,
    run: runSet
)

private func runSet(_ invocation: Invocation) throws {
    if let text = invocation.value("alt") { return try setAlt(text, invocation) }
    try invocation.expectArguments(1, 1)
    var params: [(String, JSON)] = [("torrent", .string(invocation.arguments[0]))]
    for option in ["max-down", "max-up"] {
        guard let text = invocation.value(option) else { continue }
        params.append((option.replacingHyphens, .int(try parseRate(text, option: "--" + option))))
    }
    for option in ["max-peers", "max-uploads"] {
        guard let text = invocation.value(option) else { continue }
        guard let n = Int(text), (0...65535).contains(n) else {
            throw BTXError.usage("--\(option): '\(text)' is not a count from 0", command: "set")
        }
        params.append((option.replacingHyphens, .int(n)))
    }
    for option in ["sequential", "super-seed", "upload-only"] {
        guard let text = invocation.value(option) else { continue }
        guard let on = parseSwitch(text) else { throw BTXError.usage("--\(option): '\(text)' is not on or off", command: "set") }
        params.append((option.replacingHyphens, .bool(on)))
    }
    var priorities: [JSON] = []
    for item in invocation.all("priority") {
        guard let eq = item.lastIndex(of: "="), priorityValue(String(item[item.index(after: eq)...])) != nil,
              eq != item.startIndex else {
            throw BTXError.usage("--priority: '\(item)' is not FILES=WORD (WORD: skip, low, normal or high)", command: "set")
        }
        priorities.append(rule(String(item[..<eq]), String(item[item.index(after: eq)...]), option: "--priority"))
    }
    priorities += invocation.all("skip").map { rule($0, "skip", option: "--skip") }
        + invocation.all("want").map { rule($0, "normal", option: "--want") }
    if !priorities.isEmpty { params.append(("priorities", .array(priorities))) }
    for (option, key) in [("label", "add_labels"), ("unlabel", "remove_labels")] where !invocation.all(option).isEmpty {
        for label in invocation.all(option) {
            do { try checkLabel(label) } catch let error as BTXError { throw BTXError.usage("--\(option): \(error.message)", command: "set") }
        }
        params.append((key, .array(invocation.all(option).map(JSON.string))))
    }
    if let name = invocation.value("name") {
        guard !name.contains(where: \.isNewline), name.count <= 1024 else {
            throw BTXError.usage("--name: a name is one line of at most 1,024 characters", command: "set")
        }
        params.append(("name", .string(name)))
    }
    if let text = invocation.value("seed-ratio") {
        params.append(("seed_ratio", text == "none" ? .null : .double(try parseSeedRatio(text, option: "--seed-ratio", command: "set"))))
    }
    if let text = invocation.value("seed-time") {
        params.append(("seed_time", text == "none" ? .null : .int(try parseSeedTime(text, option: "--seed-time", command: "set"))))
    }
    if let text = invocation.value("seed-idle") {
        params.append(("seed_idle", text == "none" ? .null : .int(try parseSeedTime(text, option: "--seed-idle", command: "set"))))
    }

    let reply = try SessionClient(invocation).call(.set, params)
    let out = invocation.output
    if out.json { return out.document(reply) }
    let torrent = try TorrentDocument(json: reply)
    let settings = torrent.settings
    func rate(_ value: Int64) -> String { value > 0 ? Units.rate(value) : "unlimited" }
    func count(_ value: Int) -> String { value > 0 ? String(value) : "unlimited" }
    func on(_ value: Bool) -> String { value ? "on" : "off" }
    out.fields([("name", torrent.name), ("max down", rate(settings.maxDown)), ("max up", rate(settings.maxUp)),
               ("max peers", count(settings.maxPeers)), ("max uploads", count(settings.maxUploads)),
               ("sequential", on(settings.sequential)), ("super seed", on(settings.superSeed)),
               ("upload only", on(settings.uploadOnly)),
               ("labels", settings.labels.isEmpty ? "none" : settings.labels.joined(separator: ", ")),
               ("seed ratio", settings.seeding.ratio.map { String($0) } ?? "none"),
               ("seed time", settings.seeding.seconds.map { Units.duration(seconds: $0) } ?? "none"),
               ("seed idle", settings.seeding.idleSeconds.map { Units.duration(seconds: $0) } ?? "none")])
}

/// `option` names the rule in errors.
private func rule(_ files: String, _ word: String, option: String) -> JSON {
    .object([("files", .string(files)), ("priority", .string(word.lowercased())), ("option", .string(option))])
}

func parseSwitch(_ text: String) -> Bool? {
    switch text.lowercased() {
    case "on", "yes", "true", "1": true
    case "off", "no", "false", "0": false
    default: nil
    }
}

extension String {
    /// An option's name as a JSON key: max-down → max_down.
    var replacingHyphens: String { String(map { $0 == "-" ? "_" : $0 }) }
}

/// set --alt on|off: the running session's turtle mode.
private func setAlt(_ text: String, _ invocation: Invocation) throws {
    guard invocation.arguments.isEmpty else {
        throw BTXError.usage("--alt is the session's, not a torrent's: leave out the torrent", command: "set")
    }
    guard let on = parseSwitch(text) else { throw BTXError.usage("--alt: '\(text)' is not on or off", command: "set") }
    let reply = try requireSession(invocation).call(.sessionRates, [("alt", .bool(on))])
    let out = invocation.output
    if out.json { return out.document(reply) }
    let cap = { (key: String) in (reply[key]?.intValue).map { $0 > 0 ? Units.rate($0) : "unlimited" } ?? "unlimited" }
    out.line(on ? "alternate speeds on: down \(cap("alt_max_down")), up \(cap("alt_max_up"))"
                : "alternate speeds off: down \(cap("max_down")), up \(cap("max_up"))")
}
