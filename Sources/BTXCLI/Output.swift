import BTXSession
import Glibc

/// Where everything btx prints goes: results on stdout (a table or JSON),
/// chatter on stderr and only for humans.
struct Output {
    let json: Bool
    let quiet: Bool
    /// stderr is a terminal and -q was not given: progress bars are welcome.
    let showsProgress: Bool
    /// Colour on stdout (tables), and on stderr (progress, warnings, errors).
    let color: Bool
    let colorErrors: Bool
    /// stdout's terminal width, which tables fit: COLUMNS when set, as
    /// other tools read it, else the terminal's. nil off a terminal (a pipe
    /// gets tab-separated raw values).
    let width: Int?

    init(json: Bool, quiet: Bool, color choice: ColorChoice = .auto, environment: Environment) {
        self.json = json
        self.quiet = quiet
        showsProgress = !quiet && isatty(STDERR_FILENO) == 1
        color = !json && choice.colors(STDOUT_FILENO, environment: environment)
        colorErrors = choice.colors(STDERR_FILENO, environment: environment)
        width = isatty(STDOUT_FILENO) == 1
            ? environment["COLUMNS"].flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil } ?? terminalWidth(STDOUT_FILENO) : nil
    }

    /// For tests: a given width and colour.
    init(width: Int?, color: Bool) {
        json = false
        quiet = true
        showsProgress = false
        self.color = color
        colorErrors = color
        self.width = width
    }

    /// One line of human text, escaped on its way out (see TerminalText):
    /// a newline from outside is shown, not obeyed.
    func line(_ text: String) { write(TerminalText.rendered(text) + "\n", to: stdout) }

    /// btx's own text of several lines (help): each line escaped, the line breaks kept.
    func text(_ text: String) { write(renderedLines(text) + "\n", to: stdout) }

    func document(_ value: JSON) {
        var bytes = value.bytes
        bytes.append(0x0A)
        bytes.withUnsafeBytes(StdoutWriter.write)
    }

    func warning(_ text: String) {
        guard !quiet else { return }
        let prefix = colorErrors ? Paint.yellow.apply("btx: warning:") : "btx: warning:"
        write(TerminalText.rendered(prefix + " " + text) + "\n", to: stderr)
    }

    /// The table's paint markers (the only ones left: every cell was
    /// escaped) as SGR sequences: U+E000 (EE 80 80) and the tag are ESC [, U+E001 m.
    func paintedAsSGR(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(0xEE) else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0xEE, index + 2 < bytes.count, bytes[index + 1] == 0x80, bytes[index + 2] & 0xFE == 0x80 {
                let opens = bytes[index + 2] == 0x80
                out += opens ? [0x1B, UInt8(ascii: "[")] : [UInt8(ascii: "m")]
                // An opening marker carries the process's tag (ASCII hex) before its parameters.
                index += 3 + (opens ? TerminalText.tag.count : 0)
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return out
    }


    /// A torrent state in its colour on stdout (or `onStderr`).
    func state(_ word: String, onStderr: Bool = false) -> String {
        guard onStderr ? colorErrors : color, let paint = Paint.forState(word) else { return word }
        return paint.apply(word)
    }

    /// "key  value" lines with the keys aligned, for one-object views like `info`.
    func fields(_ pairs: [(String, String)]) {
        let width = pairs.map(\.0.displayWidth).max() ?? 0
        var text = ""
        for (key, value) in pairs {
            text += TerminalText.rendered(bold(key + String(repeating: " ", count: width - key.displayWidth)) + "  " + value) + "\n"
        }
        write(text, to: stdout)
    }

    func bold(_ text: String) -> String { color ? Paint.bold.apply(text) : text }

    func progress(_ text: String) {
        guard showsProgress else { return }
        write("\r\u{1B}[2K" + TerminalText.rendered(text), to: stderr)
    }

    func endProgress() {
        guard showsProgress else { return }
        write("\r\u{1B}[2K", to: stderr)
    }
}

/// Text of several lines made by btx (help, an error listing candidates),
/// each line escaped and the line breaks kept.
func renderedLines(_ text: String) -> String {
    text.split(separator: "\n", omittingEmptySubsequences: false).map { TerminalText.rendered(String($0)) }.joined(separator: "\n")
}

func write(_ text: String, to stream: UnsafeMutablePointer<FILE>) {
    fputs(text, stream)
    if stream == stderr { fflush(stream) }
}

/// Prints an error the documented way: `btx: message` on stderr (red on a
/// terminal), plus on stdout for --json an error object, or for an event
/// stream (`add`) an error event and the exit event that ends every stream.
func report(_ error: BTXError, json: Bool, streaming: Bool, color: Bool = false) {
    let prefix = color ? Paint.boldRed.apply("btx:") : "btx:"
    write(renderedLines("\(prefix) \(error.message)") + "\n", to: stderr)
    if let hint = error.hint { write(renderedLines("btx: \(hint)") + "\n", to: stderr) }
    guard json && !error.reported else { return }
    if streaming {
        write(streamEvent("error", errorEvent(code: error.code, message: error.message)).text + "\n", to: stdout)
        let reason = [.interrupted, .terminated, .readerGone].contains(error.exitCode) ? "interrupted" : "error"
        write(streamEvent("exit", exitEvent(reason: reason, code: error.exitCode)).text + "\n", to: stdout)
    } else {
        let object = JSON.object([("error", .object([("code", .string(error.code)), ("message", .string(error.message))]))])
        write(object.text + "\n", to: stdout)
    }
}
