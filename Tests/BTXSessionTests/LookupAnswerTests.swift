@testable import BTXSession
import TorrentKit
import XCTest

/// A DHT get's answer: the newest value wins, however many nodes hold an older one.
final class LookupAnswerTests: XCTestCase {
    private func item(seq: Int64, nodes: Int, value: String? = "v", authoritative: Bool = false) -> DHTItem {
        DHTItem(target: String(repeating: "ab", count: 20), isMutable: true, publicKey: nil, signature: nil, salt: [],
                seq: seq, value: value.map { Array($0.utf8) }, isAuthoritative: authoritative, nodes: nodes)
    }

    func testTheNewestSeqWinsAndNodesOnlyBreakTies() {
        var answer = LookupAnswer()
        answer.offer(item(seq: 5, nodes: 1, value: "new"), now: 0)
        answer.offer(item(seq: 4, nodes: 9, value: "old"), now: 0.1)
        XCTAssertEqual(answer.best?.seq, 5, "an older value held by more nodes is still older")
        answer.offer(item(seq: 5, nodes: 3, value: "new"), now: 0.2)
        XCTAssertEqual(answer.best?.nodes, 3, "more nodes for the same seq")
        answer.offer(item(seq: 6, nodes: 0, value: nil), now: 0.3)
        XCTAssertEqual(answer.best?.seq, 5, "no value is no answer")
        XCTAssertFalse(answer.isSettled(now: 0.5))
        XCTAssertTrue(answer.isSettled(now: 1.0), "quiet for a second since seq 5 came")
        answer.offer(item(seq: 0, nodes: 0, value: nil, authoritative: true), now: 0.4)
        XCTAssertTrue(answer.isComplete)
    }
}
