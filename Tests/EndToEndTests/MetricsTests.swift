import Foundation
import Glibc
import TestSupport
import XCTest

/// Prometheus metrics: `btx daemon --metrics`, and /metrics on the RPC
/// listener; promtool accepts the exposition and a real Prometheus server
/// scrapes it.
final class MetricsTests: XCTestCase {
    private func get(_ url: String, _ extra: [String] = []) throws -> (status: Int, body: String) {
        let result = try spawn("/usr/bin/curl", ["-s", "-o", "/dev/stdout", "-w", "\n%{http_code}", "--max-time", "10"] + extra + [url])
        let parts = result.text.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(parts.last ?? "") ?? 0, parts.dropLast().joined(separator: "\n"))
    }

    func testPromtoolAcceptsItAndPrometheusScrapesIt() throws {
        let scratch = try Scratch()
        try scratch.write("src/tv.bin", randomData(100_000))
        try scratch.write("src/film.bin", randomData(100_000))
        let peer = try Peer(scratch, "daemon")
        let metricsPort = freePort(), rpcPort = freePort()
        try startDaemon(peer, ["--metrics", String(metricsPort), "--rpc", String(rpcPort)], in: self)
        for (name, label) in [("tv", "tv"), ("film", "film \"2001\"")] {
            let torrent = try makeTorrent(scratch.path + "/src/\(name).bin", scratch.path + "/\(name).torrent")
            XCTAssertEqual(try spawn(btxPath, ["add", torrent, "-o", scratch.path + "/src", "--detach", "--label", label,
                                               "--state-dir", peer.state]).status, 0)
        }
        try waitUntil("both seeding") {
            let exposition = try get("http://127.0.0.1:\(metricsPort)/metrics").body
            return exposition.contains("btx_torrents{state=\"seeding\"} 2")
        }
        let page = try get("http://127.0.0.1:\(metricsPort)/metrics", ["-D", "/dev/stderr"])
        XCTAssertEqual(page.status, 200)
        XCTAssertTrue(page.body.contains("btx_torrents_labelled{label=\"film \\\"2001\\\"\"} 1"), page.body)
        XCTAssertTrue(page.body.contains("btx_torrent_peers{info_hash="), page.body)
        XCTAssertTrue(page.body.contains("btx_disk_queue_peers{operation=\"write\"} 0"), page.body)
        let checked = try spawn("/usr/bin/promtool", ["check", "metrics"], stdin: Data(page.body.utf8))
        XCTAssertEqual(checked.status, 0, checked.text + checked.stderr)
        XCTAssertEqual(try get("http://127.0.0.1:\(metricsPort)/transmission/rpc").status, 404, "the metrics listener answers nothing else")
        XCTAssertTrue(try get("http://127.0.0.1:\(rpcPort)/metrics").body.contains("btx_torrents{"), "the RPC listener serves them too")

        // A real Prometheus, on loopback, scraping every second.
        let prometheusPort = freePort()
        try scratch.write("prometheus.yml", Data("""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: btx
                static_configs:
                  - targets: ['127.0.0.1:\(metricsPort)']
            """.utf8))
        let prometheus = try RunningProcess("/usr/bin/prometheus", [
            "--config.file=" + scratch.path + "/prometheus.yml", "--storage.tsdb.path=" + scratch.path + "/tsdb",
            "--web.listen-address=127.0.0.1:\(prometheusPort)", "--log.level=warn",
        ])
        defer { prometheus.signal(SIGTERM); _ = try? prometheus.wait() }
        var answer = ""
        try waitUntil("Prometheus to have scraped btx", timeout: 60) {
            answer = (try? get("http://127.0.0.1:\(prometheusPort)/api/v1/query?query=sum(btx_torrents)").body) ?? ""
            return answer.contains("\"value\":[") && answer.contains(",\"2\"]")
        }
        XCTAssertTrue(answer.contains("\"status\":\"success\""), answer)
    }

    func testBadListensAreOneLineErrors() throws {
        let scratch = try Scratch()
        let peer = try Peer(scratch, "daemon")
        let taken = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(taken) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(taken, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        listen(taken, 1)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(taken, $0, &length) } }
        let port = Int(UInt16(bigEndian: address.sin_port))
        for (arguments, status, words) in [
            (["--metrics", "127.0.0.1:\(port)"], Int32(1), "127.0.0.1:\(port)"),
            (["--metrics", "0.0.0.0:\(freePort())"], 1, "would answer other machines with no password"),
            (["--metrics", "nowhere"], 2, "--metrics: 'nowhere' is not PORT"),
        ] {
            let result = try spawn(btxPath, ["daemon"] + arguments + peer.common)
            XCTAssertEqual(result.status, status, "\(arguments): \(result.stderr)")
            XCTAssertEqual(result.stderr.split(separator: "\n").count, arguments[1] == "nowhere" ? 2 : 1, result.stderr)
            XCTAssertTrue(result.stderr.contains(words), "\(arguments): \(result.stderr)")
        }
    }
}
