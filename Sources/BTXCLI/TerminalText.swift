/// Text bound for a terminal. Strings from the network or a torrent (a
/// magnet's dn, tracker URLs and failure reasons, a comment, a client's
/// name) may carry ESC, OSC, BEL, newlines or bidi overrides that would clear
/// the screen, set the window title, fake output lines or reorder a row.
/// Every human line is escaped here on its way out ("\x1B", "\n", "\u202E");
/// btx's own colours travel inside it as markers (Paint) that only the final
/// rendering turns into SGR sequences, so no string from outside can.
enum TerminalText {
    /// A paint marker: `open`, `tag`, SGR parameters (digits and ';'), `close`.
    static let open: Unicode.Scalar = "\u{E000}"
    static let close: Unicode.Scalar = "\u{E001}"
    /// Drawn anew by each process: a string from outside cannot hold a
    /// marker that renders (\u{E000}8\u{E001} would hide text), only one
    /// that is shown escaped.
    static let tag = Array(String(UInt64.random(in: 1 << 60 ... .max), radix: 16).unicodeScalars)

    /// `text` with every control, C1 and bidi character escaped visibly;
    /// paint markers are kept, to be rendered later (zero columns wide).
    static func escaped(_ text: String) -> String { transform(text, renderPaint: false) }

    /// The bytes a terminal gets: escaped, and paint markers made SGR.
    static func rendered(_ text: String) -> String { transform(text, renderPaint: true) }

    /// Text escaped already (a table's lines, whose tabs separate cells):
    /// only its paint markers made SGR.
    static func renderedPaint(_ text: String) -> String { transform(text, renderPaint: true, escape: false) }

    private static func transform(_ text: String, renderPaint: Bool, escape: Bool = true) -> String {
        var copy = text
        let plain = copy.withUTF8 { bytes in !bytes.contains { $0 < 0x20 || $0 >= 0x7F } }
        if plain { return text }
        var out = String.UnicodeScalarView()
        let scalars = Array(text.unicodeScalars)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == open, let end = paintEnd(scalars, from: index) {
                if renderPaint {
                    out.append("\u{1B}")
                    out.append("[")
                    out.append(contentsOf: scalars[(index + 1 + tag.count)..<end])
                    out.append("m")
                } else {
                    out.append(contentsOf: scalars[index...end])
                }
                index = end + 1
                continue
            }
            if escape, let visible = visibleEscape(scalar) {
                out.append(contentsOf: visible.unicodeScalars)
            } else {
                out.append(scalar)
            }
            index += 1
        }
        return String(out)
    }

    /// Where the marker opened at `start` closes, when what is between is
    /// this process's tag and SGR parameters.
    private static func paintEnd(_ scalars: [Unicode.Scalar], from start: Int) -> Int? {
        let parameters = start + 1 + tag.count
        guard parameters < scalars.count, Array(scalars[(start + 1)..<parameters]) == tag else { return nil }
        var index = parameters
        while index < scalars.count, index - parameters <= 16 {
            let scalar = scalars[index]
            if scalar == close { return index > parameters ? index : nil }
            guard scalar == ";" || ("0"..."9").contains(scalar) else { return nil }
            index += 1
        }
        return nil
    }

    private static func visibleEscape(_ scalar: Unicode.Scalar) -> String? {
        let value = scalar.value
        switch value {
        case 0x0A: return "\\n"
        case 0x0D: return "\\r"
        case 0x09: return "\\t"
        case 0..<0x20, 0x7F: return "\\x" + hex(value, digits: 2)
        // C1 controls (CSI and OSC among them), bidi embeddings, overrides,
        // isolates and marks, line and paragraph separators, the markers.
        case 0x80...0x9F, 0x061C, 0x200E, 0x200F, 0x2028...0x202E, 0x2066...0x2069, 0xE000, 0xE001:
            return "\\u" + hex(value, digits: 4)
        default: return nil
        }
    }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
