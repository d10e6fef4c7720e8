@testable import BTXCLI
@testable import BTXSession
import Foundation
import TorrentKit
import XCTest

/// The blocklist parser: every format users download, what it blocks, and
/// which lines it counts as bad.
final class BlocklistTests: XCTestCase {
    private func line(_ text: String) -> BlocklistLine {
        Array(text.utf8).withUnsafeBufferPointer { BlocklistLine($0) }
    }

    private func v4(_ text: String) -> IPAddress {
        let octets = text.split(separator: ".").map { UInt32($0)! }
        return IPAddress(v4: octets.reduce(0) { $0 << 8 | $1 })
    }

    private func range(_ first: String, _ last: String) -> IPRange { IPRange(first: v4(first), last: v4(last))! }

    private func v6Range(_ line: BlocklistLine) -> (String, String)? {
        guard case .blocks(let r, _) = line else { return nil }
        return (r.first.description, r.last.description)
    }

    func testEachFormatBlocksItsRange() {
        XCTAssertEqual(line("Bad Corp:1.2.3.4-1.2.3.255"), .blocks(range("1.2.3.4", "1.2.3.255"), .p2p))
        XCTAssertEqual(line("001.002.003.004 - 001.002.003.255 , 000 , Bad Corp"), .blocks(range("1.2.3.4", "1.2.3.255"), .dat))
        XCTAssertEqual(line("10.0.0.0/8"), .blocks(range("10.0.0.0", "10.255.255.255"), .cidr))
        XCTAssertEqual(line("1.2.3.4-1.2.3.9"), .blocks(range("1.2.3.4", "1.2.3.9"), .range))
        XCTAssertEqual(line("1.2.3.4 - 1.2.3.9"), .blocks(range("1.2.3.4", "1.2.3.9"), .range))
        XCTAssertEqual(line("127.0.0.2"), .blocks(range("127.0.0.2", "127.0.0.2"), .single))
    }

    func testPeerGuardianNamesMayHoldColonsCommasAndDashes() {
        XCTAssertEqual(line("a:b, c-d/e # f:1.2.3.4-1.2.3.5"), .blocks(range("1.2.3.4", "1.2.3.5"), .p2p))
        XCTAssertEqual(line(":1.2.3.4-1.2.3.5"), .blocks(range("1.2.3.4", "1.2.3.5"), .p2p))
        XCTAssertEqual(line("  Name  :  1.2.3.4 - 1.2.3.5  "), .blocks(range("1.2.3.4", "1.2.3.5"), .p2p))
    }

    func testDATAccessLevelsAbove127Allow() {
        XCTAssertEqual(line("1.2.3.0 - 1.2.3.255 , 127 , edge"), .blocks(range("1.2.3.0", "1.2.3.255"), .dat))
        XCTAssertEqual(line("1.2.3.0 - 1.2.3.255 , 128 , friends"), .allowed)
        XCTAssertEqual(line("1.2.3.0 - 1.2.3.255 , 255"), .allowed)
        XCTAssertEqual(line("1.2.3.0 - 1.2.3.255 ,"), .blocks(range("1.2.3.0", "1.2.3.255"), .dat))
        XCTAssertEqual(line("1.2.3.0 - 1.2.3.255 , high , name"), .bad)
        XCTAssertEqual(line("1.2.3.0 - 1.2.3.255 , , name"), .bad)
    }

    func testLeadingZerosAreDecimalNotOctal() {
        XCTAssertEqual(line("010.008.009.010"), .blocks(range("10.8.9.10", "10.8.9.10"), .single))
    }

