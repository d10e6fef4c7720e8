import BTXSession
import Glibc

/// A block of status lines redrawn in place on a terminal (stderr for
/// progress, stdout for `status --watch`), cut to the terminal's width so a
/// wrapped line never breaks the cursor arithmetic. Off a terminal, progress
/// is dropped and --watch prints each table in turn.
final class LiveLines {
    private let output: Output
    private var drawn = 0

    init(output: Output) { self.output = output }

    func show(_ lines: [String], toStdout: Bool = false) {
        let stream: UnsafeMutablePointer<FILE> = (toStdout ? stdout : stderr)!
        if toStdout && isatty(STDOUT_FILENO) != 1 {
            // Lines escaped already (status's table: tabs separate its cells off a terminal).
            write(lines.map { TerminalText.renderedPaint($0) + "\n" }.joined() + "\n", to: stdout)
            fflush(stdout)
            return
        }
        guard toStdout || output.showsProgress else { return }
        let width = terminalWidth(toStdout ? STDOUT_FILENO : STDERR_FILENO)
        // Cut, never wrapped: a wrapped line would break the cursor arithmetic.
        var text = drawn > 1 ? "\u{1B}[\(drawn - 1)A" : ""
        for (i, line) in lines.enumerated() {
            // Escaped before it is measured and cut (see TerminalText).
            let line = TerminalText.escaped(line)
            let fitted = line.displayWidth > width - 1 ? line.cut(toDisplayWidth: max(10, width - 1)) : line
            text += "\r\u{1B}[2K" + TerminalText.rendered(fitted) + (i < lines.count - 1 ? "\n" : "")
        }
        // Fewer lines than last time: blank the leftovers below.
        for _ in lines.count..<max(lines.count, drawn) { text += "\n\r\u{1B}[2K" }
        if drawn > lines.count, lines.count > 0 { text += "\u{1B}[\(drawn - lines.count)A" }
        write(text, to: stream)
        fflush(stream)
        drawn = max(lines.count, 1)
    }

    func clear() {
        guard output.showsProgress, drawn > 0 else { return }
        var text = ""
        for i in 0..<drawn { text += "\r\u{1B}[2K" + (i < drawn - 1 ? "\u{1B}[1A" : "") }
        write(text, to: stderr)
        drawn = 0
    }
}

/// Columns of the terminal on `fd`; 80 when it is not one.
func terminalWidth(_ fd: Int32) -> Int {
    var size = winsize()
    return ioctl(fd, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 ? Int(size.ws_col) : 80
}
