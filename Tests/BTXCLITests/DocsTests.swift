@testable import BTXCLI
@testable import BTXSession
import Foundation
import XCTest

/// The man page and completions are generated from the command table;
/// the committed copies must be what `make docs` writes today.
final class DocsTests: XCTestCase {
    private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    func testCommittedDocsMatchTheCommandTable() throws {
        for (path, render) in Docs.files {
            let committed = try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
            XCTAssertEqual(committed, render(), "\(path) is stale: run 'make docs'")
        }
    }

    func testEveryOptionAppearsInHelpManAndCompletions() {
        // Made once: each is generated afresh when asked for.
        let (manPage, bash, zsh, fish) = (Docs.manPage, Docs.bash, Docs.zsh, Docs.fish)
        for command in commands {
            let help = commandHelp(command)
            for option in command.options + globalOptions {
                XCTAssertTrue(help.contains("--" + option.long), "\(command.name) help lacks --\(option.long)")
                XCTAssertTrue(manPage.contains("\\-\\-" + option.long.replacingAll("-", with: "\\-")),
                              "man page lacks --\(option.long)")
                XCTAssertTrue(bash.contains("--" + option.long))
                XCTAssertTrue(zsh.contains("--" + option.long))
                XCTAssertTrue(fish.contains("-l " + option.long))
            }
        }
    }

    func testNoSchemaFileOutlivesTheContract() throws {
        let committed = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("docs/json").path)
        XCTAssertEqual(Set(committed), Set(JSONContracts.all.map { "\($0.id).schema.json" }), "run 'make docs'")
    }

    func testEveryCommandHasItsJSONDocumented() {
        let documented = Set(JSONContracts.documents.map(\.producedBy))
        for command in commands where !command.streamsEvents {
            XCTAssertTrue(documented.contains("btx \(command.name) --json"), "no JSON contract for \(command.name)")
        }
        XCTAssertEqual(Set(JSONContracts.events.map(\.producedBy)),
                       ["added", "listening", "metadata", "progress", "tracker_reply", "blocklist", "warning", "error",
                        "hook", "finished", "exit"])
    }

    func testManPageLintsCleanWithADateAndEverySection() throws {
        let page = Docs.manPage
        XCTAssertTrue(page.hasPrefix(".TH BTX 1 \(btxReleaseDate) "), String(page.prefix(80)))
        for section in ["NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "JSON OUTPUT", "EXIT STATUS", "ENVIRONMENT", "FILES",
                        "EXAMPLES", "SEE ALSO"] {
            XCTAssertTrue(page.contains("\n.SH \(section)\n"), "no \(section) section")
        }
        XCTAssertTrue(page.contains(".SH EXIT STATUS\n.TS\n"), "EXIT STATUS is a table")
        for code in [ExitCode.success, .failure, .usage, .notFound, .noSession, .interrupted, .terminated] {
            XCTAssertTrue(page.contains("\n\(code.rawValue)\t"), "EXIT STATUS lacks \(code.rawValue)")
        }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/mandoc") else {
            return XCTFail("mandoc is missing: run 'make deps'")
        }
        let lint = Process()
        lint.executableURL = URL(fileURLWithPath: "/usr/bin/mandoc")
        lint.arguments = ["-T", "lint", "-W", "warning", root.appendingPathComponent("man/btx.1").path]
        let pipe = Pipe()
        lint.standardOutput = pipe
        lint.standardError = pipe
        try lint.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        lint.waitUntilExit()
        XCTAssertEqual(lint.terminationStatus, 0, output)
        XCTAssertEqual(output, "")
    }

    /// Every variable the sources read is in ENVIRONMENT.
    func testEnvironmentSectionNamesEveryVariableBtxReads() throws {
        let sources = root.appendingPathComponent("Sources/BTXCLI")
        var read = Set<String>()
        for case let path as String in FileManager.default.enumerator(atPath: sources.path)! where path.hasSuffix(".swift") {
            let text = try String(contentsOf: sources.appendingPathComponent(path), encoding: .utf8)
            var rest = Substring(text)
            while let range = rest.firstRange(of: "environment[\"") {
                rest = rest[range.upperBound...]
                read.insert(String(rest.prefix { $0 != "\"" }))
            }
        }
        XCTAssertTrue(read.contains("BTX_PROXY"), "the scan found \(read)")
        XCTAssertEqual(read.subtracting(Docs.environmentVariables.map(\.0)).sorted(), [])
    }

    func testOptionNamesAreUniquePerCommand() {
        for command in commands {
            let all = command.options + globalOptions
            XCTAssertEqual(Set(all.map(\.long)).count, all.count, command.name)
            let shorts = all.compactMap(\.short)
            XCTAssertEqual(Set(shorts).count, shorts.count, command.name)
        }
    }
}

