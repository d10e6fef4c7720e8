@testable import BTXCLI
@testable import BTXSession
import XCTest

/// What the generated completions are made of; CompletionShellTests loads
/// them into bash, zsh and fish and asks.
final class CompletionTests: XCTestCase {
    func testTorrentArgumentsCompleteSavedTorrentsInEveryShell() {
        let torrentCommands = commands.filter { [.torrent, .torrentOrFile].contains($0.positional) }.map(\.name)
        XCTAssertEqual(Set(torrentCommands), ["status", "peers", "files", "pause", "resume", "verify", "remove", "info",
                                              "trackers", "set", "queue", "export"])
        XCTAssertTrue(Docs.bash.contains("\"$btx\" \"${state[@]}\" _complete torrents"))
        XCTAssertTrue(Docs.zsh.contains("$_btx_program $_btx_state _complete torrents"))
        XCTAssertTrue(Docs.fish.contains("$program (__btx_state_dir) _complete torrents"))
        for name in torrentCommands {
            XCTAssertTrue(Docs.fish.contains("__fish_seen_subcommand_from \(name)' -a '(__btx_torrents"), name)
        }
    }

    func testValueFormsAreShownInEveryShell() {
        for option in commands.flatMap({ $0.options }) {
            guard case .format(let examples, let hint) = option.completion else { continue }
            XCTAssertTrue(Docs.bash.contains("compgen -W \"\(examples.joined(separator: " "))\""), option.long)
            XCTAssertTrue(Docs.zsh.contains(hint.replacingAll(":", with: "\\:")), option.long)
            XCTAssertTrue(Docs.fish.contains("\(examples[0]) \"\(hint)\""), option.long)
        }
    }

    func testTheHelperIsHiddenFromHelpAndCompletions() {
        XCTAssertNil(command(named: "_complete"))
        // As a word: the file_completed event is not the helper.
        XCTAssertFalse(overviewHelp().contains(" _complete"))
        XCTAssertFalse(Docs.manPage.contains(" _complete") || Docs.manPage.contains("B _complete"))
    }
}