    func testCIDRIgnoresHostBitsAndCoversIPv6() {
        XCTAssertEqual(line("10.1.2.3/8"), .blocks(range("10.0.0.0", "10.255.255.255"), .cidr))
        XCTAssertEqual(line("0.0.0.0/0"), .blocks(range("0.0.0.0", "255.255.255.255"), .cidr))
        XCTAssertEqual(line("1.2.3.4/32"), .blocks(range("1.2.3.4", "1.2.3.4"), .cidr))
        XCTAssertEqual(v6Range(line("2001:db8::1/32"))?.0, "2001:db8::")
        XCTAssertEqual(v6Range(line("2001:db8::1/32"))?.1, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")
        XCTAssertEqual(v6Range(line("2001:db8::/64"))?.1, "2001:db8::ffff:ffff:ffff:ffff")
        XCTAssertEqual(v6Range(line("2001:db8::/65"))?.1, "2001:db8::7fff:ffff:ffff:ffff")
        XCTAssertEqual(v6Range(line("::1/128"))?.1, "::1")
        XCTAssertEqual(v6Range(line("2001:db8::5-2001:db8::9"))?.0, "2001:db8::5")
        XCTAssertEqual(v6Range(line("::1"))?.1, "::1")
    }

    func testCommentsAndBlankLinesAreNeitherEntriesNorBad() {
        for text in ["", "   ", "# comment", "  # indented", "// eMule comment", "\r"] {
            XCTAssertEqual(line(text), .blank, text)
        }
        XCTAssertEqual(line("10.0.0.0/8 # office"), .blocks(range("10.0.0.0", "10.255.255.255"), .cidr))
        XCTAssertEqual(line("1.2.3.4-1.2.3.9\r"), .blocks(range("1.2.3.4", "1.2.3.9"), .range))
    }

    func testWhatIsNotAnAddressIsBad() {
        for text in ["256.1.1.1", "1.2.3", "1.2.3.4.5", "1..2.3", "1.2.3.4-1.2.3.3", "1.2.3.4-::1", "10.0.0.0/33",
                     "::/129", "10.0.0.0/", "1.2.3.0001", "<html>", "name:", "2001:db8::g", "1.2.3.4 5.6.7.8"] {
            XCTAssertEqual(line(text), .bad, text)
        }
    }

    func testAListCountsFormatsAllowedAndBadLinesAndMergesRanges() {
        let text = "\u{FEFF}# header\r\nA:1.2.3.0-1.2.3.255\r\n1.2.4.0 - 1.2.4.255 , 0 , B\n1.2.5.0 - 1.2.5.255 , 200 , C\n"
            + "garbage\n1.2.3.7\n10.0.0.0/8\n10.255.255.255-11.0.0.0\n::1\nmore garbage\n"
        let list = Blocklist(parsing: Array(text.utf8))
        XCTAssertEqual(list.entries, [.p2p: 1, .dat: 1, .single: 2, .cidr: 1, .range: 1])
        XCTAssertEqual(list.entryCount, 6)
        XCTAssertEqual(list.allowed, 1)
        XCTAssertEqual(list.badLines, 2)
        XCTAssertEqual(list.firstBadLine, 5)
        // 1.2.3.0-1.2.4.255 touch; 1.2.3.7 lies inside; 10/8 and the range overlap.
        XCTAssertEqual(list.ranges, [range("1.2.3.0", "1.2.4.255"), range("10.0.0.0", "11.0.0.0"),
                                     IPRange(first: IPAddress(v6High: 0, low: 1), last: IPAddress(v6High: 0, low: 1))!])
        XCTAssertEqual(list.ipv4AddressCount, 512 + (1 << 24) + 1)
        XCTAssertEqual(list.ipv6RangeCount, 1)
    }

    func testMergingReachesTheLastAddressOfAFamily() {
        let merged = Blocklist.merged([range("255.255.255.0", "255.255.255.255"), range("255.255.255.255", "255.255.255.255"),
                                       range("0.0.0.0", "0.0.0.0")])
        XCTAssertEqual(merged, [range("0.0.0.0", "0.0.0.0"), range("255.255.255.0", "255.255.255.255")])
    }

    func testGzipAndArchivesAreToldApartByTheirFirstBytes() throws {
        let root = NSTemporaryDirectory() + "btx-blocklist-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Data("1.2.3.4\nbad\n".utf8).write(to: URL(fileURLWithPath: root + "/list.txt"))
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-k", root + "/list.txt"]
        try gzip.run()
        gzip.waitUntilExit()
        // Two members, as `cat a.gz b.gz` makes: gzip -d reads both.
        let member = try Data(contentsOf: URL(fileURLWithPath: root + "/list.txt.gz"))
        try (member + member).write(to: URL(fileURLWithPath: root + "/twice.gz"))

        let plain = try Blocklist.load(root + "/list.txt")
        XCTAssertFalse(plain.compressed)
        let packed = try Blocklist.load(root + "/list.txt.gz")
        XCTAssertTrue(packed.compressed)
        XCTAssertEqual(packed.entryCount, 1)
        XCTAssertEqual(packed.badLines, 1)
        let twice = try Blocklist.load(root + "/twice.gz")
        XCTAssertEqual(twice.entryCount, 2)
        XCTAssertEqual(twice.firstBadLine, 2)

        try member.prefix(member.count - 4).write(to: URL(fileURLWithPath: root + "/cut.gz"))
        XCTAssertThrowsError(try Blocklist.load(root + "/cut.gz")) { XCTAssertEqual(($0 as? BTXError)?.exitCode, .failure) }
        try Data([0x50, 0x4B, 0x03, 0x04, 0, 0]).write(to: URL(fileURLWithPath: root + "/list.zip"))
        XCTAssertThrowsError(try Blocklist.load(root + "/list.zip")) {
            XCTAssertTrue(($0 as? BTXError)?.message.contains("zip archive") == true, "\($0)")
        }
        XCTAssertThrowsError(try Blocklist.load(root + "/missing")) { XCTAssertEqual(($0 as? BTXError)?.exitCode, .notFound) }
    }
}
