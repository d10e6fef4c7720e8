import Foundation
import XCTest

/// `status --json` passes the session's reply through as it arrives. A
/// session that stops midway (killed, crashed) leaves no half document
/// where that can be helped: a small reply is held until whole, and a big
/// one going to a file is taken out of it again. Into a pipe a big one is
/// cut short, and the error says so.
final class CutShortReplyTests: XCTestCase {
    func testAReplyCutShortLeavesNoHalfDocumentWhereItCanBeHelped() throws {
        let scratch = try Scratch()
        let state = scratch.path + "/state"
        let output = scratch.path + "/listing.json"
        // A session that answers with `size` bytes of a status and then goes
        // away; btx runs against it three ways, each reaped before the next.
        let run = try python("""
            import json, os, socket, subprocess, sys, threading
            btx, state, output = sys.argv[1:4]
            os.makedirs(state + "/run", mode=0o700)
            server = socket.socket(socket.AF_UNIX); server.bind(state + "/run/control.sock"); server.listen(4)
            server.settimeout(60)  # a btx that never connects ends the test, not hangs it
            def answer(size):
                connection, _ = server.accept()
                connection.makefile("rb").readline()
                document = b'{"info_hash":"' + b"0" * 40 + b'"},'
                connection.sendall(b'{"ok":true,"result":{"torrents":[' + document * (size // len(document)))
                connection.close()
            def status(size, stdout):
                thread = threading.Thread(target=answer, args=(size,)); thread.start()
                ran = subprocess.run([btx, "status", "--json", "--state-dir", state], stdout=stdout,
                                     stderr=subprocess.PIPE, timeout=60)
                thread.join()
                return ran
            results = {}
            small = status(100_000, subprocess.PIPE)
            results["small"] = [small.returncode, small.stdout.decode(), small.stderr.decode()]
            big = status(20 << 20, subprocess.PIPE)
            results["pipe"] = [big.returncode, len(big.stdout), big.stderr.decode(), big.stdout[:14].decode()]
            with open(output, "w") as f: f.write("kept\\n")
            with open(output, "a") as f: to_file = status(20 << 20, f)
            results["file"] = [to_file.returncode, open(output).read(), to_file.stderr.decode()]
            print(json.dumps(results))
            """, [btxPath, state, output])
        XCTAssertEqual(run.status, 0, run.stderr)
        let results = try run.json()

        let small = try XCTUnwrap(results["small"] as? [Any])
        XCTAssertEqual(small[0] as? Int, 4, "\(small)")
        // Held until whole: --json's error object alone.
        XCTAssertEqual(try errorCode(small[1]), "no_session", "\(small)")
        XCTAssertEqual((small[2] as? String)?.split(separator: "\n").count, 1, "\(small)")

        let pipe = try XCTUnwrap(results["pipe"] as? [Any])
        XCTAssertEqual(pipe[0] as? Int, 4, "\(pipe)")
        XCTAssertGreaterThan(pipe[1] as? Int ?? 0, 16 << 20, "past 16 MiB it is written as it comes")
        XCTAssertEqual(pipe[3] as? String, #"{"torrents":[{"#)
        XCTAssertTrue((pipe[2] as? String)?.contains("the JSON printed is cut short") == true, "\(pipe)")

        let file = try XCTUnwrap(results["file"] as? [Any])
        XCTAssertEqual(file[0] as? Int, 4, "\(file[2])")
        let kept = try XCTUnwrap(file[1] as? String)
        XCTAssertTrue(kept.hasPrefix("kept\n"), "what was there before is kept")
        XCTAssertEqual(try errorCode(String(kept.dropFirst(5))), "no_session", "the half-written reply taken out again: \(kept.prefix(80))")
        XCTAssertTrue((file[2] as? String)?.contains("taken out of the file") == true, "\(file[2])")
    }

    private func errorCode(_ text: Any) throws -> String? {
        let data = Data((text as? String ?? "").utf8)
        return ((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["error"] as? [String: Any])?["code"] as? String
    }
}
