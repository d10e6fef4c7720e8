import BTXSession

/// How many terminal columns text takes, for aligned tables and lines cut to
/// the terminal's width: East Asian Wide and Fullwidth characters take two,
/// combining marks and controls none, paint markers none. Glibc's
/// wcwidth would need a UTF-8 locale (setlocale), which btx never sets, so
/// this carries its own table of the wide ranges.
extension String {
    var displayWidth: Int {
        // Printable ASCII, nearly every cell of every table, is one column a
        // byte; walking Characters costs 30 times more (btx files on 10,000 files).
        var text = self
        let printableASCII = text.withUTF8 { bytes in !bytes.contains { $0 < 0x20 || $0 > 0x7E } }
        if printableASCII { return utf8.count }
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
private func columns(_ scalar: Unicode.Scalar) -> Int {
    let value = scalar.value
    if value < 0x20 || (0x7F..<0xA0).contains(value) { return 0 }
    if value < 0x300 { return 1 }
    switch scalar.properties.generalCategory {
    case .nonspacingMark, .enclosingMark, .format: return 0
    default: return wideRanges.contains { $0.contains(value) } ? 2 : 1
    }
}

/// East Asian Wide and Fullwidth blocks (Hangul Jamo leads, CJK, Hangul
/// syllables, compatibility ideographs, fullwidth forms) and the emoji blocks
/// terminals draw two columns wide.
private let wideRanges: [ClosedRange<UInt32>] = [
    0x1100...0x115F,
    0x2E80...0x303E,
    // U+303F, the ideographic half fill space, is narrow.
    0x3040...0xA4CF,
    0xAC00...0xD7A3,
    0xF900...0xFAFF,
    0xFE30...0xFE4F,
    0xFF00...0xFF60,
    0xFFE0...0xFFE6,
    0x1F300...0x1F64F,
    0x1F900...0x1F9FF,
    0x20000...0x3FFFD,
]
