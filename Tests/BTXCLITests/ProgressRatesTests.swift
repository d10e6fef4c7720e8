@testable import BTXCLI
@testable import BTXSession
import XCTest

/// The progress line's rate and ETA: what arrived lately, not libtorrent's
/// slow-moving average; nothing downloading once the torrent is complete.
final class ProgressRatesTests: XCTestCase {
    private func torrent(done: Int64, rate: Int64, state: String = "downloading") throws -> TorrentDocument {
        var document = try TorrentDocument(json: JSON(parsing: #"{"info_hash":"0123456789abcdef0123456789abcdef01234567","info_hash_v1":null,"info_hash_v2":null,"name":"fast.bin","state":"downloading","running":true,"paused":false,"queue_position":null,"has_metadata":true,"progress":0,"size":50331648,"wanted":50331648,"done":0,"pieces":3,"pieces_done":0,"downloaded":0,"uploaded":0,"session_downloaded":0,"session_uploaded":0,"ratio":0,"download_rate":0,"upload_rate":0,"peers":1,"seeds":1,"blocked_peers":0,"eta":null,"save_path":"/tmp","error":null,"added_time":0,"completed_time":null,"labels":[],"settings":{"max_down":null,"max_up":null,"max_peers":null,"max_uploads":null,"sequential":false,"super_seed":false,"upload_only":false,"seed":false,"seed_ratio":null,"seed_time":null},"goal_reached":null,"stream":null}"#))
        document.done = done
        document.downloadRate = rate
        document.state = state
        return document
    }

    func testTheRateIsWhatArrivedLatelyAndTheETAFollowsIt() throws {
        let rates = ProgressRates()
        let mib: Int64 = 1 << 20
        XCTAssertEqual(rates.observe(try torrent(done: 0, rate: 346 << 10), now: 10).rate, 346 << 10, "libtorrent's, until a second is seen")
        let (rate, eta) = rates.observe(try torrent(done: 16 * mib, rate: 400 << 10), now: 12)
        XCTAssertEqual(rate, 8 * mib, "16 MiB in 2 s, whatever the average says")
        XCTAssertEqual(eta, 4, "32 MiB left at 8 MiB/s")
        XCTAssertEqual(rates.observe(try torrent(done: 48 * mib, rate: 2 * mib, state: "seeding"), now: 13).rate, 0)
        XCTAssertNil(rates.observe(try torrent(done: 48 * mib, rate: 2 * mib, state: "seeding"), now: 14).eta)
    }
}
