import TorrentKit
import XCTest
import TestSupport

final class TorrentContentTests: XCTestCase {
    func testSingleFileIsNamedAfterItself() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("movie.mkv", bytes: [1, 2, 3])
        let content = try TorrentContent.scan(file)
        XCTAssertEqual(content.name, "movie.mkv")
        XCTAssertEqual(content.files, [.init(path: "movie.mkv", size: 3)])
        XCTAssertEqual(content.baseDirectory, try realpathOf(dir.path))
    }

    func testDirectoryIsSortedBytewiseWithEmptyFilesKeptAndEmptyDirectoriesDropped() throws {
        let dir = try TemporaryDirectory()
        try dir.write("album/b.txt", bytes: [1])
        try dir.write("album/A.txt", bytes: [1, 2])
        try dir.write("album/sub/été ☃.txt", bytes: [3])
        try dir.write("album/empty", bytes: [])
        try dir.mkdir("album/nothing/here")
        let content = try TorrentContent.scan(dir.path + "/album/")
        XCTAssertEqual(content.name, "album")
        XCTAssertEqual(content.files.map(\.path),
                       ["album/A.txt", "album/b.txt", "album/empty", "album/sub/été ☃.txt"])
        XCTAssertEqual(content.totalSize, 4)
    }

    func testSymlinksInsideTheTreeAreFollowedAndOnesLeadingOutAreSkipped() throws {
        let dir = try TemporaryDirectory()
        try dir.write("outside.bin", bytes: [9, 9])
        try dir.write("tree/real.bin", bytes: [1])
        try dir.write("tree/sub/deep.bin", bytes: [3, 3, 3])
        XCTAssertEqual(symlink("real.bin", dir.path + "/tree/inside.bin"), 0)
        XCTAssertEqual(symlink(dir.path + "/tree/sub", dir.path + "/tree/alias"), 0)
        XCTAssertEqual(symlink(dir.path + "/outside.bin", dir.path + "/tree/link.bin"), 0)
        XCTAssertEqual(symlink("..", dir.path + "/tree/sub/up"), 0)
        XCTAssertEqual(symlink(dir.path + "/missing", dir.path + "/tree/dangling"), 0)
        XCTAssertEqual(symlink(dir.path + "/tree", dir.path + "/tree/loop"), 0)
        let content = try TorrentContent.scan(dir.path + "/tree")
        XCTAssertEqual(content.files, [.init(path: "tree/alias/deep.bin", size: 3), .init(path: "tree/inside.bin", size: 1),
                                       .init(path: "tree/real.bin", size: 1), .init(path: "tree/sub/deep.bin", size: 3)])
        let real = try realpathOf(dir.path)
        XCTAssertEqual(content.skipped.sorted(), [
            "alias/up: symlink loop",
            "dangling: dangling symlink",
            "link.bin: symlink to \(real)/outside.bin, outside the tree",
            "loop: symlink loop",
            "sub/up: symlink loop",
        ])
    }

    func testATreeGivenThroughASymlinkIsJudgedWhereItReallyIs() throws {
        let dir = try TemporaryDirectory()
        try dir.write("real/a.bin", bytes: [1])
        XCTAssertEqual(symlink("a.bin", dir.path + "/real/b.bin"), 0)
        XCTAssertEqual(symlink(dir.path + "/real", dir.path + "/shortcut"), 0)
        let content = try TorrentContent.scan(dir.path + "/shortcut")
        XCTAssertEqual(content.name, "shortcut")
        XCTAssertEqual(content.files.map(\.path), ["shortcut/a.bin", "shortcut/b.bin"])
        XCTAssertEqual(content.skipped, [])
    }

    func testExcludeMatchesNamesAndPaths() throws {
        let dir = try TemporaryDirectory()
        try dir.write("t/keep.txt", bytes: [1])
        try dir.write("t/skip.tmp", bytes: [1])
        try dir.write("t/.git/config", bytes: [1])
        try dir.write("t/sub/drop.txt", bytes: [1])
        let content = try TorrentContent.scan(dir.path + "/t", exclude: ["*.tmp", ".git", "sub/drop.txt"])
        XCTAssertEqual(content.files.map(\.path), ["t/keep.txt"])
    }

    func testMissingPathAndEmptyDirectoryAreErrors() throws {
        let dir = try TemporaryDirectory()
        XCTAssertThrowsError(try TorrentContent.scan(dir.path + "/nope")) {
            XCTAssertEqual(($0 as? TorrentKitError)?.code, .io)
        }
        try dir.mkdir("empty/inner")
        XCTAssertThrowsError(try TorrentContent.scan(dir.path + "/empty")) {
            XCTAssertEqual(($0 as? TorrentKitError)?.code, .invalidArgument)
        }
    }

    func testAllEmptyFilesCannotBeHashed() throws {
        let dir = try TemporaryDirectory()
        try dir.write("z/a", bytes: [])
        let content = try TorrentContent.scan(dir.path + "/z")
        XCTAssertThrowsError(try TorrentCreator.create(content, options: TorrentOptions())) {
            XCTAssertEqual(($0 as? TorrentKitError)?.code, .invalidArgument)
        }
    }

    private func realpathOf(_ path: String) throws -> String {
        guard let p = realpath(path, nil) else { throw TorrentKitError(.io, "realpath \(path) failed") }
        defer { free(p) }
        return String(cString: p)
    }
}

final class PieceLengthTests: XCTestCase {
    func testV1AimsForAtMost2048Pieces() {
        XCTAssertEqual(PieceLength.automatic(fileSizes: [1000], format: .v1), 16 << 10)
        XCTAssertEqual(PieceLength.automatic(fileSizes: [2 << 30], format: .v1), 1 << 20)
        XCTAssertEqual(PieceLength.automatic(fileSizes: [(2 << 30) + 1], format: .v1), 2 << 20)
        XCTAssertEqual(PieceLength.automatic(fileSizes: [1 << 40], format: .v1), 16 << 20)
    }

    func testHybridWithManySmallFilesKeepsPiecesSmall() {
        let small = [Int64](repeating: 4096, count: 10_000)
        XCTAssertEqual(PieceLength.automatic(fileSizes: small, format: .hybrid), 16 << 10)
        // v1 has no per-file padding, so the same files only count their total.
        XCTAssertEqual(PieceLength.automatic(fileSizes: small, format: .v1), 32 << 10)
    }

    func testCreatedTorrentUsesTheAutomaticPieceLength() throws {
        let dir = try TemporaryDirectory()
        try dir.write("f.bin", bytes: pseudoRandomBytes(100_000, seed: 3))
        let bytes = try TorrentCreator.create(try TorrentContent.scan(dir.path + "/f.bin"), options: TorrentOptions())
        let info = try TorrentInfo(bytes: bytes, includeFiles: true)
        XCTAssertEqual(info.pieceLength, 16 << 10)
        XCTAssertEqual(info.pieceCount, 7)
        XCTAssertEqual(info.files.map(\.path), ["f.bin"])
    }
}
