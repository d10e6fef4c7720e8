import BTXSession
import Glibc

/// --color: when btx colours states and errors. `auto` colours a terminal
/// only, and never with NO_COLOR (set and not empty, as no-color.org says)
/// or TERM=dumb; `always` wins over those, as an option should.
enum ColorChoice: String, CaseIterable {
    case auto, always, never

    func colors(_ fd: Int32, environment: Environment) -> Bool {
        switch self {
        case .always: true
        case .never: false
        case .auto: isatty(fd) == 1 && (environment["NO_COLOR"] ?? "").isEmpty && environment["TERM"] != "dumb"
        }
    }

    /// The last --color on a command line, read before it is parsed: an
    /// error in the parse is itself reported in colour or not.
    static func given(in arguments: [String]) -> ColorChoice {
        var choice = ColorChoice.auto
        var index = 0
        while index < arguments.count, arguments[index] != "--" {
            let argument = arguments[index]
            if argument == "--color", index + 1 < arguments.count {
                choice = ColorChoice(rawValue: arguments[index + 1]) ?? choice
                index += 1
            } else if argument.hasPrefix("--color=") {
                choice = ColorChoice(rawValue: String(argument.dropFirst("--color=".count))) ?? choice
            }
            index += 1
        }
        return choice
    }
}

/// SGR colours, and what each torrent state is shown in.
enum Paint: String, CaseIterable {
    case bold = "1", red = "31", green = "32", yellow = "33", cyan = "36", boldRed = "1;31"

    /// As markers that TerminalText.rendered makes SGR (see TerminalText).
    func apply(_ text: String) -> String { Self.openers[self, default: ""] + text + Self.reset }

    // Made once: a table paints a state on each of its rows.
    private static let openers = Dictionary(uniqueKeysWithValues: allCases.map { ($0, marker($0.rawValue)) })
    private static let reset = marker("0")

    static func marker(_ parameters: String) -> String {
        var marker = String.UnicodeScalarView([TerminalText.open])
        marker.append(contentsOf: TerminalText.tag)
        marker.append(contentsOf: parameters.unicodeScalars)
        marker.append(TerminalText.close)
        return String(marker)
    }

    /// Complete green, on its way cyan, waiting yellow, failed red; stopped and unknown plain.
    static func forState(_ word: String) -> Paint? {
        switch word {
        case "seeding", "finished", "complete": .green
        case "downloading", "metadata": .cyan
        case "paused", "queued", "checking", "resuming": .yellow
        case "error": .red
        default: nil
        }
    }
}
