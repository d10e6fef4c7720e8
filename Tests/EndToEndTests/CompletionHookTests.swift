import Foundation
import XCTest

/// --on-complete: a real download finishes and the hook sees it; a failing
/// hook and a hanging one are reported and never hold the session.
final class CompletionHookTests: XCTestCase {
    private func swarm(_ scratch: Scratch, _ names: [String]) throws -> (torrents: [String], seeder: RunningProcess, port: Int) {
        var torrents: [String] = []
        for name in names {
            try scratch.write("src/\(name)", randomData(1 << 20))
            torrents.append(try makeTorrent(scratch.path + "/src/\(name)", scratch.path + "/\(name).torrent"))
        }
        let (seeder, port) = try Peer(scratch, "seeder").seed(torrents, from: scratch.path + "/src")
        return (torrents, seeder, port)
    }

    func testHookReadsTheStatusDocumentAndItsEnvironment() throws {
        let scratch = try Scratch()
        let (torrents, seeder, port) = try swarm(scratch, ["movie.bin"])
        defer { seeder.signal(SIGTERM); _ = try? seeder.wait() }
        let hook = "cat > '\(scratch.path)/stdin.json'; printf '%s|%s|%s' \"$BTX_INFO_HASH\" \"$BTX_NAME\" \"$BTX_SAVE_PATH\" > '\(scratch.path)/env.txt'"
        let add = try Peer(scratch, "leecher").add(torrents + ["-o", scratch.path + "/dst", "--peer", "127.0.0.1:\(port)",
                                                              "--on-complete", hook])
        XCTAssertEqual(add.status, 0, add.stderr)
        let event = try XCTUnwrap(add.events.first { $0.type == "hook" }?.data)
        XCTAssertEqual(event["exit_code"] as? Int, 0)
        XCTAssertEqual(event["timed_out"] as? Bool, false)

        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: scratch.contents("stdin.json")) as? [String: Any])
        let hash = try XCTUnwrap(document["info_hash"] as? String)
        XCTAssertEqual(document["name"] as? String, "movie.bin")
        XCTAssertEqual(document["progress"] as? Double, 1.0)
        XCTAssertEqual(document["done"] as? Int, 1 << 20)
        XCTAssertEqual(String(decoding: try scratch.contents("env.txt"), as: UTF8.self),
                       "\(hash)|movie.bin|\(scratch.path)/dst")
        XCTAssertEqual(event["info_hash"] as? String, hash)
    }

    func testFailingAndHangingHooksAreReportedAndNeverHoldTheSession() throws {
        let scratch = try Scratch()
        let (torrents, seeder, port) = try swarm(scratch, ["fails.bin", "hangs.bin"])
        defer { seeder.signal(SIGTERM); _ = try? seeder.wait() }
        let leecher = try Peer(scratch, "leecher")
        // The config's spelling with an underscore works too.
        let config = try String(contentsOfFile: leecher.state + "/config", encoding: .utf8)
        try (config + "on_complete_timeout = 1\n").write(toFile: leecher.state + "/config", atomically: true, encoding: .utf8)
        let marker = "31.\(getpid() % 1000)"
        let hook = "if [ \"$BTX_NAME\" = fails.bin ]; then echo 'disk is gone' >&2; exit 3; fi; sleep \(marker)"
        let started = Date()
        let add = try leecher.add(torrents + ["-o", scratch.path + "/dst", "--peer", "127.0.0.1:\(port)", "--on-complete", hook])
        XCTAssertEqual(add.status, 0, "a hook's failure is not the download's: \(add.stderr)")
        XCTAssertLessThan(Date().timeIntervalSince(started), 25, "the hanging hook was not killed at its timeout")

        let hooks = add.events.filter { $0.type == "hook" }.map(\.data)
        let failed = try XCTUnwrap(hooks.first { $0["name"] as? String == "fails.bin" })
        XCTAssertEqual(failed["exit_code"] as? Int, 3)
        XCTAssertEqual(failed["stderr"] as? String, "disk is gone\n")
        let hung = try XCTUnwrap(hooks.first { $0["name"] as? String == "hangs.bin" })
        XCTAssertEqual(hung["timed_out"] as? Bool, true)
        XCTAssertTrue(hung["exit_code"] is NSNull)
        XCTAssertEqual(hung["signal"] as? Int, Int(SIGKILL))
        // Killed with its process group: the shell's sleep is gone too.
        XCTAssertNotEqual(try spawn("/usr/bin/pgrep", ["-f", "sleep \(marker)"]).status, 0)
        // Both torrents finished all the same.
        XCTAssertEqual(add.events.filter { $0.type == "finished" }.count, 2)
    }

    func testHumansHearOfAFailingHookInOneLine() throws {
        let scratch = try Scratch()
        let (torrents, seeder, port) = try swarm(scratch, ["notes.bin"])
        defer { seeder.signal(SIGTERM); _ = try? seeder.wait() }
        let leecher = try Peer(scratch, "leecher")
        let add = try spawn(btxPath, ["add"] + leecher.common + torrents + ["-o", scratch.path + "/dst", "--peer", "127.0.0.1:\(port)",
                                                                          "--on-complete", "echo first >&2; echo 'no space left' >&2; exit 1"])
        XCTAssertEqual(add.status, 0)
        XCTAssertEqual(add.stderr, "btx: warning: notes.bin: on-complete hook exited 1: no space left\n")
    }
}
