import Foundation
import TorrentKit
import XCTest
import TestSupport

/// Trackers and web seeds of running torrents, against a real opentracker
/// and a real HTTP server on 127.0.0.1.
final class TrackerTests: XCTestCase {
    /// Every tier announced to, so an added second tier is contacted too.
    private let allTrackers = [("announce_to_all_trackers", "true"), ("announce_to_all_tiers", "true")]

    func testAddedTrackersAnnounceFindPeersAndReportState() throws {
        let swarm = try LocalSwarm([("pack/a.bin", 300_000), ("pack/b.bin", 50_000)])
        let (tracker, http) = try startOpentracker(swarm.dir, hashes: [swarm.info.infoHash])
        // opentracker answers UDP on the same port.
        let udp = http.replacingOccurrences(of: "http://", with: "udp://").replacingOccurrences(of: "/announce", with: "")
        let (seeder, seeding, _) = try swarm.seeder(allTrackers)
        XCTAssertEqual(try seeder.trackers(seeding), [])

        // An added tracker is announced to at once: the seeder's announce
        // is what lets the leecher, which has no other peers, find it.
        try seeder.addTracker(seeding, url: http, tier: 0)
        try seeder.addTracker(seeding, url: udp, tier: 1)
        let working = try waitFor("the seeder's announces") { () -> [TrackerEntry]? in
            _ = try seeder.events(timeout: 0.1)
            let entries = try seeder.trackers(seeding)
            return entries.allSatisfy { $0.state == .working && $0.seeds == 1 } ? entries : nil
        }
        let now = Int64(Date().timeIntervalSince1970)
        XCTAssertEqual(working.map(\.url), [http, udp])
        XCTAssertEqual(working.map(\.tier), [0, 1])
        for entry in working {
            XCTAssertNil(entry.message)
            XCTAssertEqual(entry.lastAnnounce.map { abs($0 - now) <= 5 }, true, "\(entry)")
            XCTAssertEqual(entry.nextAnnounce.map { $0 > now }, true, "\(entry)")
            XCTAssertEqual(entry.peers, 0)
        }

        let (leecher, leeching) = try swarm.leecher(extra: allTrackers)
        try leecher.addTracker(leeching, url: udp, tier: 0)
        try waitUntilFinished(leecher, leeching)
        XCTAssertTrue(swarm.isComplete(in: swarm.dir.path + "/leech"))

        // The leecher's completed announce, in the seeder's scrape. The
        // http:// scrape fails: libtorrent refuses scrapes of a loopback
        // tracker (SSRF mitigation), which is the failure path's test.
        var failure: String?
        try waitFor("opentracker to count the finished download") { () -> Bool? in
            try seeder.scrape(seeding)
            var replied: Set<String> = []
            try waitFor("both scrapes to end") { () -> Bool? in
                for event in try seeder.events(timeout: 0.1) {
                    if case .scrapeReply(seeding, let url) = event { replied.insert(url) }
                    if case .scrapeFailed(seeding, let url, let message) = event {
                        replied.insert(url)
                        failure = message
                    }
                }
                return replied == [http, udp] ? true : nil
            }
            let entry = try XCTUnwrap(try seeder.trackers(seeding).last)
            return entry.seeds == 2 && entry.downloaded == 1 ? true : nil
        }
        XCTAssertEqual(failure.map { $0.hasPrefix("tracker \(http): ") }, true, failure ?? "no scrape failed")

        // A tier that nobody answers: an error that says why.
        let dead = "http://127.0.0.1:\(freePort())/announce"
        try seeder.addTracker(seeding, url: dead, tier: 2)
        try seeder.addTracker(seeding, url: dead, tier: 0)
        XCTAssertEqual(try seeder.trackers(seeding).map(\.url), [http, udp, dead], "adding a URL twice is a no-op")
        XCTAssertEqual(try seeder.trackers(seeding).map(\.tier), [0, 1, 2])
        try seeder.reannounce(seeding)
        let failed = try waitFor("the dead tracker's error") { () -> TrackerEntry? in
            _ = try seeder.events(timeout: 0.1)
            return try seeder.trackers(seeding).first { $0.url == dead && $0.state == .error }
        }
        XCTAssertNotNil(failed.message, "\(failed)")
        XCTAssertNotNil(failed.lastAnnounce)

        try seeder.removeTracker(seeding, url: dead)
        // libtorrent sorts the list it is given again, a udp:// tracker
        // ahead of an http:// one on the same host (prefer_udp_trackers).
        XCTAssertEqual(Set(try seeder.trackers(seeding).map(\.url)), [http, udp])
        XCTAssertThrowsError(try seeder.removeTracker(seeding, url: dead)) { error in
            XCTAssertEqual((error as? TorrentKitError)?.code, .notFound)
        }
        // A forced announce is answered now, whatever interval opentracker asked for.
        _ = try seeder.events()
        try seeder.reannounce(seeding)
        try waitForEvent(seeder, "the forced announce's reply") { event -> Bool? in
            if case .trackerReply(seeding, _, _) = event { return true }
            return nil
        }
        _ = tracker
    }

