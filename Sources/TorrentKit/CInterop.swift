import CBTX
import Glibc

/// Calls `body` with a C array of NUL-terminated copies of `strings`, valid
/// only for the duration of the call.
func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) throws -> R) rethrows -> R {
    let copies: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    let pointers = copies.map { UnsafePointer($0) }
    return try pointers.withUnsafeBufferPointer { try body($0.baseAddress) }
}

func withOptionalCString<R>(_ string: String?, _ body: (UnsafePointer<CChar>?) throws -> R) rethrows -> R {
    guard let string else { return try body(nil) }
    return try string.withCString { try body($0) }
}

/// A fixed-size C char array (imported as a tuple) read as a String.
func string<T>(fromTuple tuple: T) -> String {
    withUnsafeBytes(of: tuple) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
    }
}

/// nil for "", the shim's way of saying "absent".
func nonEmpty(_ text: String) -> String? { text.isEmpty ? nil : text }

func string(_ pointer: UnsafePointer<CChar>?) -> String {
    pointer.map { String(cString: $0) } ?? ""
}

func string(_ pointer: UnsafeMutablePointer<CChar>?) -> String {
    pointer.map { String(cString: $0) } ?? ""
}

/// Copies a C array out of the shim into Swift values and frees it.
func takeArray<C, T>(_ items: UnsafeMutablePointer<C>?, _ count: Int, free release: (UnsafeMutablePointer<C>?, Int) -> Void,
                     _ transform: (C) -> T) -> [T] {
    defer { release(items, count) }
    guard let items else { return [] }
    return UnsafeBufferPointer(start: items, count: count).map(transform)
}
