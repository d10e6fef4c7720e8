// Control-socket request lines (and replies, and the JSON files in the state
// directory): anyone who can reach the socket may send any bytes. Compiled
// into one module with Sources/BTXSession/Support/{JSON,JSONParser,Encoding}.swift.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzControl(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let line = Array(UnsafeBufferPointer(start: data, count: size))
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
