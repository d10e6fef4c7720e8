@testable import BTXSession
import Foundation
import XCTest

/// Resume data written many files at a time: each file whole or untouched,
/// in the order given, each failure its own, and no temporary file left.
final class BatchWriteTests: XCTestCase {
    private var root = ""

    override func setUpWithError() throws {
        root = NSTemporaryDirectory() + "btx-batch-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: root)
    }

    private func contents(_ name: String) -> String? {
        (try? Data(contentsOf: URL(fileURLWithPath: root + "/" + name))).map { String(decoding: $0, as: UTF8.self) }
    }

    func testEveryFileIsReplacedInOrderAndOneFailureStaysItsOwn() throws {
        try Data("old".utf8).write(to: URL(fileURLWithPath: root + "/a.resume"))
        // A directory where a file should go: its rename fails, the rest go on.
        try FileManager.default.createDirectory(atPath: root + "/taken.resume/inside", withIntermediateDirectories: true)
        let files: [(path: String, bytes: [UInt8])] = (0..<300).map { (root + "/f\($0).resume", Array("file \($0)".utf8)) }
            + [(root + "/a.resume", Array("first".utf8)), (root + "/taken.resume", Array("lost".utf8)),
               (root + "/a.resume", Array("second".utf8))]
        let errors = FileIO.replaceAtomically(files, in: root, mode: 0o600)

        XCTAssertEqual(errors.count, files.count)
        XCTAssertEqual(errors.indices.filter { errors[$0] != nil }, [301], "\(errors.compactMap { $0?.message })")
        XCTAssertTrue(errors[301]?.message.contains("taken.resume") == true, "\(String(describing: errors[301]))")
        XCTAssertEqual(contents("a.resume"), "second")
        for i in [0, 150, 299] { XCTAssertEqual(contents("f\(i).resume"), "file \(i)") }
        let mode = try FileManager.default.attributesOfItem(atPath: root + "/f7.resume")[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)
        let left = try FileManager.default.contentsOfDirectory(atPath: root).filter { $0.hasPrefix(".btx-") }
        XCTAssertEqual(left, [])
    }

    func testConcurrentlyRunsEachIndexOnce() {
        for (count, threads) in [(0, 16), (1, 16), (5, 1), (100, 16), (7, 3)] {
            let runs = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(count, 1))
            runs.initialize(repeating: 0)
            concurrently(count, threads: threads) { runs[$0] += 1 }
            XCTAssertEqual(Array(runs.prefix(count)), Array(repeating: 1, count: count), "\(count) on \(threads)")
            runs.deallocate()
        }
    }
}
