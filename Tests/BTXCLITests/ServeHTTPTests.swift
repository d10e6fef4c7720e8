@testable import BTXSession
import XCTest

/// The parts of btx serve's HTTP that need no network: request heads,
/// Range headers, content types, routes and the playlist.
final class ServeHTTPTests: XCTestCase {
    func testRangeHeadersAsRFC9110ReadsThem() {
        let size: Int64 = 1000
        let cases: [(String?, RangeAnswer)] = [
            (nil, .whole),
            ("bytes=0-99", .partial(start: 0, end: 100)),
            ("bytes=500-", .partial(start: 500, end: 1000)),
            ("bytes=-100", .partial(start: 900, end: 1000)),
            ("bytes=-5000", .partial(start: 0, end: 1000)),
            ("bytes=990-5000", .partial(start: 990, end: 1000)),
            ("bytes=999-999", .partial(start: 999, end: 1000)),
            ("bytes=0-99999999999999999999999", .partial(start: 0, end: 1000)),
            ("bytes=1000-", .unsatisfiable),
            ("bytes=1000-2000", .unsatisfiable),
            ("bytes=-0", .unsatisfiable),
            // Not understood, so ignored: the whole file.
            ("bytes=5-1", .whole),
            ("bytes=a-b", .whole),
            ("items=0-1", .whole),
            ("bytes=0-1,5-6", .whole),
            ("bytes=", .whole),
            ("bytes=-", .whole),
            ("bytes=+1-2", .whole),
        ]
        for (header, expected) in cases {
            XCTAssertEqual(RangeAnswer(header: header, size: size), expected, header ?? "no header")
        }
        XCTAssertEqual(RangeAnswer(header: "bytes=0-", size: 0), .unsatisfiable)
        XCTAssertEqual(RangeAnswer(header: "bytes=-1", size: 0), .unsatisfiable)
    }

    func testRequestHeads() throws {
        let request = try HTTPRequest(head: Array("GET /0/a%20b.mkv?x=1 HTTP/1.1\r\nHost: 127.0.0.1:80\r\nRange:  bytes=0-1 \r\n".utf8))
        XCTAssertEqual(request.method, "GET")
        XCTAssertEqual(request.path, "/0/a%20b.mkv")
        XCTAssertEqual(request.header("range"), "bytes=0-1")
        XCTAssertEqual(request.header("host"), "127.0.0.1:80")
        XCTAssertTrue(request.keepsAlive)
        XCTAssertFalse(try HTTPRequest(head: Array("GET / HTTP/1.1\r\nConnection: close".utf8)).keepsAlive)
        XCTAssertFalse(try HTTPRequest(head: Array("GET / HTTP/1.0".utf8)).keepsAlive)
        XCTAssertTrue(try HTTPRequest(head: Array("GET / HTTP/1.0\r\nConnection: Keep-Alive".utf8)).keepsAlive)
        XCTAssertEqual(try HTTPRequest(head: Array("GET http://host:1/3/x HTTP/1.1".utf8)).path, "/3/x")

        for bad in ["", "GET /", "GET / HTTP/1.1 extra", "get / HTTP/1.1", "GET x HTTP/1.1", "GET / FTP/1.0",
                    "GET / HTTP/1.1\r\nno colon", "GET / HTTP/1.1\r\nBad Name: x"] {
            XCTAssertThrowsError(try HTTPRequest(head: Array(bad.utf8)), bad)
        }
        XCTAssertThrowsError(try HTTPRequest(head: Array("GET / HTTP/2.0".utf8))) { error in
            XCTAssertEqual(error as? HTTPRequest.ParseError, .unsupportedVersion)
        }
        XCTAssertEqual(endOfHead(Array("GET / HTTP/1.1\r\n\r\nrest".utf8)), 18)
        XCTAssertNil(endOfHead(Array("GET / HTTP/1.1\r\n".utf8)))
    }

    func testRoutesURLsAndThePlaylist() {
        let files = ServedFiles(infoHash: String(repeating: "a", count: 40), name: "Show", files: [
            .init(index: 0, path: "Show/E01 – pilot.mkv", size: 10),
            .init(index: 2, path: "Show/subs/E01.srt", size: 1),
        ])
        XCTAssertEqual(files.files[0].urlPath, "/0/Show/E01%20%E2%80%93%20pilot.mkv")
        XCTAssertEqual(files.files[0].contentType, "video/x-matroska")
        XCTAssertEqual(files.files[1].contentType, "application/x-subrip")
        XCTAssertEqual(files.route("/"), .playlist)
        XCTAssertEqual(files.route("/playlist.m3u"), .playlist)
        XCTAssertEqual(files.route("/0/anything"), .file(0))
        XCTAssertEqual(files.route("/2/Show/subs/E01.srt"), .file(1))
        XCTAssertEqual(files.route("/1/not-served"), .notFound)
        XCTAssertEqual(files.route("/x"), .notFound)
        XCTAssertEqual(files.playlist(base: "http://h:1"), """
            #EXTM3U
            #EXTINF:-1,Show/E01 – pilot.mkv
            http://h:1/0/Show/E01%20%E2%80%93%20pilot.mkv
            #EXTINF:-1,Show/subs/E01.srt
            http://h:1/2/Show/subs/E01.srt

            """)
        XCTAssertEqual(MediaType.of(path: "a/B.MP4"), "video/mp4")
        XCTAssertEqual(MediaType.of(path: "README"), MediaType.fallback)
        XCTAssertEqual(MediaType.of(path: ".hidden"), MediaType.fallback)
    }

    func testListenAddresses() throws {
        XCTAssertTrue(try HTTPListener.parse("8080") == ("127.0.0.1", 8080))
        XCTAssertTrue(try HTTPListener.parse("0.0.0.0:80") == ("0.0.0.0", 80))
        XCTAssertTrue(try HTTPListener.parse("[::1]:0") == ("::1", 0))
        XCTAssertTrue(try HTTPListener.parse("localhost:1") == ("127.0.0.1", 1))
        for bad in ["", "x", "1.2.3.4", "1.2.3.4:99999", "example.com:80", "[::1]80", "::1:80", "-1"] {
            XCTAssertThrowsError(try HTTPListener.parse(bad), bad)
        }
    }
}
