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
    static func renderedPaint(_ text: String) -> String {
        var copy = text
        return copy.withUTF8 { bytes in
            // Byte by byte: the scalar walk made a coloured table of
            // 100,000 rows take 5 s on a terminal.
            guard bytes.contains(openUTF8[0]) else { return text }
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count)
            var index = 0
            while index < bytes.count {
                if let (parameters, next) = paintMarker(bytes, at: index) {
                    out += [0x1B, UInt8(ascii: "[")]
                    out += bytes[parameters]
                    out.append(UInt8(ascii: "m"))
                    index = next
                } else {
                    out.append(bytes[index])
                    index += 1
                }
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    private static let openUTF8 = Array(String(open).utf8), closeUTF8 = Array(String(close).utf8)
    private static let tagUTF8 = Array(tag.map(Character.init).map(String.init).joined().utf8)

    /// The columns of printable ASCII with paint markers in it (none wide);
    /// nil for text with anything else.
    static func paintedASCIIWidth(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var width = 0
        var index = 0
        while index < bytes.count {
            if (0x20...0x7E).contains(bytes[index]) {
                width += 1
                index += 1
                continue
            }
            guard let (_, next) = paintMarker(bytes, at: index) else { return nil }
            index = next
        }
        return width
    }

    /// The SGR parameters of the paint marker at `start`, and where it ends:
    /// `open`, this process's tag, 1 to 17 digits or ';', `close` (see paintEnd).
    private static func paintMarker(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> (Range<Int>, Int)? {
        func matches(_ expected: [UInt8], at index: Int) -> Bool {
            index + expected.count <= bytes.count && expected.indices.allSatisfy { bytes[index + $0] == expected[$0] }
        }
        guard matches(openUTF8, at: start), matches(tagUTF8, at: start + openUTF8.count) else { return nil }
        let first = start + openUTF8.count + tagUTF8.count
        var index = first
        while index < bytes.count, index - first <= 16 {
            if matches(closeUTF8, at: index) { return index > first ? (first..<index, index + closeUTF8.count) : nil }
            guard bytes[index] == UInt8(ascii: ";") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else { return nil }
            index += 1
        }
        return nil
    }

    private static func transform(_ text: String, renderPaint: Bool) -> String {
        var copy = text
        // Printable ASCII and btx's own paint (a table's state cells) has
        // nothing to escape; the scalar walk below cost a table of 100,000
        // rows half a second.
        let plain = copy.withUTF8 { paintedASCIIWidth($0) != nil }
        if plain { return renderPaint ? renderedPaint(text) : text }
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
            if let visible = visibleEscape(scalar) {
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
