import Glibc

/// Human units for tables (binary prefixes, as the sizes are piece-aligned
/// powers of two) and parsing of sizes and rates typed by users.
public enum Units {
    private static let prefixes = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]

    /// "1023 B", "16 KiB", "1.4 MiB", "300 GiB": one decimal below 100 of
    /// a unit, none when whole. Integer arithmetic written straight into
    /// the string, since tables call this once a row (10,000 files).
    public static func bytes(_ value: Int64) -> String {
        guard value >= 1024 else { return "\(value) B" }
        var index = 0
        var unit: Int64 = 1
        while value / unit >= 1024 && index < prefixes.count - 1 {
            unit <<= 10
            index += 1
        }
        let half = unit / 2
        let prefix = prefixes[index]
        return String(unsafeUninitializedCapacity: 15) { buffer in
            var end = 0
            if value % unit == 0 || value / unit >= 100 {
                end = writeDecimal(value / unit + (value % unit >= half ? 1 : 0), into: buffer, at: end)
            } else {
                // Below 100 units, so ten times the value cannot overflow.
                let tenths = value * 10 / unit + (value * 10 % unit >= half ? 1 : 0)
                end = writeDecimal(tenths / 10, into: buffer, at: end)
                buffer[end] = UInt8(ascii: ".")
                buffer[end + 1] = UInt8(ascii: "0") + UInt8(tenths % 10)
                end += 2
            }
            buffer[end] = UInt8(ascii: " ")
            end += 1
            for byte in prefix.utf8 {
                buffer[end] = byte
                end += 1
            }
            return end
        }
    }

    private static func writeDecimal(_ value: Int64, into buffer: UnsafeMutableBufferPointer<UInt8>, at start: Int) -> Int {
        var digits = 1
        var rest = value / 10
        while rest > 0 { digits += 1; rest /= 10 }
        var remaining = value
        for position in stride(from: start + digits - 1, through: start, by: -1) {
            buffer[position] = UInt8(ascii: "0") + UInt8(remaining % 10)
            remaining /= 10
        }
        return start + digits
    }

    public static func rate(_ bytesPerSecond: Int64) -> String { bytes(bytesPerSecond) + "/s" }

    public static func duration(seconds: Int64) -> String {
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return "\(seconds / 60)m\(pad(seconds % 60))s" }
        if seconds < 86400 { return "\(seconds / 3600)h\(pad(seconds / 60 % 60))m" }
        return "\(seconds / 86400)d\(seconds / 3600 % 24)h"
    }

    public static func twoDecimals(_ value: Double) -> String {
        let hundredths = Int64((value * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    public static func oneDecimal(_ value: Double) -> String {
        let tenths = Int64((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }

    private static func pad(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// "16384", "16k", "16K", "16KiB", "1M", "1.5G": binary multiples, since
    /// piece sizes and rate caps are thought of that way by users of other
    /// clients (transmission, aria2 and mktorrent all use 1024).
    public static func parseSize(_ text: String) -> Int64? {
        var number = Substring(text)
        var suffix = ""
        while let last = number.last, last.isLetter {
            suffix = String(last) + suffix
            number = number.dropLast()
        }
        let multipliers: [String: Int64] = [
            "": 1, "b": 1, "k": 1 << 10, "kb": 1 << 10, "kib": 1 << 10, "m": 1 << 20, "mb": 1 << 20, "mib": 1 << 20,
            "g": 1 << 30, "gb": 1 << 30, "gib": 1 << 30, "t": 1 << 40, "tb": 1 << 40, "tib": 1 << 40,
        ]
        guard let multiplier = multipliers[suffix.lowercased()], !number.isEmpty,
              let value = Double(number), value >= 0, value.isFinite else { return nil }
        let result = value * Double(multiplier)
        guard result < 9.0e18 else { return nil }
        return Int64(result.rounded())
    }
}

extension Units {
    /// "90", "90s", "30m", "2h", "1d", "1h30m": seconds.
    public static func parseDuration(_ text: String) -> Int64? {
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        if let plain = Int64(text), plain >= 0 { return plain }
        var total: Int64 = 0
        var number = ""
        for character in text.lowercased() {
            if character.isNumber {
                number.append(character)
            } else if let unit = units[character], let value = Int64(number) {
                let (product, overflow) = value.multipliedReportingOverflow(by: unit)
                let (sum, carry) = total.addingReportingOverflow(product)
                guard !overflow, !carry else { return nil }
                total = sum
                number = ""
            } else {
                return nil
            }
        }
        return number.isEmpty && !text.isEmpty ? total : nil
    }
}

/// Unix seconds as "2026-11-22 09:30:00 UTC": unambiguous in any locale.
public func formatDate(_ seconds: Int64) -> String {
    var time = time_t(seconds)
    var parts = tm()
    guard gmtime_r(&time, &parts) != nil else { return String(seconds) }
    var buffer = [CChar](repeating: 0, count: 32)
    let n = strftime(&buffer, buffer.count, "%Y-%m-%d %H:%M:%S UTC", &parts)
    return n > 0 ? String(cString: buffer) : String(seconds)
}
