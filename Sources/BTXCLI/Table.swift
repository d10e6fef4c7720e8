import BTXSession
import Glibc

/// A column of a table: how it lines up, and what it gives up on a narrow terminal.
struct TableColumn {
    let title: String
    /// Right-aligned.
    var numeric = false
    /// A name or a path: on a narrow terminal it gives up width, cut with "…".
    var flexible = false
    /// On a terminal too narrow for every column, columns go lowest first
    /// (once the flexible ones are down to a readable width); nil never goes.
    var drop: Int?

    init(_ title: String, numeric: Bool = false, flexible: Bool = false, drop: Int? = nil) {
        self.title = title
        self.numeric = numeric
        self.flexible = flexible
        self.drop = drop
    }
}

/// A cell: what people read on a terminal, and what a script reads when
/// stdout is not one (raw numbers, whole hashes: no "1.5 MiB" to parse back).
struct TableCell {
    let shown: String
    let raw: String

    init(_ shown: String, raw: String? = nil) {
        self.shown = shown
        self.raw = raw ?? shown
    }

    init(_ value: Int64) { self.init(String(value)) }
    init(_ value: Int) { self.init(String(value)) }
}

extension TableCell: ExpressibleByStringLiteral {
    init(stringLiteral value: String) { self.init(value) }
}

extension Output {
    /// A flexible column is cut no narrower than this before other columns
    /// are dropped: a name is what tells rows apart.
    static let readableWidth = 20

    /// On a terminal: a header and aligned columns that fit its width
    /// (flexible columns cut to a readable width, then the least important
    /// columns dropped, then flexible ones cut further, then the line cut;
    /// never wrapped). Off a terminal, as gh prints for scripts: no header,
    /// one line a row, cells separated by tabs, raw values.
    func table(_ columns: [TableColumn], _ rows: [[TableCell]]) {
        var bytes: [UInt8] = []
        for line in tableLines(columns, rows) {
            bytes += line.utf8
            bytes.append(UInt8(ascii: "\n"))
        }
        let painted = paintedAsSGR(bytes)
        painted.withUnsafeBufferPointer { _ = fwrite($0.baseAddress, 1, $0.count, stdout) }
    }

    /// A row off a terminal: raw values, tab-separated.
    static func scriptLine(_ row: [TableCell]) -> String {
        row.map { TerminalText.escaped($0.raw) }.joined(separator: "\t")
    }

    func tableLines(_ columns: [TableColumn], _ rows: [[TableCell]]) -> [String] {
        // Escaped before they are measured and before tabs separate them: "\t" in a name is two characters.
        guard let width else { return rows.map(Self.scriptLine) }
        let cells = rows.map(TableLayout.cells)
        let layout = TableLayout(columns, sizedBy: cells, width: width)
        return [bold(layout.header)] + cells.map(layout.line)
    }
}

/// Where a terminal table's columns stand: which are shown and how wide,
/// from the rows it was sized by. A row sized by none (a status of
/// 100,000, sized by its first rows and printed as the rest arrive) is
/// fitted the same way, a cell too wide cut.
struct TableLayout {
    private let columns: [TableColumn]
    private let shown: [Int]
    private let widths: [Int]
    /// One column short of the edge: a full last column makes some terminals wrap.
    private let limit: Int
    private(set) var header: String
    static let filledWidth = 48

    /// A row's cells as a terminal shows them, escaped.
    static func cells(_ row: [TableCell]) -> [String] { row.map { TerminalText.escaped($0.shown) } }

    /// `fill`: the most needed flexible column is given room up to
    /// `filledWidth` from what is left of the width, for the rows that come
    /// after (a longer name than the first rows had is cut later), but no
    /// more: 100,000 rows padded to a wide terminal's edge were 21 MB.
    init(_ columns: [TableColumn], sizedBy cells: [[String]], width: Int, fill: Bool = false) {
        self.columns = columns
        let titles = columns.map { TerminalText.escaped($0.title) }
        let limit = max(20, width - 1)
        var widths = titles.map(\.displayWidth)
        for row in cells {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.displayWidth) }
        }
        let natural = widths
        var shown = Array(columns.indices)
        func total() -> Int { shown.map { widths[$0] }.reduce(0, +) + 2 * max(0, shown.count - 1) }
        // The least needed first: a path gives up width before a name does.
        let rank = { (i: Int) in columns[i].drop ?? Int.max }
        let flexible = columns.indices.filter { columns[$0].flexible }.sorted { rank($0) < rank($1) }
        func shrinkFlexible(to floor: (Int) -> Int) {
            for i in flexible where shown.contains(i) && total() > limit {
                widths[i] -= max(0, min(total() - limit, widths[i] - floor(i)))
            }
        }
        shrinkFlexible { max(titles[$0].displayWidth, Output.readableWidth) }
        for i in columns.indices.filter({ columns[$0].drop != nil }).sorted(by: { rank($0) < rank($1) }) where total() > limit {
            shown.removeAll { $0 == i }
        }
        // What the dropped columns left goes back to the names, most needed first.
        for i in flexible.reversed() where shown.contains(i) && total() < limit {
            widths[i] += min(natural[i] - widths[i], limit - total())
        }
        shrinkFlexible { max(titles[$0].displayWidth, 8) }
        if fill, let name = flexible.last(where: shown.contains), total() < limit, widths[name] < Self.filledWidth {
            widths[name] += min(limit - total(), Self.filledWidth - widths[name])
        }
        self.shown = shown
        self.widths = widths
        self.limit = limit
        header = ""
        header = line(titles)
    }

    /// A row's escaped cells, fitted to the columns. Written as bytes, its
    /// width added up as it goes: appending to a String and measuring the
    /// whole line again was a sixth of a table of 100,000 on a terminal.
    func line(_ row: [String]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(limit + 32)
        var lineWidth = 0
        func pad(_ count: Int) {
            bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: count))
            lineWidth += count
        }
        for (position, i) in shown.enumerated() where i < row.count {
            let original = row[i]
            let width = original.displayWidth
            // A number too wide (in a row after the sizing ones) pushes the line rather than lose digits.
            let cut = !columns[i].numeric && width > widths[i]
            var cell = cut ? original.cut(toDisplayWidth: widths[i]) : original
            let cellWidth = cut ? cell.displayWidth : width
            let last = position == shown.count - 1
            let padding = columns[i].numeric || !last ? max(0, widths[i] - cellWidth) : 0
            if position > 0 { pad(2) }
            if columns[i].numeric { pad(padding) }
            cell.withUTF8 { bytes.append(contentsOf: $0) }
            lineWidth += cellWidth
            if !columns[i].numeric { pad(padding) }
        }
        let line = String(decoding: bytes, as: UTF8.self)
        return lineWidth > limit ? line.cut(toDisplayWidth: limit) : line
    }
}
