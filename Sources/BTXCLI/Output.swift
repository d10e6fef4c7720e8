import BTXSession
import Glibc

/// Where everything btx prints goes: results on stdout (a table or JSON),
/// chatter on stderr and only for humans.
struct Output {
    let json: Bool
    let quiet: Bool
    /// stderr is a terminal and -q was not given: progress bars are welcome.
    let showsProgress: Bool
    let color: Bool

    init(json: Bool, quiet: Bool, environment: Environment) {
        self.json = json
        self.quiet = quiet
        showsProgress = !quiet && isatty(STDERR_FILENO) == 1
        color = isatty(STDOUT_FILENO) == 1 && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb"
    }

    func line(_ text: String) { write(text + "\n", to: stdout) }

    func document(_ value: JSON) { line(value.text) }

    func warning(_ text: String) {
        guard !quiet else { return }
        write("btx: warning: \(text)\n", to: stderr)
    }

    /// Left-aligned columns separated by two spaces, measured in terminal
    /// columns (a CJK name takes two a character); `rightAligned` holds the
    /// indices of numeric columns.
    func table(_ header: [String], _ rows: [[String]], rightAligned: Set<Int> = []) {
        write(tableLines(header, rows, rightAligned: rightAligned).map { $0 + "\n" }.joined(), to: stdout)
    }

    func tableLines(_ header: [String], _ rows: [[String]], rightAligned: Set<Int> = []) -> [String] {
        let all = [header] + rows
        var widths = [Int](repeating: 0, count: header.count)
        for row in all {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.displayWidth) }
        }
        return all.enumerated().map { r, row in
            var line = ""
            for (i, cell) in row.enumerated() {
                let padding = String(repeating: " ", count: widths[i] - cell.displayWidth)
                let last = i == row.count - 1
                let padded = rightAligned.contains(i) ? padding + cell : (last ? cell : cell + padding)
                line += (i > 0 ? "  " : "") + padded
            }
            return r == 0 ? bold(line) : line
        }
    }

    /// "key  value" lines with the keys aligned, for one-object views like `info`.
    func fields(_ pairs: [(String, String)]) {
        let width = pairs.map(\.0.displayWidth).max() ?? 0
        var text = ""
        for (key, value) in pairs {
            text += bold(key + String(repeating: " ", count: width - key.displayWidth)) + "  " + value + "\n"
        }
        write(text, to: stdout)
    }

    func bold(_ text: String) -> String { color ? "\u{1B}[1m\(text)\u{1B}[0m" : text }

    func progress(_ text: String) {
        guard showsProgress else { return }
        write("\r\u{1B}[2K" + text, to: stderr)
    }

    func endProgress() {
        guard showsProgress else { return }
        write("\r\u{1B}[2K", to: stderr)
    }
}

func write(_ text: String, to stream: UnsafeMutablePointer<FILE>) {
    fputs(text, stream)
    if stream == stderr { fflush(stream) }
}

/// Prints an error the documented way: `btx: message` on stderr, plus on
/// stdout for --json an error object, or for an event stream (`add`) an
/// error event and the exit event that ends every stream.
func report(_ error: BTXError, json: Bool, streaming: Bool) {
    write("btx: \(error.message)\n", to: stderr)
    if let hint = error.hint { write("btx: \(hint)\n", to: stderr) }
    guard json && !error.reported else { return }
    if streaming {
        write(streamEvent("error", errorEvent(code: error.code, message: error.message)).text + "\n", to: stdout)
        let reason = [.interrupted, .terminated].contains(error.exitCode) ? "interrupted" : "error"
        write(streamEvent("exit", exitEvent(reason: reason, code: error.exitCode)).text + "\n", to: stdout)
    } else {
        let object = JSON.object([("error", .object([("code", .string(error.code)), ("message", .string(error.message))]))])
        write(object.text + "\n", to: stdout)
    }
}
