@testable import BTXSession
import Foundation
import XCTest

/// The states a crash can leave a move out of the incomplete folder in, as
/// libtorrent makes it: renames within a filesystem; across filesystems
/// every file copied before any source is deleted.
final class InterruptedMoveTests: XCTestCase {
    private var root = ""
    private let files = ["album/a.flac", "album/b.flac", "album/c.flac"]

    override func setUpWithError() throws {
        root = NSTemporaryDirectory() + "btx-move-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: root)
    }

    private func put(_ relative: String, in folder: String, _ text: String) throws {
        let path = root + "/" + folder + "/" + relative
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    private func read(_ relative: String, in folder: String) -> String? {
        (try? Data(contentsOf: URL(fileURLWithPath: root + "/" + folder + "/" + relative))).map { String(decoding: $0, as: UTF8.self) }
    }

    private func settle() -> InterruptedMove.Outcome {
        InterruptedMove.settle(files: files, source: root + "/incomplete", destination: root + "/done")
    }

    func testNothingMovedYetOrEverythingMovedIsLeftAlone() throws {
        for file in files { try put(file, in: "incomplete", file) }
        XCTAssertEqual(settle(), .atSource)
        XCTAssertEqual(files.map { read($0, in: "incomplete") }, files)

        for file in files { try FileManager.default.removeItem(atPath: root + "/incomplete/" + file) }
        for file in files { try put(file, in: "done", file) }
        XCTAssertEqual(settle(), .atDestination)
        XCTAssertEqual(files.map { read($0, in: "done") }, files)
    }

    /// Within a filesystem: a.flac renamed, b and c not yet. Put back.
    func testRenamesCutShortAreRolledBack() throws {
        try put(files[0], in: "done", files[0])
        for file in files.dropFirst() { try put(file, in: "incomplete", file) }
        XCTAssertEqual(settle(), .atSource)
        XCTAssertEqual(files.map { read($0, in: "incomplete") }, files)
        XCTAssertEqual(files.compactMap { read($0, in: "done") }, [])
    }

    /// Across filesystems, while copying: a.flac copied, b.flac half copied.
    /// The sources count; the copies go.
    func testCopiesCutShortAreRemoved() throws {
        for file in files { try put(file, in: "incomplete", file) }
        try put(files[0], in: "done", files[0])
        try put(files[1], in: "done", "album/b.f")
        XCTAssertEqual(settle(), .atSource)
        XCTAssertEqual(files.map { read($0, in: "incomplete") }, files)
        XCTAssertEqual(files.compactMap { read($0, in: "done") }, [])
    }

    /// Across filesystems, while deleting the sources: every copy is whole,
    /// and a.flac's source is gone. A file cannot be renamed back across
    /// filesystems, so the move is finished instead.
    func testDeletionCutShortAcrossFilesystemsIsFinished() throws {
        guard let shm = try? FileManager.default.attributesOfFileSystem(forPath: "/dev/shm"),
              let here = try? FileManager.default.attributesOfFileSystem(forPath: root),
              shm[.systemNumber] as? Int != here[.systemNumber] as? Int else {
            throw XCTSkip("needs /dev/shm on a filesystem of its own")
        }
        let destination = "/dev/shm/btx-move-\(getpid())-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: destination) }
        for file in files {
            try FileManager.default.createDirectory(atPath: destination + "/album", withIntermediateDirectories: true)
            try Data(file.utf8).write(to: URL(fileURLWithPath: destination + "/" + file))
        }
        for file in files.dropFirst() { try put(file, in: "incomplete", file) }
        XCTAssertEqual(InterruptedMove.settle(files: files, source: root + "/incomplete", destination: destination), .atDestination)
        XCTAssertEqual(files.compactMap { read($0, in: "incomplete") }, [])
        XCTAssertEqual(files.map { (try? String(contentsOfFile: destination + "/" + $0, encoding: .utf8)) ?? "" }, files)
    }

    /// The same folder on both sides (its resume data already names the
    /// destination) is never touched.
    func testOneFolderIsNeverTouched() throws {
        for file in files { try put(file, in: "done", file) }
        XCTAssertEqual(InterruptedMove.settle(files: files, source: root + "/done", destination: root + "/done/"), .atDestination)
        XCTAssertEqual(files.map { read($0, in: "done") }, files)
    }
}
