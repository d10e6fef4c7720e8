import Foundation
import XCTest

/// completions/ loaded into bash, zsh and fish, each asked what it offers:
/// saved torrents by name and hash prefix (through `btx _complete
/// torrents`, with BTX_STATE_DIR or the line's --state-dir), .torrent files,
/// command names, words, and the form of --listen.
final class CompletionShellTests: XCTestCase {
    private static let completions = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("completions").path

    private var scratch: Scratch!
    private var state = ""
    private var hash = ""

    override func setUpWithError() throws {
        scratch = try Scratch()
        state = scratch.path + "/state"
        try scratch.write("data/my file.bin", randomData(40_000))
        try scratch.write("data/ubuntu.iso", randomData(40_000))
        try FileManager.default.createDirectory(atPath: scratch.path + "/work/folder", withIntermediateDirectories: true)
        try scratch.write("work/notes.txt", Data("not a torrent\n".utf8))
        for name in ["my file.bin", "ubuntu.iso"] {
            let torrent = try makeTorrent(scratch.path + "/data/" + name, scratch.path + "/work/\(name).torrent")
            let added = try spawn(btxPath, ["add", torrent, "--paused", "--state-dir", state, "-o", scratch.path + "/data",
                                            "--no-dht", "--listen", "127.0.0.1:0"])
            XCTAssertEqual(added.status, 0, added.stderr)
        }
        hash = try XCTUnwrap(spawn(btxPath, ["info", "--json", scratch.path + "/work/ubuntu.iso.torrent"]).json()["info_hash"] as? String)
    }

    override func tearDown() { scratch = nil }

    /// fish makes $XDG_CONFIG_HOME/fish and $XDG_DATA_HOME/fish when it starts: in the scratch folder, not
    /// where the tests point btx's config (a folder that must not exist).
    private var environment: [String: String] {
        ["PATH": (btxPath as NSString).deletingLastPathComponent + ":/usr/bin:/bin", "BTX_STATE_DIR": state, "HOME": scratch.path,
         "XDG_CONFIG_HOME": scratch.path + "/config", "XDG_DATA_HOME": scratch.path + "/share"]
    }

    private func lines(_ result: ProcessResult) -> [String] {
        result.text.split(separator: "\n").map(String.init)
    }

    /// What each shell offers after `line` (which ends where TAB is pressed).
    private func offers(_ shell: String, _ line: String, environment extra: [String: String] = [:]) throws -> Set<String> {
        let env = environment.merging(extra) { $1 }
        let cwd = scratch.path + "/work"
        switch shell {
        case "bash":
            let script = """
                source "$1"
                read -ra COMP_WORDS <<< "$2"
                [[ $2 == *" " ]] && COMP_WORDS+=("")
                COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
                _btx
                printf '%s\\n' "${COMPREPLY[@]}"
                """
            let result = try spawn("/bin/bash", ["-c", script, "bash", Self.completions + "/btx.bash", line], cwd: cwd, environment: env)
            XCTAssertEqual(result.stderr, "", "bash: \(line)")
            return Set(lines(result))
        case "zsh":
            let result = try spawn("/usr/bin/zsh", ["-f", "-c", Self.zshScript, "zsh", Self.completions, line], cwd: cwd,
                                   environment: env, timeout: 30)
            XCTAssertEqual(result.status, 0, "zsh: \(line): \(result.stderr)")
            // Each match printed as <<match>> by the compadd wrapper; the wrapper's own echo has "${".
            return Set(lines(result).compactMap { text in
                guard let start = text.range(of: "<<"), let end = text.range(of: ">>", options: .backwards),
                      start.upperBound <= end.lowerBound else { return nil }
                let match = String(text[start.upperBound..<end.lowerBound])
                return match.contains("${") ? nil : match.replacingOccurrences(of: "\\ ", with: " ")
            })
        default:
            let escaped = line.replacingOccurrences(of: "'", with: "\\'")
            let result = try spawn("/usr/bin/fish", ["--no-config", "-c", "source \(Self.completions)/btx.fish; complete -C '\(escaped)'"],
                                   cwd: cwd, environment: env)
            XCTAssertEqual(result.stderr, "", "fish: \(line)")
            return Set(lines(result).map { String($0.split(separator: "\t", maxSplits: 1).first ?? "") })
        }
    }

