import CBTX
import TorrentKit
import XCTest
import TestSupport

/// The C ABI's promises: bad handles and NULL pointers are error codes,
/// never crashes, and the message says why.
final class ShimHandleTests: XCTestCase {
    private var session: OpaquePointer!
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
        let names = loopbackSettings.map { strdup($0.0) }, values = loopbackSettings.map { strdup($0.1) }
        defer { (names + values).forEach { free($0) } }
        let list = (0..<names.count).map { btx_setting(name: names[$0], value: values[$0]) }
        XCTAssertEqual(btx_session_new(list, list.count, nil, 0, &session), 0, String(cString: btx_last_error()))
    }

    override func tearDown() {
        btx_session_free(session)
        session = nil
    }

    func testAClosedSessionRefusesCallsInsteadOfWaitingOnLibtorrent() throws {
        let torrent = try addTorrent()
        XCTAssertEqual(btx_session_close(session), 0)
        XCTAssertEqual(btx_session_close(session), 0, "closing twice is a no-op")
        var statuses: UnsafeMutablePointer<btx_status>?
        var count = 0
        XCTAssertEqual(btx_torrent_status(session, torrent, &statuses, &count), BTX_ERR_BAD_HANDLE.rawValue)
        XCTAssertEqual(String(cString: btx_last_error()), "the session is closed")
        XCTAssertEqual(btx_torrent_pause(session, torrent), BTX_ERR_BAD_HANDLE.rawValue)
    }

    private func addTorrent() throws -> btx_torrent {
        try directory.write("content/a.bin", bytes: pseudoRandomBytes(40_000, seed: 1))
        let content = try TorrentContent.scan(directory.path + "/content")
        let bytes = try TorrentCreator.create(content, options: TorrentOptions())
        var params = btx_add_params()
        var handle: btx_torrent = 0
        let rc = bytes.withUnsafeBufferPointer { buffer in
            directory.path.withCString { savePath in
                params.metainfo = buffer.baseAddress
                params.metainfo_len = buffer.count
                params.save_path = savePath
                return btx_torrent_add(session, &params, &handle)
            }
        }
        XCTAssertEqual(rc, 0, String(cString: btx_last_error()))
        XCTAssertNotEqual(handle, 0)
        return handle
    }

    func testZeroHandleIsAnErrorNotACrash() {
        var statuses: UnsafeMutablePointer<btx_status>?
        var count = 0
        // 0 means "all torrents" for status only; everything else rejects it.
        XCTAssertEqual(btx_torrent_pause(session, 0), BTX_ERR_BAD_HANDLE.rawValue)
        XCTAssertEqual(btx_torrent_resume(session, 0), BTX_ERR_BAD_HANDLE.rawValue)
        XCTAssertEqual(btx_torrent_remove(session, 0, 0), BTX_ERR_BAD_HANDLE.rawValue)
        XCTAssertEqual(btx_torrent_force_recheck(session, 0), BTX_ERR_BAD_HANDLE.rawValue)
        XCTAssertEqual(btx_torrent_save_resume(session, 0, 0), BTX_ERR_BAD_HANDLE.rawValue)
        XCTAssertEqual(btx_torrent_connect_peer(session, 0, "127.0.0.1:1"), BTX_ERR_BAD_HANDLE.rawValue)
        var files: UnsafeMutablePointer<btx_file>?
        XCTAssertEqual(btx_torrent_files(session, 0, &files, &count), BTX_ERR_BAD_HANDLE.rawValue)
        XCTAssertNil(files)
        var peers: UnsafeMutablePointer<btx_peer>?
        XCTAssertEqual(btx_torrent_peers(session, 0, &peers, &count), BTX_ERR_BAD_HANDLE.rawValue)
        XCTAssertFalse(String(cString: btx_last_error()).isEmpty)
        XCTAssertEqual(btx_torrent_status(session, 0, &statuses, &count), 0)
        XCTAssertEqual(count, 0)
        btx_status_free(statuses, count)
    }

    func testStaleHandleIsAnErrorNotACrash() throws {
        let handle = try addTorrent()
        var statuses: UnsafeMutablePointer<btx_status>?
        var count = 0
        XCTAssertEqual(btx_torrent_status(session, handle, &statuses, &count), 0)
        XCTAssertEqual(count, 1)
        btx_status_free(statuses, count)

        XCTAssertEqual(btx_torrent_remove(session, handle, 0), 0)
        XCTAssertEqual(btx_torrent_status(session, handle, &statuses, &count), BTX_ERR_BAD_HANDLE.rawValue)
        XCTAssertTrue(String(cString: btx_last_error()).contains("stale"))
        XCTAssertEqual(btx_torrent_pause(session, handle), BTX_ERR_BAD_HANDLE.rawValue)
        XCTAssertEqual(btx_torrent_remove(session, handle, 0), BTX_ERR_BAD_HANDLE.rawValue)

        // The slot is reused by the next torrent, but the old handle stays stale.
        let again = try addTorrent()
        XCTAssertNotEqual(again, handle)
        XCTAssertEqual(btx_torrent_pause(session, handle), BTX_ERR_BAD_HANDLE.rawValue)
        XCTAssertEqual(btx_torrent_pause(session, again), 0)
        // A made-up handle far out of range.
        XCTAssertEqual(btx_torrent_pause(session, 0xdead_beef_0000_0777), BTX_ERR_BAD_HANDLE.rawValue)
    }

    /// Every call on one torrent, as a closure of (session, handle): each
    /// must refuse a zero, stale or made-up handle and a NULL session.
    private var torrentCalls: [(String, (OpaquePointer?, btx_torrent) -> Int32)] {
        [
            ("trackers", { s, t in
                var list: UnsafeMutablePointer<btx_tracker_status>?
                var n = 0
                return btx_torrent_trackers(s, t, &list, &n)
            }),
            ("add_tracker", { btx_torrent_add_tracker($0, $1, "udp://127.0.0.1:1", 0) }),
            ("remove_tracker", { btx_torrent_remove_tracker($0, $1, "udp://127.0.0.1:1") }),
            ("reannounce", { btx_torrent_reannounce($0, $1) }),
            ("scrape", { btx_torrent_scrape($0, $1) }),
            ("web_seeds", { s, t in
                var list: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
                var n = 0
                return btx_torrent_web_seeds(s, t, &list, &n)
            }),
            ("add_web_seed", { btx_torrent_add_web_seed($0, $1, "http://127.0.0.1:1/") }),
            ("remove_web_seed", { btx_torrent_remove_web_seed($0, $1, "http://127.0.0.1:1/") }),
            ("move_storage", { btx_torrent_move_storage($0, $1, "/tmp") }),
            ("limits", { s, t in
                var l = btx_limits()
                return btx_torrent_limits(s, t, &l)
            }),
            ("set_limits", { s, t in
                var l = btx_limits()
                return btx_torrent_set_limits(s, t, &l)
            }),
            ("flags", { s, t in
                var f: UInt32 = 0
                return btx_torrent_flags(s, t, &f)
            }),
            ("set_flags", { btx_torrent_set_flags($0, $1, 0, 0) }),
            ("queue_position", { s, t in
                var p: Int32 = 0
                return btx_torrent_queue_position(s, t, &p)
            }),
            ("queue_move", { btx_torrent_queue_move($0, $1, Int32(BTX_QUEUE_UP.rawValue)) }),
            ("piece_map", { s, t in
                var map: UnsafeMutablePointer<btx_piece_map>?
                return btx_torrent_piece_map(s, t, &map)
            }),
            ("set_piece_priorities", { s, t in
                var one: UInt8 = 4
                return btx_torrent_set_piece_priorities(s, t, &one, 1)
            }),
            ("set_piece_deadline", { btx_torrent_set_piece_deadline($0, $1, 0, 10) }),
            ("clear_piece_deadlines", { btx_torrent_clear_piece_deadlines($0, $1) }),
        ]
    }

    func testManagementCallsRefuseBadHandlesAndNullPointers() throws {
        let stale = try addTorrent()
        XCTAssertEqual(btx_torrent_remove(session, stale, 0), 0)
        for (name, call) in torrentCalls {
            for handle in [0, stale, 0xdead_beef_0000_0777] as [btx_torrent] {
                XCTAssertEqual(call(session, handle), BTX_ERR_BAD_HANDLE.rawValue, "\(name) on \(handle)")
                XCTAssertFalse(String(cString: btx_last_error()).isEmpty, name)
            }
            XCTAssertEqual(call(nil, stale), BTX_ERR_BAD_HANDLE.rawValue, "\(name) without a session")
        }
        var paused: Int32 = 0
        XCTAssertEqual(btx_session_pause(nil), BTX_ERR_BAD_HANDLE.rawValue)
        XCTAssertEqual(btx_session_resume(nil), BTX_ERR_BAD_HANDLE.rawValue)
        XCTAssertEqual(btx_session_is_paused(nil, &paused), BTX_ERR_BAD_HANDLE.rawValue)
        XCTAssertEqual(btx_session_is_paused(session, nil), BTX_ERR_INVALID_ARG.rawValue)

        // A live torrent: NULL out-pointers and arguments are refused, not followed.
        let live = try addTorrent()
        var count = 0
        XCTAssertEqual(btx_torrent_trackers(session, live, nil, &count), BTX_ERR_INVALID_ARG.rawValue)
        XCTAssertEqual(btx_torrent_web_seeds(session, live, nil, &count), BTX_ERR_INVALID_ARG.rawValue)
        XCTAssertEqual(btx_torrent_add_tracker(session, live, nil, 0), BTX_ERR_INVALID_ARG.rawValue)
        XCTAssertEqual(btx_torrent_remove_tracker(session, live, nil), BTX_ERR_INVALID_ARG.rawValue)
        XCTAssertEqual(btx_torrent_add_web_seed(session, live, nil), BTX_ERR_INVALID_ARG.rawValue)
        XCTAssertEqual(btx_torrent_remove_web_seed(session, live, nil), BTX_ERR_INVALID_ARG.rawValue)
        XCTAssertEqual(btx_torrent_move_storage(session, live, nil), BTX_ERR_INVALID_ARG.rawValue)
        XCTAssertEqual(btx_torrent_limits(session, live, nil), BTX_ERR_INVALID_ARG.rawValue)
        XCTAssertEqual(btx_torrent_set_limits(session, live, nil), BTX_ERR_INVALID_ARG.rawValue)
        XCTAssertEqual(btx_torrent_flags(session, live, nil), BTX_ERR_INVALID_ARG.rawValue)
        XCTAssertEqual(btx_torrent_set_flags(session, live, 0, 1 << 20), BTX_ERR_INVALID_ARG.rawValue)
        XCTAssertEqual(btx_torrent_queue_position(session, live, nil), BTX_ERR_INVALID_ARG.rawValue)
        XCTAssertEqual(btx_torrent_queue_move(session, live, 99), BTX_ERR_INVALID_ARG.rawValue)
        XCTAssertEqual(btx_torrent_piece_map(session, live, nil), BTX_ERR_INVALID_ARG.rawValue)
        XCTAssertEqual(btx_torrent_set_piece_priorities(session, live, nil, 3), BTX_ERR_INVALID_ARG.rawValue)
        btx_tracker_statuses_free(nil, 3)
        btx_strings_free(nil, 3)
        btx_piece_map_free(nil)

        // A closed session refuses them all, rather than waiting on libtorrent.
        XCTAssertEqual(btx_session_close(session), 0)
        for (name, call) in torrentCalls {
            XCTAssertEqual(call(session, live), BTX_ERR_BAD_HANDLE.rawValue, "\(name) on a closed session")
        }
        XCTAssertEqual(btx_session_pause(session), BTX_ERR_BAD_HANDLE.rawValue)
    }

    func testNullPointersAreErrorsNotCrashes() {
        var count = 0
        var statuses: UnsafeMutablePointer<btx_status>?
        XCTAssertEqual(btx_torrent_status(nil, 0, &statuses, &count), BTX_ERR_BAD_HANDLE.rawValue)
        XCTAssertEqual(btx_torrent_status(session, 0, nil, &count), BTX_ERR_INVALID_ARG.rawValue)
        XCTAssertEqual(btx_torrent_status(session, 0, &statuses, nil), BTX_ERR_INVALID_ARG.rawValue)
        var handle: btx_torrent = 0
        XCTAssertEqual(btx_torrent_add(session, nil, &handle), BTX_ERR_INVALID_ARG.rawValue)
        var params = btx_add_params()
        XCTAssertEqual(btx_torrent_add(session, &params, &handle), BTX_ERR_INVALID_ARG.rawValue)
        XCTAssertEqual(btx_torrent_add(nil, &params, &handle), BTX_ERR_BAD_HANDLE.rawValue)
        XCTAssertEqual(btx_torrent_find(session, nil, &handle), BTX_ERR_INVALID_ARG.rawValue)
        XCTAssertEqual(btx_session_listen_port(nil, nil), BTX_ERR_BAD_HANDLE.rawValue)
        XCTAssertEqual(btx_session_new(nil, 0, nil, 0, nil), BTX_ERR_INVALID_ARG.rawValue)
        var events: UnsafeMutablePointer<btx_event>?
        XCTAssertEqual(btx_session_events(nil, 0, &events, &count), BTX_ERR_BAD_HANDLE.rawValue)
        var info: UnsafeMutablePointer<btx_metainfo>?
        XCTAssertEqual(btx_metainfo_parse(nil, 10, 1, &info), BTX_ERR_INVALID_ARG.rawValue)
        var out: UnsafeMutablePointer<UInt8>?
        var length = 0
        XCTAssertEqual(btx_create_torrent(nil, &out, &length), BTX_ERR_INVALID_ARG.rawValue)
        var check: UnsafeMutablePointer<btx_content_check>?
        XCTAssertEqual(btx_check_content(nil, 10, "/tmp", 1, nil, nil, &check), BTX_ERR_INVALID_ARG.rawValue)
        XCTAssertEqual(btx_check_content([1, 2], 2, nil, 1, nil, nil, &check), BTX_ERR_INVALID_ARG.rawValue)
        XCTAssertEqual(btx_check_content([1, 2], 2, "/tmp", 1, nil, nil, nil), BTX_ERR_INVALID_ARG.rawValue)
        XCTAssertEqual(btx_check_content(Array("d4:infoi1ee".utf8), 11, "/tmp", 1, nil, nil, &check), BTX_ERR_PARSE.rawValue)
        XCTAssertNil(check)
        btx_content_check_free(nil)
        // Freeing NULL is a no-op everywhere.
        btx_session_free(nil)
        btx_status_free(nil, 3)
        btx_files_free(nil, 3)
        btx_peers_free(nil, 3)
        btx_events_free(nil, 3)
        btx_metainfo_free(nil)
        btx_free_buffer(nil)
    }

    func testMalformedInputsAreParseErrors() {
        var handle: btx_torrent = 0
        var params = btx_add_params()
        let garbage: [UInt8] = Array("d4:infod6:lengthi-5eee".utf8)
        let rc = garbage.withUnsafeBufferPointer { buffer -> Int32 in
            params.metainfo = buffer.baseAddress
            params.metainfo_len = buffer.count
            return "/tmp".withCString { params.save_path = $0; return btx_torrent_add(session, &params, &handle) }
        }
        XCTAssertEqual(rc, BTX_ERR_PARSE.rawValue)
        var magnet = btx_add_params()
        let magnetRC = "magnet:?xt=urn:btih:nothex".withCString { uri in
            "/tmp".withCString { path -> Int32 in
                magnet.magnet_uri = uri
                magnet.save_path = path
                return btx_torrent_add(session, &magnet, &handle)
            }
        }
        XCTAssertEqual(magnetRC, BTX_ERR_PARSE.rawValue)
        XCTAssertEqual(handle, 0)
    }

    func testUnknownSettingIsRejected() {
        var other: OpaquePointer?
        let rc = "no_such_setting".withCString { name in
            "1".withCString { value -> Int32 in
                var setting = btx_setting(name: name, value: value)
                return btx_session_new(&setting, 1, nil, 0, &other)
            }
        }
        XCTAssertEqual(rc, BTX_ERR_INVALID_ARG.rawValue)
        XCTAssertNil(other)
        XCTAssertTrue(String(cString: btx_last_error()).contains("no_such_setting"))
    }

    func testABIVersionMatchesHeader() {
        XCTAssertEqual(btx_abi_version(), BTX_ABI_VERSION)
        XCTAssertTrue(String(cString: btx_libtorrent_version()).hasPrefix("2."))
    }
}
