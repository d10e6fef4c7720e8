import Glibc
import XCTest
@testable import BTXSession

final class HandoffTests: XCTestCase {
    private struct Stopped: Error {}

    /// Batches arrive whole and in order, the maker is held `ahead`
    /// batches in front of the taker, and its error comes after its batches.
    func testBatchesArriveInOrderThenTheMakersError() throws {
        let handoff = Handoff<Int>(ahead: 2)
        let made = Counter()
        try startThread {
            for start in stride(from: 0, to: 50, by: 10) {
                handoff.put(Array(start..<start + 10))
                made.add()
            }
            handoff.put([])
            handoff.finish(Stopped())
        }
        // Nothing taken yet: the maker stops at two batches waiting.
        let deadline = monotonicSeconds() + 5
        while made.value < 2 && monotonicSeconds() < deadline { usleep(1_000) }
        // A maker not held back puts all five in well under this.
        usleep(50_000)
        XCTAssertEqual(made.value, 2, "held two batches ahead")

        var taken: [Int] = []
        XCTAssertThrowsError(try { while let batch = try handoff.take() { taken += batch } }()) { error in
            XCTAssertTrue(error is Stopped)
        }
        XCTAssertEqual(taken, Array(0..<50))
    }

    func testAMakerThatFinishesCleanlyEndsWithNil() throws {
        let handoff = Handoff<String>(ahead: 4)
        try startThread {
            handoff.put(["a", "b"])
            handoff.finish()
        }
        XCTAssertEqual(try handoff.take(), ["a", "b"])
        XCTAssertNil(try handoff.take())
        XCTAssertNil(try handoff.take(), "and stays ended")
    }

    /// A count two threads share.
    private final class Counter {
        private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        private var count = 0

        init() { pthread_mutex_init(lock, nil) }

        deinit {
            pthread_mutex_destroy(lock)
            lock.deallocate()
        }

        func add() {
            pthread_mutex_lock(lock)
            count += 1
            pthread_mutex_unlock(lock)
        }

        var value: Int {
            pthread_mutex_lock(lock)
            defer { pthread_mutex_unlock(lock) }
            return count
        }
    }
}
