@testable import BTXCLI
@testable import BTXSession
import Foundation
import XCTest

/// The config file: the XDG one is read even with --state-dir, STATE/config
/// wins key by key, and a key this btx does not know only warns.
final class UserConfigTests: XCTestCase {
    private var root = ""

    override func setUpWithError() throws {
        root = NSTemporaryDirectory() + "btx-config-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root + "/xdg/btx", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/state", withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: root) }

    private func write(_ relative: String, _ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: root + "/" + relative))
    }

    private func directory(stateDir: Bool) throws -> StateDirectory {
        let environment = Environment(variables: ["HOME": root + "/home", "XDG_CONFIG_HOME": root + "/xdg"])
        let arguments = stateDir ? ["--state-dir", root + "/state"] : []
        return StateDirectory(invocation: try Invocation.parse(arguments, command: addCommand, environment: environment),
                              environment: environment)
    }

    func testTheXDGConfigIsReadEvenWithAStateDirWhoseConfigWins() throws {
        try write("xdg/btx/config", "output = /from-xdg\nmax-up = 1M  # slow uplink\n")
        try write("state/config", "output = /from-state\ndht = off\n")
        var warnings: [String] = []

        let overridden = try UserConfig.load(try directory(stateDir: true).configPaths) { warnings.append($0) }
        XCTAssertEqual(overridden["output"], "/from-state")
        XCTAssertEqual(overridden["max-up"], "1M")
        XCTAssertEqual(try overridden.switchValue("dht"), false)

        let plain = try UserConfig.load(try directory(stateDir: false).configPaths) { warnings.append($0) }
        XCTAssertEqual(plain["output"], "/from-xdg")
        XCTAssertNil(plain["dht"], "STATE/config is read only when the state directory is given")
        XCTAssertEqual(warnings, [])
    }

    func testASettingKeptForTheNextStartChangesItsLineOrIsAdded() throws {
        try write("xdg/btx/config", "max-up = 1M  # slow uplink\nseed-ratio = 2\n")
        try write("state/config", "dht = off")
        let directory = try directory(stateDir: true)
        try UserConfig.persist("max-up", as: "2000", directory: directory)
        try UserConfig.persist("seed-ratio", as: nil, directory: directory)
        try UserConfig.persist("max-down", as: "5000", directory: directory)
        try UserConfig.persist("seed-time", as: nil, directory: directory)
        XCTAssertEqual(try String(contentsOfFile: root + "/xdg/btx/config", encoding: .utf8), "max-up = 2000 # slow uplink\n")
        XCTAssertEqual(try String(contentsOfFile: root + "/state/config", encoding: .utf8), "dht = off\nmax-down = 5000\n",
                       "a key no file sets goes to the state directory's own config")
        let config = try UserConfig.load(directory.configPaths) { XCTFail($0) }
        XCTAssertEqual(config["max-up"], "2000")
        XCTAssertEqual(config["max-down"], "5000")
        XCTAssertNil(config["seed-ratio"])
    }

    func testUnknownKeysAndMalformedLinesWarnAndAreSkipped() throws {
        try write("state/config", "colour = blue\nlisten = 6881\njust some words\n")
        var warnings: [String] = []
        let config = try UserConfig.load(try directory(stateDir: true).configPaths) { warnings.append($0) }
        XCTAssertEqual(config["listen"], "6881")
        XCTAssertEqual(warnings.count, 2, "\(warnings)")
        XCTAssertTrue(warnings[0].hasPrefix(root + "/state/config:1: unknown key 'colour' (known: alt-max-down, alt-max-up, alt-schedule, blocklist, bootstrap, category, dht, "), warnings[0])
        XCTAssertTrue(warnings[1].hasPrefix(root + "/state/config:3: "), warnings[1])
    }

    func testBadValuesOfKnownKeysAreErrorsNamingTheLine() throws {
        for (line, mentions) in [("utp = maybe", "utp must be on or off"), ("max-down = fast", "max-down must be a rate"),
                                 ("output =", "output needs a value")] {
            try write("xdg/btx/config", "# defaults\n" + line + "\n")
            XCTAssertThrowsError(try UserConfig.load(try directory(stateDir: true).configPaths) { _ in }) { error in
                let message = (error as? BTXError)?.message ?? ""
                XCTAssertTrue(message.hasPrefix(self.root + "/xdg/btx/config:2: " + mentions), message)
            }
        }
    }
}