    func testBadTrackerAndWebSeedArgumentsAreRefused() throws {
        let swarm = try LocalSwarm([("one.bin", 20_000)])
        let (session, torrent, _) = try swarm.seeder()
        for url in ["", "ftp://tracker/announce", "http://", "http://a b/announce", "udp://x\n"] {
            XCTAssertThrowsError(try session.addTracker(torrent, url: url, tier: 0), url) { error in
                XCTAssertEqual((error as? TorrentKitError)?.code, .invalidArgument, url)
            }
        }
        for tier in [-1, 256] {
            XCTAssertThrowsError(try session.addTracker(torrent, url: "udp://127.0.0.1:1", tier: tier)) { error in
                XCTAssertEqual((error as? TorrentKitError)?.code, .invalidArgument)
            }
        }
        XCTAssertThrowsError(try session.addWebSeed(torrent, url: "udp://127.0.0.1:1/")) { error in
            XCTAssertEqual((error as? TorrentKitError)?.code, .invalidArgument)
        }
        XCTAssertThrowsError(try session.scrape(torrent)) { error in
            XCTAssertEqual((error as? TorrentKitError)?.code, .notFound, "no trackers to scrape")
        }
        XCTAssertEqual(try session.trackers(torrent), [])
    }

    func testAnAddedWebSeedServesTheDownload() throws {
        let port = freePort()
        let swarm = try LocalSwarm([("pack/a.bin", 200_000), ("pack/b.bin", 30_000)], webSeeds: ["http://127.0.0.1:1/unused/"])
        let server = try Helper("/usr/bin/python3", ["-m", "http.server", "--bind", "127.0.0.1", "\(port)",
                                                     "--directory", swarm.seedPath])
        try waitFor("the web server to listen") { canConnect(port: port) ? true : nil }

        let (leecher, leeching) = try swarm.leecher()
        // The .torrent's own url-list is there from the start.
        XCTAssertEqual(try leecher.webSeeds(leeching), ["http://127.0.0.1:1/unused/"])
        try leecher.removeWebSeed(leeching, url: "http://127.0.0.1:1/unused/")
        XCTAssertThrowsError(try leecher.removeWebSeed(leeching, url: "http://127.0.0.1:1/unused/")) { error in
            XCTAssertEqual((error as? TorrentKitError)?.code, .notFound)
        }
        let seed = "http://127.0.0.1:\(port)/"
        try leecher.addWebSeed(leeching, url: seed)
        try leecher.addWebSeed(leeching, url: seed)
        XCTAssertEqual(try leecher.webSeeds(leeching), [seed])
        // No peers at all: every byte comes from the web server.
        try waitUntilFinished(leecher, leeching)
        XCTAssertTrue(swarm.isComplete(in: swarm.dir.path + "/leech"))
        _ = server
    }
}
