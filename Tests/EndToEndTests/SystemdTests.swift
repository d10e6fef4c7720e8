import Foundation
import Glibc
import TestSupport
import XCTest

/// The systemd user unit: it verifies, and the daemon speaks Type=notify's
/// protocol (READY=1 once it answers, STOPPING=1 on SIGTERM).
final class SystemdTests: XCTestCase {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    func testTheUnitVerifies() throws {
        let scratch = try Scratch()
        let template = try String(contentsOf: Self.root.appendingPathComponent("systemd/btx.service.in"), encoding: .utf8)
        try scratch.write("btx.service", Data(template.replacingOccurrences(of: "@BTX@", with: btxPath).utf8))
        let verified = try spawn("/usr/bin/systemd-analyze", ["verify", "--man=no", scratch.path + "/btx.service"])
        XCTAssertEqual(verified.status, 0, verified.text + verified.stderr)
        XCTAssertEqual(verified.stderr.split(separator: "\n").filter { $0.contains("btx.service") }, [], verified.stderr)
    }

    func testTheDaemonSaysWhenItIsReadyAndWhenItStops() throws {
        let scratch = try Scratch()
        let path = scratch.path + "/notify"
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        XCTAssertGreaterThanOrEqual(fd, 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8) + [0]) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        XCTAssertEqual(bound, 0)
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        func receive() -> String {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = recv(fd, &buffer, buffer.count, 0)
            return count > 0 ? String(decoding: buffer[..<count], as: UTF8.self) : ""
        }

        let peer = try Peer(scratch, "unit")
        let daemon = try RunningProcess(btxPath, ["daemon", "--foreground"] + peer.common, environment: ["NOTIFY_SOCKET": path])
        let ready = receive()
        XCTAssertTrue(ready.hasPrefix("READY=1\n") && ready.contains("MAINPID=\(daemon.pid)"), ready)
        XCTAssertEqual(try spawn(btxPath, ["status", "--json", "--state-dir", peer.state]).status, 0, "it answers once ready")
        daemon.signal(SIGTERM)
        XCTAssertTrue(receive().hasPrefix("STOPPING=1"))
        XCTAssertEqual(try daemon.wait(), 143, "saved and gone, as the unit's SuccessExitStatus expects")
    }
}
