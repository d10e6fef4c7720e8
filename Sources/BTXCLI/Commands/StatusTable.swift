import BTXSession

/// The status table, built a document at a time. Its columns depend on the
/// torrents between them (rates when they run, LABELS when any has one,
/// POS when any is queued); a session says which before its rows (the
/// reply's overview), so off a terminal each row is printed as its
/// document arrives. On a terminal the widths come from the first
/// `sizingRows` rows: a table of 100,000 starts at once, its later rows
/// fitted to them.
struct StatusTable {
    static let sizingRows = 1_000

    struct Columns {
        let running: Bool
        let labelled: Bool
        let queueing: Bool

        init(running: Bool, labelled: Bool, queueing: Bool) {
            self.running = running
            self.labelled = labelled
            self.queueing = queueing
        }

        init?(overview: JSON) {
            guard let running = overview["running"]?.boolValue, let labelled = overview["labelled"]?.boolValue,
                  let queued = overview["queued"]?.boolValue else { return nil }
            self.init(running: running, labelled: labelled, queueing: queued)
        }

        init(of torrents: [TorrentDocument]) {
            self.init(running: torrents.contains(where: \.running), labelled: torrents.contains { !$0.settings.labels.isEmpty },
                      queueing: torrents.contains { $0.state == "queued" })
        }
    }

    private let out: Output
    /// Where rows go as they come, off a terminal; nil holds them.
    private let printRow: ((String) -> Void)?
    private var columns: Columns?
    /// Documents held until the columns are known (no overview came).
    private var waiting: [TorrentDocument] = []
    private var rows: [[TableCell]] = []
    /// On a terminal, once `sizingRows` rows came: the widths every row is printed to.
    private var layout: TableLayout?
    private var streams: [String] = []
    private var maps: [(String, PieceMapLines)] = []

    /// The torrents were named: what they follow is said under the table.
    private let named: Bool

    init(_ out: Output, named: Bool, printingRows printRow: ((String) -> Void)? = nil) {
        self.out = out
        self.named = named
        self.printRow = printRow
    }

    mutating func know(_ columns: Columns) {
        guard self.columns == nil else { return }
        self.columns = columns
        let held = waiting
        waiting = []
        for torrent in held { add(torrent) }
    }

    mutating func add(_ torrent: TorrentDocument) {
        guard let columns else { return waiting.append(torrent) }
        if let line = streamLine(torrent) { streams.append(line) }
        if named, let follows = torrent.follows {
            streams.append("\(torrent.name): follows \(follows.link), version \(follows.seq)")
        }
        if let map = torrent.pieceMap.flatMap(PieceMapLines.init) { maps.append((torrent.name, map)) }
        let row = Self.row(torrent, columns, out)
        guard let printRow else { return rows.append(row) }
        guard let width = out.width else { return printRow(Output.scriptLine(row)) }
        if let layout { return printRow(layout.line(TableLayout.cells(row))) }
        rows.append(row)
        if rows.count == Self.sizingRows {
            let cells = rows.map(TableLayout.cells)
            let layout = TableLayout(Self.titles(columns), sizedBy: cells, width: width, fill: true)
            printRow(out.bold(layout.header))
            cells.forEach { printRow(layout.line($0)) }
            rows = []
            self.layout = layout
        }
    }

    /// The lines not printed yet: the table (or what is left of it) and
    /// what follows it on a terminal, escaped already. `notes`: a line
    /// about the whole session (alternate speeds).
    mutating func finish(notes: [String] = []) -> [String] {
        if columns == nil { know(Columns(of: waiting)) }
        // Off a terminal the rows are a script's: no words around them.
        guard let width = out.width else { return rows.map(Output.scriptLine) }
        guard !rows.isEmpty || layout != nil else { return ["no torrents (add one with 'btx add')"] + notes.map(TerminalText.escaped) }
        let table = layout != nil ? [] : out.tableLines(Self.titles(columns!), rows)
        let after = streams + maps.flatMap { name, map in (maps.count > 1 ? [name] : []) + map.lines(width: width) } + notes
        return table + after.map(TerminalText.escaped)
    }

    /// On a narrow terminal the least needed go first; NAME, STATE and DONE stay.
    private static func titles(_ columns: Columns) -> [TableColumn] {
        var titles = [TableColumn("HASH", drop: columns.running ? 5 : 6), TableColumn("NAME", flexible: true)]
        if columns.labelled { titles.append(TableColumn("LABELS", drop: 3)) }
        if columns.queueing { titles.append(TableColumn("POS", numeric: true, drop: 4)) }
        titles += [TableColumn("STATE"), TableColumn("DONE", numeric: true), TableColumn("SIZE", numeric: true, drop: 4)]
        return titles + (columns.running
            ? [TableColumn("DOWN", numeric: true, drop: 7), TableColumn("UP", numeric: true, drop: 2), TableColumn("PEERS", numeric: true, drop: 1),
               TableColumn("RATIO", numeric: true, drop: 0), TableColumn("ETA", numeric: true, drop: 6)]
            : [TableColumn("DOWNLOADED", numeric: true, drop: 2), TableColumn("UPLOADED", numeric: true, drop: 1),
               TableColumn("RATIO", numeric: true, drop: 5), TableColumn("PATH", flexible: true, drop: 0)])
    }

    private static func row(_ t: TorrentDocument, _ columns: Columns, _ out: Output) -> [TableCell] {
        var row = [TableCell(String(t.infoHash.prefix(8)), raw: t.infoHash), TableCell(t.name)]
        if columns.labelled { row.append(TableCell(t.settings.labels.joined(separator: ","))) }
        if columns.queueing { row.append(TableCell(t.queuePosition.map(String.init) ?? "-", raw: t.queuePosition.map(String.init) ?? "")) }
        // Painted off a terminal only when asked (--color always).
        row += [TableCell(out.state(t.state)),
                TableCell(Units.oneDecimal(t.progress * 100) + "%", raw: String(t.progress)),
                TableCell(t.size.map(Units.bytes) ?? "?", raw: t.size.map(String.init) ?? "")]
        let ratio = TableCell(Units.twoDecimals(t.ratio), raw: String(t.ratio))
        if columns.running {
            return row + [TableCell(Units.rate(t.downloadRate), raw: String(t.downloadRate)),
                          TableCell(Units.rate(t.uploadRate), raw: String(t.uploadRate)), TableCell(t.peers), ratio,
                          TableCell(t.eta.map { Units.duration(seconds: $0) } ?? "-", raw: t.eta.map(String.init) ?? "")]
        }
        return row + [TableCell(Units.bytes(t.downloaded), raw: String(t.downloaded)),
                      TableCell(Units.bytes(t.uploaded), raw: String(t.uploaded)), ratio, TableCell(t.savePath)]
    }

    /// "NAME: streaming PATH at 12.0 MiB, 16 pieces ahead": a torrent btx cat or a btx serve client is reading.
    private func streamLine(_ t: TorrentDocument) -> String? {
        guard let stream = t.stream else { return nil }
        return "\(t.name): streaming \(stream.path) at \(Units.bytes(stream.offset)), \(stream.windowPieces) pieces ahead"
            + (stream.readers > 1 ? " (\(stream.readers) readers)" : "")
    }
}
