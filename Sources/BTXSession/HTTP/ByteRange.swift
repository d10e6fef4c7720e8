/// What a `Range` header asks of a resource of `size` bytes (RFC 9110 14.2).
public enum RangeAnswer: Equatable {
    /// No usable range: the whole resource, 200.
    case whole
    /// [start, end), 206.
    case partial(start: Int64, end: Int64)
    /// Nothing of it exists: 416.
    case unsatisfiable

    /// One range is served. A header btx does not understand (another unit,
    /// bad syntax) is ignored, as the RFC asks; so are several ranges, which
    /// players never send and multipart answers would only complicate.
    public init(header: String?, size: Int64) {
        guard let header else { self = .whole; return }
        let text = header.trimmingSpaces
        guard text.lowercased().hasPrefix("bytes=") else { self = .whole; return }
        let spec = text.dropFirst(6).trimmingSpaces
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { self = .whole; return }
        let first = spec[..<dash].trimmingSpaces, last = spec[spec.index(after: dash)...].trimmingSpaces
        func number(_ text: String) -> Int64? {
            guard !text.isEmpty, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber) else { return nil }
            // Past Int64: larger than any file, which is what matters.
            return Int64(text) ?? .max
        }
        if first.isEmpty {
            // A suffix: the last N bytes.
            guard let count = number(last) else { self = .whole; return }
            self = count == 0 || size == 0 ? .unsatisfiable : .partial(start: max(0, size - count), end: size)
            return
        }
        guard let start = number(first) else { self = .whole; return }
        if last.isEmpty {
            self = start < size ? .partial(start: start, end: size) : .unsatisfiable
            return
        }
        guard let stop = number(last), stop >= start else { self = .whole; return }
        self = start < size ? .partial(start: start, end: stop == .max ? size : min(stop + 1, size)) : .unsatisfiable
    }
}