final class ParserTests: XCTestCase {
    private let env = Environment(variables: [:])

    func testOptionsMayFollowArgumentsAndTakeInlineValues() throws {
        let inv = try Invocation.parse(["dir", "-t", "http://a", "--tracker=http://b", "-qo", "x.torrent", "--json"],
                                       command: createCommand, environment: env)
        XCTAssertEqual(inv.arguments, ["dir"])
        XCTAssertEqual(inv.all("tracker"), ["http://a", "http://b"])
        XCTAssertEqual(inv.value("output"), "x.torrent")
        XCTAssertTrue(inv.flag("quiet"))
        XCTAssertTrue(inv.output.json)
    }

    func testDoubleDashEndsOptions() throws {
        let inv = try Invocation.parse(["--", "-weird-name"], command: createCommand, environment: env)
        XCTAssertEqual(inv.arguments, ["-weird-name"])
    }

    func testStateDirectoryFromEnvironmentUnlessGiven() throws {
        let fromEnv = try Invocation.parse([], command: infoCommand, environment: Environment(variables: ["BTX_STATE_DIR": "/e"]))
        XCTAssertEqual(fromEnv.stateDirectory, "/e")
        let given = try Invocation.parse(["--state-dir", "/g"], command: infoCommand,
                                         environment: Environment(variables: ["BTX_STATE_DIR": "/e"]))
        XCTAssertEqual(given.stateDirectory, "/g")
    }

    func testErrorsAreUsageErrors() {
        for args in [["--nope"], ["-o"], ["--json=1"], ["--comment", "a", "--comment", "b"]] {
            XCTAssertThrowsError(try Invocation.parse(args, command: createCommand, environment: env)) { error in
                XCTAssertEqual((error as? BTXError)?.exitCode, .usage, "\(args)")
            }
        }
    }
}

final class UnitsTests: XCTestCase {
    func testBytes() {
        XCTAssertEqual(Units.bytes(0), "0 B")
        XCTAssertEqual(Units.bytes(1023), "1023 B")
        XCTAssertEqual(Units.bytes(16384), "16 KiB")
        XCTAssertEqual(Units.bytes(1_500_000), "1.4 MiB")
        XCTAssertEqual(Units.bytes(2 << 30), "2 GiB")
        XCTAssertEqual(Units.bytes(300 << 30), "300 GiB")
        XCTAssertEqual(Units.rate(512_000), "500 KiB/s")
    }

    func testDuration() {
        XCTAssertEqual(Units.duration(seconds: 5), "5s")
        XCTAssertEqual(Units.duration(seconds: 65), "1m05s")
        XCTAssertEqual(Units.duration(seconds: 3 * 3600 + 120), "3h02m")
        XCTAssertEqual(Units.duration(seconds: 90000), "1d1h")
    }

    func testParseSize() {
        XCTAssertEqual(Units.parseSize("16384"), 16384)
        XCTAssertEqual(Units.parseSize("16k"), 16384)
        XCTAssertEqual(Units.parseSize("4MiB"), 4 << 20)
        XCTAssertEqual(Units.parseSize("1.5G"), 3 << 29)
        XCTAssertNil(Units.parseSize("M"))
        XCTAssertNil(Units.parseSize("-1k"))
        XCTAssertNil(Units.parseSize("12 parsecs"))
    }

    func testJSONEscapingAndOrder() {
        let value = JSON.object([("b", .string("q\"\\\n\u{1}é")), ("a", .array([.int(1), .null, .bool(true)]))])
        XCTAssertEqual(value.text, #"{"b":"q\"\\\n\u0001é","a":[1,null,true]}"#)
    }
}
