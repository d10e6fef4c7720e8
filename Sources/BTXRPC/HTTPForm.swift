import BTXSession

/// The fields of a request: its query, and its body when that is a form
/// (application/x-www-form-urlencoded, or multipart/form-data, whose files
/// keep their bytes). qBittorrent's API takes everything this way.
struct HTTPForm {
    struct Field {
        let name: String
        let value: [UInt8]
        /// Set for a file part.
        let filename: String?

        var text: String { String(decoding: value, as: UTF8.self) }
    }

    private(set) var fields: [Field] = []

    enum Failure: Error {
        case malformed(String)
    }

    init(_ request: HTTPRequest) throws {
        fields = Self.urlEncoded(Array(request.query.utf8))
        guard !request.body.isEmpty else { return }
        let type = request.header("content-type") ?? ""
        if type.lowercased().hasPrefix("multipart/form-data") {
            // RFC 2046: at most 70 characters, which also bounds the search for it.
            guard let boundary = Self.parameter("boundary", of: type), (1...70).contains(boundary.utf8.count) else {
                throw Failure.malformed("a multipart body without a boundary of 1 to 70 characters")
            }
            fields += try Self.multipart(request.body, boundary: boundary)
        } else {
            fields += Self.urlEncoded(request.body)
        }
    }

    /// The first field named `name`, as text.
    subscript(name: String) -> String? { fields.first { $0.name == name }?.text }

    func bool(_ name: String) -> Bool? {
        switch self[name]?.lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default: return nil
        }
    }

    private static func urlEncoded(_ bytes: [UInt8]) -> [Field] {
        bytes.split(separator: UInt8(ascii: "&")).compactMap { pair in
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = parts.first, !name.isEmpty else { return nil }
            return Field(name: String(decoding: percentDecoded(name), as: UTF8.self),
                         value: parts.count > 1 ? percentDecoded(parts[1]) : [], filename: nil)
        }
    }

    private static func percentDecoded(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), index + 2 < bytes.endIndex,
                      let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) {
                out.append(high << 4 | low)
                index += 2
            } else {
                out.append(byte)
            }
            index += 1
        }
        return out
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// `name=value` or `name="value"` in a header such as Content-Type.
    static func parameter(_ name: String, of header: String) -> String? {
        for part in header.split(separator: ";").dropFirst() {
            let pieces = part.split(separator: "=", maxSplits: 1)
            guard pieces.count == 2, pieces[0].trimmingSpaces.lowercased() == name else { continue }
            var value = pieces[1].trimmingSpaces
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value
        }
        return nil
    }

    /// RFC 7578: parts between "--boundary" lines, each with its own head.
    private static func multipart(_ body: [UInt8], boundary: String) throws -> [Field] {
        let delimiter = Array(("--" + boundary).utf8)
        var fields: [Field] = []
        guard var start = find(delimiter, in: body, from: 0) else { throw Failure.malformed("no multipart boundary in the body") }
        while true {
            var partStart = start + delimiter.count
            // "--" after the delimiter ends the body.
            if partStart + 1 < body.count, body[partStart] == UInt8(ascii: "-"), body[partStart + 1] == UInt8(ascii: "-") { break }
            if partStart + 1 < body.count, body[partStart] == 13, body[partStart + 1] == 10 { partStart += 2 }
            guard let next = find([13, 10] + delimiter, in: body, from: partStart) else {
                throw Failure.malformed("a multipart part without its closing boundary")
            }
            // The head's blank line ends before the part's closing boundary begins.
            guard let headEnd = find([13, 10, 13, 10], in: body, from: partStart), headEnd + 4 <= next else {
                throw Failure.malformed("a multipart part without a head")
            }
            let head = String(decoding: body[partStart..<headEnd], as: UTF8.self)
            var disposition = ""
            for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-disposition:") {
                disposition = String(line)
            }
            if let name = parameter("name", of: disposition) {
                fields.append(Field(name: name, value: Array(body[(headEnd + 4)..<next]), filename: parameter("filename", of: disposition)))
            }
            start = next + 2
        }
        return fields
    }

    /// Knuth-Morris-Pratt: linear in the body whatever the boundary, so a
    /// body of near-boundaries costs no more than any other.
    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, start >= 0, haystack.count - start >= needle.count else { return nil }
        var failure = [Int](repeating: 0, count: needle.count)
        var k = 0
        for i in 1..<needle.count {
            while k > 0 && needle[i] != needle[k] { k = failure[k - 1] }
            if needle[i] == needle[k] { k += 1 }
            failure[i] = k
        }
        var matched = 0
        for index in start..<haystack.count {
            while matched > 0 && haystack[index] != needle[matched] { matched = failure[matched - 1] }
            if haystack[index] == needle[matched] { matched += 1 }
            if matched == needle.count { return index - needle.count + 1 }
        }
        return nil
    }
}