    /// zsh completes only inside its line editor: an interactive zsh on a
    /// pty (zpty), with compadd wrapped to print every match, and TAB bound
    /// to complete then print a mark, so the output ends where the completion does.
    private static let zshScript = """
        zmodload zsh/zpty
        zpty z zsh -f -i
        zpty -w z "PS1='' PS2='' RPS1=''; unsetopt beep; fpath=($1 \\$fpath); autoload -Uz compinit; compinit -u -D"
        zpty -w z 'compadd() {
          local -a __hits
          if (( ${@[(I)-[OAD]*]} )); then builtin compadd "$@"; return; fi
          builtin compadd -O __hits "$@"
          (( $#__hits )) && print -rl -- "<<"${^__hits}">>"
          builtin compadd "$@"
        }'
        zpty -w z '__complete_then_mark() { zle complete-word; print -r -- "__COMPLETED""__" }; zle -N __complete_then_mark; bindkey "^I" __complete_then_mark'
        zpty -w -n z "$2"$'\\t'
        local line
        while zpty -r z line; do
          line=${line//$'\\r'/}
          [[ $line == *__COMPLETED__* ]] && break
          [[ $line == *'<<'* ]] && print -r -- $line
        done
        zpty -d z
        """

    func testEveryShellCompletesTorrentsFilesCommandsAndForms() throws {
        for shell in ["bash", "zsh", "fish"] {
            guard FileManager.default.isExecutableFile(atPath: shell == "bash" ? "/bin/bash" : "/usr/bin/\(shell)") else {
                XCTFail("\(shell) is missing: run 'make deps'")
                continue
            }
            XCTAssertEqual(try offers(shell, "btx status "), ["my file.bin", "ubuntu.iso"], shell)
            XCTAssertEqual(try offers(shell, "btx pause --state-dir \(state) U", environment: ["BTX_STATE_DIR": ""]),
                           ["ubuntu.iso"], "\(shell): the line's --state-dir, any case")
            XCTAssertEqual(try offers(shell, "btx peers " + hash.prefix(3)), [hash], "\(shell): a hash prefix")
            let files = try offers(shell, "btx files ")
            XCTAssertTrue(files.isSuperset(of: ["my file.bin", "ubuntu.iso", "ubuntu.iso.torrent"]), "\(shell): \(files)")
            XCTAssertFalse(files.contains("notes.txt"), "\(shell): \(files)")
            let add = try offers(shell, "btx add ")
            XCTAssertTrue(add.contains("ubuntu.iso.torrent") && add.contains { $0.hasPrefix("folder") }, "\(shell): \(add)")
            XCTAssertFalse(add.contains("notes.txt") || add.contains("ubuntu.iso"), "\(shell): \(add)")
            let listen = try offers(shell, "btx add --listen ")
            XCTAssertTrue(listen.isSuperset(of: ["6881", "127.0.0.1:6881"]), "\(shell): \(listen)")
            XCTAssertTrue(try offers(shell, "btx add --encryption ").isSuperset(of: ["require", "prefer", "allow", "disable"]), shell)
            XCTAssertEqual(try offers(shell, "btx help dht-"), ["dht-get", "dht-put", "dht-keygen"], shell)
            XCTAssertTrue(try offers(shell, "btx st").contains("status"), shell)
        }
    }

    /// Three torrents called "photos": the name selects none, so each shell offers their hashes for it.
    func testANameSharedByTorrentsCompletesToTheirHashes() throws {
        let twins = scratch.path + "/twins"
        var hashes: Set<String> = []
        for index in 0..<3 {
            try scratch.write("twin\(index)/photos/p.jpg", randomData(20_000 + index))
            let torrent = try makeTorrent(scratch.path + "/twin\(index)/photos", scratch.path + "/twin\(index).torrent")
            let added = try spawn(btxPath, ["add", torrent, "--paused", "--state-dir", twins, "-o", scratch.path + "/twin\(index)",
                                            "--no-dht", "--listen", "127.0.0.1:0"])
            XCTAssertEqual(added.status, 0, added.stderr)
            hashes.insert(try XCTUnwrap(spawn(btxPath, ["info", "--json", torrent]).json()["info_hash"] as? String))
        }
        XCTAssertTrue(lines(try spawn(btxPath, ["_complete", "torrents", "--state-dir", twins])).allSatisfy { $0.hasSuffix("\tphotos\tshared") })
        for shell in ["bash", "zsh"] {
            XCTAssertEqual(try offers(shell, "btx status pho", environment: ["BTX_STATE_DIR": twins]), hashes, shell)
        }
        XCTAssertEqual(try offers("fish", "btx status ", environment: ["BTX_STATE_DIR": twins]), hashes, "fish")
    }

    func testCompleteTorrentsIsHiddenAndListsHashAndName() throws {
        let result = try spawn(btxPath, ["_complete", "torrents", "--state-dir", state])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(lines(result).count, 2)
        XCTAssertTrue(lines(result).contains(hash + "\tubuntu.iso"), result.text)
        XCTAssertFalse(try spawn(btxPath, ["help"]).text.contains("_complete"))
        XCTAssertEqual(try spawn(btxPath, ["_complete", "torrents", "--state-dir", scratch.path + "/none"]).text, "")
    }
}
