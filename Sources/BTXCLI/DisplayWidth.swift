import BTXSession

/// How many terminal columns text takes, for aligned tables and lines cut to
/// the terminal's width: East Asian Wide and Fullwidth characters take two,
/// combining marks and controls none, paint markers none. Glibc's
/// wcwidth would need a UTF-8 locale (setlocale), which btx never sets, so
/// this carries its own table of the wide ranges (DisplayWidthTable.swift,
/// generated from Unicode's data by tools/display-width.py).
extension String {
    var displayWidth: Int {
        // Printable ASCII, nearly every cell of every table (painted or not),
        // is one column a byte; walking Characters costs 30 times more (btx
        // files on 10,000 files; a third of a 100,000-row status table).
        var text = self
        if let width = text.withUTF8(TerminalText.paintedASCIIWidth) { return width }
        var total = 0
        forEachPiece { _, width in total += width; return true }
        return total
    }

    /// The longest prefix that fits in `limit` columns. A wide character that
    /// would straddle the edge is left out whole.
    func prefix(displayWidth limit: Int) -> String {
        var kept = ""
        var used = 0
        var cut = false
        forEachPiece { piece, width in
            if used + width > limit { cut = true; return false }
            kept += piece
            used += width
            return true
        }
        // Cutting off a colour's reset would leave the terminal bold.
        if cut && kept.unicodeScalars.contains(TerminalText.open) { kept += Paint.marker("0") }
        return kept
    }

    /// The text in `limit` columns: whole when it fits, else cut with "…".
    func cut(toDisplayWidth limit: Int) -> String {
        displayWidth <= limit ? self : prefix(displayWidth: max(0, limit - 1)) + "…"
    }

    /// Walks the text as characters and whole paint markers (see
    /// TerminalText), each with its width.
    private func forEachPiece(_ body: (Substring, Int) -> Bool) {
        var start = startIndex
        while start < endIndex {
            var end = index(after: start)
            var width = 0
            if self[start].unicodeScalars.first == TerminalText.open {
                // A paint marker, whose parameters take no column either.
                while end < endIndex, self[end].unicodeScalars.first != TerminalText.close { end = index(after: end) }
                if end < endIndex { end = index(after: end) }
            } else {
                width = self[start].unicodeScalars.map(columns).max() ?? 0
            }
            guard body(self[start..<end], width) else { return }
            start = end
        }
    }
}

/// Columns one scalar takes. A character takes the most of its scalars', so
/// an accent on a letter or a conjoining Hangul vowel adds nothing.
func columns(_ scalar: Unicode.Scalar) -> Int {
    let value = scalar.value
    if value < 0x20 || (0x7F..<0xA0).contains(value) { return 0 }
    if value < 0x300 { return 1 }
    switch scalar.properties.generalCategory {
    case .nonspacingMark, .enclosingMark, .format: return 0
    default: return isWide(value) ? 2 : 1
    }
}

/// In DisplayWidthTable's ranges (a binary search: there are about 80).
private func isWide(_ value: UInt32) -> Bool {
    var low = 0, high = wideRanges.count
    while low < high {
        let middle = (low + high) / 2
        if wideRanges[middle].upperBound < value { low = middle + 1 } else { high = middle }
    }
    return low < wideRanges.count && wideRanges[low].contains(value)
}
