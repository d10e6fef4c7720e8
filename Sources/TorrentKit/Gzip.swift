import CBTX

/// Decompresses gzip bytes (every member), refusing output over `limit`
/// bytes: a small file must not be able to fill memory.
public func gunzip(_ bytes: [UInt8], limit: Int) throws -> [UInt8] {
    var buffer: UnsafeMutablePointer<UInt8>?
    var length = 0
    try bytes.withUnsafeBufferPointer { _ = try check(btx_gunzip($0.baseAddress, $0.count, limit, &buffer, &length)) }
    defer { btx_free_buffer(buffer) }
    return buffer.map { Array(UnsafeBufferPointer(start: $0, count: length)) } ?? []
}
