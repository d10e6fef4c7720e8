import BTXSession
import TorrentKit

let blocklistCommand = Command(
    name: "blocklist",
    usage: "blocklist [FILE] [--reload]",
    summary: "check an IP blocklist, or make the running session reload its own",
    details: """
        With FILE, reads the list without a session and shows what it holds: entries per format, lines it \
        could not read (each is skipped, never fatal), and the ranges left once overlaps are merged. With \
        --reload, the running session reads its list again (or FILE, from then on) and drops connected peers \
        the list now blocks; SIGHUP to a daemon does the same. With neither, it shows the running session's \
        list and how many addresses it has refused this run. A list that is missing exits 3; one that cannot \
        be read (permissions, damaged gzip, a zip archive) exits 1, and a session that cannot read its list \
        keeps the one it had.

        One entry a line, formats mixed freely: PeerGuardian text (name:1.2.3.4-1.2.3.255), eMule DAT \
        (001.002.003.004 - 001.002.003.255 , 000 , name), CIDR (10.0.0.0/8, 2001:db8::/32), ranges \
        (1.2.3.4-1.2.3.9, IPv6 too) and single addresses; lines starting with # or // are comments, and the \
        file may be gzip-compressed. In the DAT convention an access level above 127 allows the range, so \
        such an entry blocks nothing (it is counted as allowed). Octets with leading zeros are decimal.
        """,
    options: [
        OptionSpec(long: "reload", summary: "make the running session read its list again, or FILE from now on"),
    ],
    positional: .file,
    run: runBlocklist
)

private func runBlocklist(_ invocation: Invocation) throws {
    try invocation.expectArguments(0, 1)
    let out = invocation.output
    let file = invocation.arguments.first.map(absolutePath)
    let document: JSON
    if let file, !invocation.flag("reload") {
        document = try Blocklist.load(file).document(path: file)
    } else {
        let client = try requireSession(invocation)
        document = invocation.flag("reload")
            ? try client.call(.blocklistReload, file.map { [("path", .string($0))] } ?? [])
            : try client.call(.blocklist)
    }
    if out.json { return out.document(document) }
    out.fields(blocklistFields(document))
}

/// The human view of a blocklist document.
private func blocklistFields(_ list: JSON) -> [(String, String)] {
    func count(_ key: String) -> Int64 { list[key]?.intValue ?? 0 }
    let names: [(String, String)] = [("p2p", "PeerGuardian"), ("dat", "DAT"), ("cidr", "CIDR"), ("range", "range"),
                                     ("single", "single")]
    let formats = names.compactMap { key, name -> String? in
        guard let n = list["formats"]?[key]?.intValue, n > 0 else { return nil }
        return "\(n) \(name)"
    }
    var fields: [(String, String)] = [
        ("list", (list["path"]?.stringValue ?? "") + (list["compressed"]?.boolValue == true ? " (gzip)" : "")),
        ("entries", "\(count("entries"))" + (formats.isEmpty ? "" : ": " + formats.joined(separator: ", "))),
    ]
    if count("allowed") > 0 { fields.append(("allowed", "\(count("allowed")) (DAT access level above 127)")) }
    if let first = list["first_bad_line"]?.intValue {
        fields.append(("bad lines", "\(count("bad_lines")), the first is line \(first)"))
    }
    fields.append(("ranges", "\(count("ranges")) once merged (\(count("ipv4_ranges")) IPv4, \(count("ipv6_ranges")) IPv6)"))
    fields.append(("IPv4 addresses", "\(count("ipv4_addresses"))"))
    if let blocked = list["blocked_peers"]?.intValue { fields.append(("blocked peers", "\(blocked) this run")) }
    return fields
}
