/// One HTTP/1.x request: its head as sent, and a body of Content-Length
/// bytes (chunked request bodies are refused: no client of btx's sends them).
public struct HTTPRequest: Equatable {
    public let method: String
    /// The path, percent-decoding left to the router; the query is dropped.
    public let path: String
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    public let minorVersion: Int
    /// Names in lower case, in the order sent.
    public let headers: [(String, String)]
    /// The query, undecoded, without its "?"; empty when there is none.
    public let query: String
    public internal(set) var body: [UInt8] = []

    public static func == (a: HTTPRequest, b: HTTPRequest) -> Bool {
        a.method == b.method && a.path == b.path && a.query == b.query && a.minorVersion == b.minorVersion
            && a.headers.map(\.0) == b.headers.map(\.0) && a.headers.map(\.1) == b.headers.map(\.1) && a.body == b.body
    }

    public enum ParseError: Error, Equatable {
        /// Not HTTP: the connection is answered 400 and closed.
        case malformed(String)
        /// HTTP/2 and later, or 0.9: 505.
        case unsupportedVersion
    }

    /// `head`: the bytes up to and without the blank line that ends it.
    public init(head: [UInt8]) throws {
        let lines = String(decoding: head, as: UTF8.self).split(separator: "\r\n", omittingEmptySubsequences: false)
        let parts = (lines.first ?? "").split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy({ $0.isLetter && $0.isUppercase }) else {
            throw ParseError.malformed("request line")
        }
        guard parts[2].hasPrefix("HTTP/") else { throw ParseError.malformed("version") }
        switch parts[2] {
        case "HTTP/1.1": minorVersion = 1
        case "HTTP/1.0": minorVersion = 0
        default: throw ParseError.unsupportedVersion
        }
        method = String(parts[0])
        var target = Substring(parts[1])
        // An absolute form (a proxy's request) names the path after the authority.
        for scheme in ["http://", "https://"] where target.hasPrefix(scheme) {
            let afterScheme = target.dropFirst(scheme.count)
            target = afterScheme.firstIndex(of: "/").map { afterScheme[$0...] } ?? "/"
        }
        guard target.hasPrefix("/") else { throw ParseError.malformed("target") }
        path = String(target.prefix { $0 != "?" && $0 != "#" })
        let afterPath = target.dropFirst(path.count)
        query = afterPath.hasPrefix("?") ? String(afterPath.dropFirst().prefix { $0 != "#" }) : ""
        var headers: [(String, String)] = []
        for line in lines.dropFirst() where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex,
                  !line[..<colon].contains(where: { $0 == " " || $0 == "\t" }) else {
                throw ParseError.malformed("header line")
            }
            headers.append((line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingSpaces))
        }
        self.headers = headers
    }

    public func header(_ name: String) -> String? { headers.first { $0.0 == name }?.1 }

    /// What the head says of a body: its length (0 with none), or why it cannot be read.
    public var bodyLength: Result<Int, BodyError> {
        if headers.contains(where: { $0.0 == "transfer-encoding" }) { return .failure(.chunked) }
        let lengths = headers.filter { $0.0 == "content-length" }.map(\.1)
        guard let text = lengths.first else { return .success(0) }
        // Two different lengths are how request smuggling starts.
        guard Set(lengths).count == 1, !text.isEmpty, text.count <= 18, text.allSatisfy({ $0.isASCII && $0.isNumber }),
              let length = Int(text) else { return .failure(.badLength) }
        return .success(length)
    }

    public enum BodyError: Error {
        case chunked
        case badLength
    }

    /// HTTP/1.1 keeps the connection unless told to close; 1.0 closes unless told to keep it.
    public var keepsAlive: Bool {
        let tokens = (header("connection") ?? "").lowercased().split(separator: ",").map { $0.trimmingSpaces }
        return minorVersion == 1 ? !tokens.contains("close") : tokens.contains("keep-alive")
    }
}

/// Where in a buffer a request head ends: the index after "\r\n\r\n".
/// `start`: where to search from (the bytes before it were searched already).
public func endOfHead(_ bytes: [UInt8], from start: Int = 0) -> Int? {
    let first = max(3, start + 3)
    guard first < bytes.count else { return nil }
    for i in first..<bytes.count where bytes[i] == 10 && bytes[i - 1] == 13 && bytes[i - 2] == 10 && bytes[i - 3] == 13 {
        return i + 1
    }
    return nil
}
