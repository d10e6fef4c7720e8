import Glibc
import TorrentKit
import XCTest
import TestSupport

/// btx hashes large files through memory mappings; a page past the end of a
/// file that another process truncated raises SIGBUS. That must be an error
/// from create, never the end of the process (this test runs in-process).
final class TruncatedWhileHashingTests: XCTestCase {
    func testFileTruncatedWhileHashedIsAnErrorNotACrash() throws {
        let dir = try TemporaryDirectory()
        // Sparse: 1 GiB of holes costs no disk and hashes like data. One
        // thread keeps hashing well past the first progress report (100 ms).
        let path = try dir.write("shrinking.bin", bytes: [])
        XCTAssertEqual(truncate(path, 1 << 30), 0)
        var options = TorrentOptions()
        options.threads = 1
        options.pieceLength = 4 << 20
        var truncated = false
        XCTAssertThrowsError(try TorrentCreator.create(try TorrentContent.scan(path), options: options) { _, _ in
            if !truncated { truncated = truncate(path, 1 << 20) == 0 }
            return true
        }) { error in
            XCTAssertEqual((error as? TorrentKitError)?.code, .io)
            XCTAssertTrue("\(error)".contains("got shorter while it was being hashed"), "\(error)")
        }
        XCTAssertTrue(truncated)

        // The guard is gone afterwards and hashing works again.
        let bytes = try TorrentCreator.create(try TorrentContent.scan(path), options: TorrentOptions())
        XCTAssertEqual(try TorrentInfo(bytes: bytes).totalSize, 1 << 20)
    }
}
