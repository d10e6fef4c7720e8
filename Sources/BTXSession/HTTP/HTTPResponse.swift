import Glibc

/// What a handler answers: a status, its headers and a body, given whole or
/// pulled as the client takes it.
public struct HTTPResponse {
    public var status: Int
    public var headers: [(String, String)]
    public var body: Body
    /// The connection closes once this answer is sent, whatever the client asked.
    public var closes = false

    public enum Body {
        /// Content-Length is added unless the headers give it (a HEAD answer
        /// says how long the GET would be).
        case bytes([UInt8])
        /// The headers give Content-Length; the source gives exactly that many bytes.
        case stream(HTTPBodySource)
    }

    public init(status: Int, headers: [(String, String)] = [], body: Body = .bytes([])) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A short text answer: errors, and what a person reads in a browser.
    public static func text(_ status: Int, _ text: String, headers: [(String, String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: headers + [("Content-Type", "text/plain; charset=utf-8")],
                     body: .bytes(Array(text.utf8)))
    }

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    /// The status line and headers, with Date, Connection and a Content-Length the body implies.
    func head(keepAlive: Bool) -> [UInt8] {
        var text = "HTTP/1.1 \(status) \(Self.reasonPhrase(status))\r\nDate: \(httpDate())\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        // A 204 has no body, and says no length (RFC 9110 8.6).
        if header("content-length") == nil, status != 204, case .bytes(let bytes) = body { text += "Content-Length: \(bytes.count)\r\n" }
        text += "Connection: \(keepAlive ? "keep-alive" : "close")\r\n\r\n"
        return Array(text.utf8)
    }

    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 204: return "No Content"
        case 206: return "Partial Content"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 409: return "Conflict"
        case 413: return "Content Too Large"
        case 415: return "Unsupported Media Type"
        case 416: return "Range Not Satisfiable"
        case 421: return "Misdirected Request"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 503: return "Service Unavailable"
        case 505: return "HTTP Version Not Supported"
        default: return "Status"
        }
    }
}

/// A body made as the client reads it (a file's bytes as they are verified).
/// Called on the server's thread only; dropped when the answer ends or the
/// client goes.
public protocol HTTPBodySource: AnyObject {
    func next(max: Int) -> HTTPBodyChunk
}

public enum HTTPBodyChunk {
    /// Some bytes, never empty.
    case bytes([UInt8])
    /// Nothing yet: ask again after this many seconds.
    case later(Double)
    /// The body is whole.
    case end
    /// The body cannot go on: the connection closes, which is all that
    /// tells the client a body is short once its status line is gone.
    case failed
}

/// IMF-fixdate, as the Date header wants it.
func httpDate(_ seconds: time_t = time(nil)) -> String {
    var now = seconds
    var parts = tm()
    gmtime_r(&now, &parts)
    let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
    return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
        + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
}
