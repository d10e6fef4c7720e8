import Foundation
import XCTest

/// dht-keygen needs no network: run twice, it shows the key it made the
/// first time; --force replaces it.
final class DHTKeygenTests: XCTestCase {
    func testASecondRunShowsTheExistingKeyAndForceReplacesIt() throws {
        let scratch = try Scratch()
        let state = scratch.path + "/k"
        let first = try btx("dht-keygen", "--state-dir", state)
        XCTAssertEqual(first.status, 0, first.stderr)
        let publicKey = first.text.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(publicKey.count, 64)
        let seed = try scratch.contents("k/dht.key")

        let again = try btx("dht-keygen", "--state-dir", state)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(again.text, publicKey + "\n")
        XCTAssertTrue(again.stderr.contains("existing key in \(state)/dht.key"), again.stderr)
        let json = try btx("dht-keygen", "--state-dir", state, "--json").json()
        XCTAssertEqual(json["public_key"] as? String, publicKey)
        XCTAssertEqual(json["key_file"] as? String, state + "/dht.key")
        XCTAssertEqual(json["created"] as? Bool, false)
        XCTAssertEqual(try scratch.contents("k/dht.key"), seed, "the key is kept")

        let forced = try btx("dht-keygen", "--state-dir", state, "--force", "--json")
        XCTAssertEqual(forced.status, 0, forced.stderr)
        XCTAssertNotEqual(try forced.json()["public_key"] as? String, publicKey)
        XCTAssertEqual(try forced.json()["created"] as? Bool, true)
        XCTAssertNotEqual(try scratch.contents("k/dht.key"), seed)
    }
}
