// Control-socket request lines (and replies, and the JSON files in the state
// directory): anyone who can reach the socket may send any bytes. Replies'
// documents are read in place (JSONScanner): it must take every value the
// parser takes, exactly as far as it goes, and never read past the text.
// Compiled into one module with
// Sources/BTXSession/Support/{JSON,JSONParser,JSONScanner,Encoding}.swift.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzControl(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let line = Array(UnsafeBufferPointer(start: data, count: size))
    scan(line)
    // As ControlServer reads a request line.
    guard let text = String(validatingUTF8: line), let request = try? JSON(parsing: text) else { return 0 }
    _ = request["method"]?.stringValue
    // What btx writes, it reads back the same.
    guard let again = try? JSON(parsing: request.text), again.text == request.text else {
        fatalError("JSON round trip changed \(request.text)")
    }
    decodeStrings(request)
    return 0
}

// Salts, values and metainfo arrive as base64 strings anywhere in a request.
private func decodeStrings(_ value: JSON) {
    switch value {
    case .string(let s): _ = base64Decode(s)
    case .array(let items): items.forEach(decodeStrings)
    case .object(let fields): fields.forEach { decodeStrings($0.1) }
    default: break
    }
}

private func scan(_ line: [UInt8]) {
    let parsed = try? JSON(parsing: line)
    line.withUnsafeBytes { text in
        var scanner = JSONScanner(text)
        let extent = try? scanner.skipValue()
        guard let parsed else { return }
        guard extent != nil, scanner.peek() == nil else { fatalError("JSONScanner stopped short of \(parsed.text)") }
        var again = JSONScanner(text)
        switch parsed {
        case .string(let value):
            guard (try? again.string()) == value else { fatalError("JSONScanner read the string \(parsed.text) otherwise") }
        case .int, .double:
            guard let number = try? again.number(), number.text == parsed.text else {
                fatalError("JSONScanner read the number \(parsed.text) otherwise")
            }
        default: break
        }
    }
}
