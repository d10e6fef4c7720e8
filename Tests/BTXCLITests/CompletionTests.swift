@testable import BTXCLI
@testable import BTXSession
import Foundation
import XCTest

/// `btx help <TAB>` offers command names, not file names, in every shell.
final class CompletionTests: XCTestCase {
    private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    private let names = commands.map(\.name).joined(separator: " ")

    func testHelpCompletesCommandNamesInEveryShell() {
        XCTAssertTrue(Docs.bash.contains("        help) opts=\"") && Docs.bash.contains("; words=\"\(names)\" ;;"), Docs.bash)
        XCTAssertTrue(Docs.zsh.contains("'*:command:(\(names))'"), Docs.zsh)
        XCTAssertTrue(Docs.fish.contains("complete -c btx -n '__fish_seen_subcommand_from help' -a '\(names)'"), Docs.fish)
    }

    func testBashCompletionOffersCommandsAfterHelpAndFilesAfterAdd() throws {
        guard FileManager.default.isExecutableFile(atPath: "/bin/bash") else { throw XCTSkip("no bash") }
        let directory = NSTemporaryDirectory() + "btx-completion-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory + "/stuff", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        func complete(_ words: String) throws -> [String] {
            let script = """
                source "$1"
                COMP_WORDS=(\(words)); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
                _btx
                printf '%s\\n' "${COMPREPLY[@]}"
                """
            let bash = Process()
            bash.executableURL = URL(fileURLWithPath: "/bin/bash")
            bash.arguments = ["-c", script, "bash", root.appendingPathComponent("completions/btx.bash").path]
            bash.currentDirectoryURL = URL(fileURLWithPath: directory)
            let pipe = Pipe()
            bash.standardOutput = pipe
            try bash.run()
            let output = pipe.fileHandleForReading.readDataToEndOfFile()
            bash.waitUntilExit()
            return String(decoding: output, as: UTF8.self).split(separator: "\n").map(String.init)
        }

        XCTAssertEqual(try complete("btx help st"), ["status"])
        XCTAssertEqual(try complete("btx help d").sorted(), ["daemon", "dht-get", "dht-keygen", "dht-put"])
        XCTAssertEqual(try complete("btx add st"), ["stuff"], "add still completes files")
    }
}
