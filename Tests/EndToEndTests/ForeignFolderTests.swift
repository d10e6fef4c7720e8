import Foundation
import XCTest

/// Folders and sockets of another user are not btx's: a runtime or state
/// folder made beforehand by someone else is refused, and a command never
/// sends a request to a control socket another user's process serves (it
/// would learn what this user downloads).
final class ForeignFolderTests: XCTestCase {
    private static let nobody: UInt32 = 65534

    private func requireRoot() throws {
        guard getuid() == 0 else { throw XCTSkip("making another user's folder needs root") }
    }

    private func assertRefused(_ result: ProcessResult, mentions text: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(result.status, 1, result.stderr, file: file, line: line)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr, file: file, line: line)
        XCTAssertTrue(result.stderr.contains(text), result.stderr, file: file, line: line)
    }

    func testARuntimeFolderOfAnotherUserIsRefused() throws {
        try requireRoot()
        let scratch = try Scratch()
        let peer = try Peer(scratch, "peer")
        let runtime = peer.state + "/run"
        try FileManager.default.createDirectory(atPath: runtime, withIntermediateDirectories: true)
        XCTAssertEqual(chown(runtime, Self.nobody, Self.nobody), 0)
        assertRefused(try spawn(btxPath, ["daemon"] + peer.common), mentions: "\(runtime) belongs to uid \(Self.nobody)")
        var st = stat()
        XCTAssertEqual(stat(runtime, &st), 0)
        XCTAssertEqual(st.st_mode & 0o777, 0o755, "its mode is left as it was")
        XCTAssertFalse(FileManager.default.fileExists(atPath: runtime + "/control.sock"))
    }

    func testAStateFolderOfAnotherUserIsRefused() throws {
        try requireRoot()
        let scratch = try Scratch()
        let peer = try Peer(scratch, "peer")
        XCTAssertEqual(chown(peer.state, Self.nobody, Self.nobody), 0)
        try scratch.write("src/a.bin", randomData(1000))
        let torrent = try makeTorrent(scratch.path + "/src/a.bin", scratch.path + "/a.torrent")
        assertRefused(try peer.add([torrent, "-o", scratch.path + "/src"]), mentions: "belongs to uid \(Self.nobody)")
    }

    /// `nobody` serves a socket where btx's control socket goes: btx status
    /// refuses it before sending a byte.
    func testACommandSendsNothingToAnotherUsersSocket() throws {
        try requireRoot()
        let scratch = try Scratch()
        let peer = try Peer(scratch, "peer")
        let runtime = peer.state + "/run"
        try FileManager.default.createDirectory(atPath: runtime, withIntermediateDirectories: true)
        XCTAssertEqual(chmod(runtime, 0o777), 0)
        let impostor = try RunningProcess("/usr/bin/setpriv", [
            "--reuid=\(Self.nobody)", "--regid=\(Self.nobody)", "--clear-groups", "/usr/bin/python3", "-c", """
            import socket, sys
            s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(4)
            print("ready", flush=True)
            s.settimeout(20)
            c, _ = s.accept(); c.settimeout(2)
            try: data = c.recv(65536)
            except socket.timeout: data = b""
            print("received %d bytes" % len(data), flush=True)
            """, runtime + "/control.sock"])
        _ = try impostor.waitForLine(timeout: 20, "the impostor to listen") { $0 == "ready" }
        assertRefused(try spawn(btxPath, ["status", "--state-dir", peer.state]), mentions: "another user's process")
        let heard = try impostor.waitForLine(timeout: 20, "the impostor's account") { $0.hasPrefix("received") }
        XCTAssertEqual(heard, "received 0 bytes")
    }
}
