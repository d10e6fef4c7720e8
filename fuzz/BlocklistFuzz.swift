// Blocklists (PeerGuardian, eMule DAT, CIDR, ranges; plain or gzipped) as
// btx reads them from a file anyone may have served. Linked with BTXSession
// built for testing.
@testable import BTXSession
import TorrentKit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBlocklist(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // As Blocklist.load, with a smaller cap so the fuzzer stays fast.
    if bytes.starts(with: [0x1F, 0x8B]) {
        guard let unpacked = try? gunzip(bytes, limit: 1 << 20) else { return 0 }
        bytes = unpacked
    }
    let list = Blocklist(parsing: bytes)
    // What the session's filter gets: sorted, each range in order, none
    // overlapping or touching the next of its family.
    for (a, b) in zip(list.ranges, list.ranges.dropFirst()) {
        guard a.last < b.first, a.first.isV6 != b.first.isV6 || a.last.successor! < b.first else {
            fatalError("ranges not merged: \(a) and \(b)")
        }
    }
    _ = list.ipv4AddressCount
    _ = list.badLinesText
    return 0
}
