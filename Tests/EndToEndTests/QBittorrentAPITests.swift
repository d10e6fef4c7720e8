import Foundation
import TestSupport
import XCTest

/// `btx daemon --rpc`: qBittorrent's Web API v2, driven by the python
/// qbittorrent-api package (what the *arr tools' calls look like).
final class QBittorrentAPITests: XCTestCase {
    func testTheQBittorrentAPIPackageDrivesTheDaemon() throws {
        let scratch = try Scratch()
        let data = randomData(2 << 20)
        try scratch.write("src/show.bin", data)
        let torrent = try makeTorrent(scratch.path + "/src/show.bin", scratch.path + "/show.torrent")
        let (seeder, seedPort) = try Peer(scratch, "seeder").seed([torrent], from: scratch.path + "/src")
        defer { seeder.signal(SIGTERM); _ = try? seeder.wait() }

        let peer = try Peer(scratch, "daemon")
        try peer.appendConfig("rpc-user = admin\nrpc-password = hunter2\ncategory = tv \(scratch.path)/tv\n")
        let port = freePort()
        try startDaemon(peer, ["--rpc", String(port)], in: self)

        let result = try spawn(TransmissionRPCTests.testPython, ["-W", "ignore", "-c", """
            import sys, time, qbittorrentapi
            port, torrent, seed, folder = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
            def client(password):
                return qbittorrentapi.Client(host="127.0.0.1", port=port, username="admin", password=password,
                                             REQUESTS_ARGS={"timeout": 20})
            try:
                client("wrong").auth_log_in()
                print("wrong password accepted")
            except qbittorrentapi.LoginFailed:
                print("login refused")
            c = client("hunter2")
            c.auth_log_in()
            print("version", c.app.version, c.app.web_api_version)
            print("save path", c.app.default_save_path == c.app.preferences.save_path)

            c.torrents_create_category(name="films", save_path=folder + "/films")
            print("categories", sorted(c.torrents_categories().keys()))
            print("add file", c.torrents_add(torrent_files=torrent, category="tv", tags="hd,new"))
            print("again", c.torrents_add(torrent_files=torrent))
            print("add magnet", c.torrents_add(urls="magnet:?xt=urn:btih:" + "9" * 40 + "&dn=later", category="films", is_paused=True))
            print("new category", c.torrents_add(urls="8" * 40, category="fresh", is_paused=True), "fresh" in c.torrents_categories())
            try:
                c.torrents_add(urls="/etc/passwd")
                print("a local path was read")
            except qbittorrentapi.Conflict409Error:
                print("no local paths")
            c.torrents_delete(torrent_hashes="8" * 40)
            show = c.torrents_info(category="tv")[0]
            print("tv", show.name, show.category, show.tags, show.save_path == folder + "/tv")
            c.torrents_add_peers(peers=seed, torrent_hashes=show.hash)
            end = time.time() + 60
            while c.torrents_info(torrent_hashes=show.hash)[0].progress < 1 and time.time() < end: time.sleep(0.1)
            same = open(folder + "/tv/show.bin", "rb").read() == open(sys.argv[5], "rb").read()
            print("downloaded", c.torrents_info(torrent_hashes=show.hash)[0].progress, same)
            print("tag hd", [t.name for t in c.torrents_info(tag="hd")])
            print("paused", [t.name for t in c.torrents_info(status_filter="paused")])
            print("sorted", [t.name for t in c.torrents_info(sort="name", reverse=True)])

            md = c.sync_maindata(rid=0)
            print("full", md.full_update, sorted(t.name for t in md.torrents.values()), sorted(md.categories.keys()))
            quiet = c.sync_maindata(rid=md.rid)
            print("nothing changed", sorted(k for k in quiet.keys() if k != "server_state"))
            c.torrents_add_tags(tags="kept", torrent_hashes=show.hash)
            c.torrents_set_category(category="films", torrent_hashes=show.hash)
            c.torrents_set_share_limits(ratio_limit=1.5, seeding_time_limit=90, inactive_seeding_time_limit=-2, torrent_hashes=show.hash)
            delta = c.sync_maindata(rid=quiet.rid)
            changed = delta.torrents[show.hash]
            print("delta", sorted(changed.keys()), changed.get("category"), changed.get("tags"), changed.get("max_ratio"))

            print("files", [(f.name, f.priority) for f in c.torrents_files(torrent_hash=show.hash)])
            c.torrents_file_priority(torrent_hash=show.hash, file_ids=0, priority=7)
            print("priority", [f.priority for f in c.torrents_files(torrent_hash=show.hash)])
            print("properties", c.torrents_properties(torrent_hash=show.hash).total_size)
            c.torrents_rename_file(torrent_hash=show.hash, old_path="show.bin", new_path="episode.bin")
            end = time.time() + 20
            while [f.name for f in c.torrents_files(torrent_hash=show.hash)] != ["episode.bin"] and time.time() < end: time.sleep(0.1)
            import os
            print("renamed", [f.name for f in c.torrents_files(torrent_hash=show.hash)], os.path.exists(folder + "/tv/episode.bin"))
            print("tags", c.torrents_tags())
            c.torrents_rename(torrent_hash=show.hash, new_torrent_name="Show S01")
            print("shown as", c.torrents_info(torrent_hashes=show.hash)[0].name, [f.name for f in c.torrents_files(torrent_hash=show.hash)])
            c.transfer_set_download_limit(limit=1024000)
            c.app_set_preferences(prefs={"up_limit": 512000})
            print("limits", c.transfer_download_limit(), c.app.preferences.up_limit, c.transfer_info().up_rate_limit)
            c.app_set_preferences(prefs={"max_ratio_enabled": True, "max_ratio": 2.5})
            print("goal", c.app.preferences.max_ratio_enabled, c.app.preferences.max_ratio)
            try:
                c.app_set_preferences(prefs={"listen_port": 1})
                print("listen_port changed")
            except qbittorrentapi.Conflict409Error:
                print("listen_port is the config's")
            c.torrents_remove_categories(categories="films")
            print("uncategorized", sorted(t.name for t in c.torrents_info(category="")))
            c.torrents_delete(delete_files=True, torrent_hashes="all")
            print("left", len(c.torrents_info()))
            c.auth_log_out()
            """, String(port), torrent, "127.0.0.1:\(seedPort)", scratch.path, scratch.path + "/src/show.bin"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.text.split(separator: "\n").map(String.init)
        for expected in ["login refused", "version v4.6.0 2.9.3", "save path True", "categories ['films', 'tv']",
                         "add file Ok.", "again Fails.", "new category Ok. True", "no local paths", "downloaded 1.0 True", "add magnet Ok.", "tv show.bin tv hd, new True", "tag hd ['show.bin']",
                         "paused ['later']", "sorted ['show.bin', 'later']", "full True ['later', 'show.bin'] ['films', 'fresh', 'tv']",
                         "nothing changed ['rid']", "files [('show.bin', 1)]", "priority [7]", "properties \(2 << 20)", "renamed ['episode.bin'] True",
                         "tags ['hd', 'kept', 'new']", "shown as Show S01 ['episode.bin']", "limits 1024000 512000 512000", "goal True 2.5", "listen_port is the config's",
                         "uncategorized ['Show S01', 'later']", "left 0"] {
            XCTAssertTrue(lines.contains(expected), "missing \"\(expected)\" in:\n\(result.text)")
        }
        let delta = try XCTUnwrap(lines.first { $0.hasPrefix("delta ") })
        XCTAssertTrue(delta.contains("films") && delta.contains("kept") && delta.contains("1.5"), delta)
        XCTAssertFalse(delta.contains("'name'"), "only what changed: \(delta)")
        XCTAssertFalse(scratch.exists("tv/episode.bin"), "deleted with its files, renamed as they were")
        // Kept in the config for the next start, where the daemon and the CLI read it.
        let config = try String(contentsOfFile: peer.state + "/config", encoding: .utf8)
        for line in ["max-down = 1024000", "max-up = 512000", "seed-ratio = 2.5"] {
            XCTAssertTrue(config.contains(line + "\n"), "missing \(line) in:\n\(config)")
        }
    }

    /// The login cookie, qBittorrent's Referer/Origin check, and calls it does not know.
    func testLoginCookieAndCrossSiteChecks() throws {
        let scratch = try Scratch()
        let peer = try Peer(scratch, "daemon")
        try peer.appendConfig("rpc-user = admin\nrpc-password = pw\n")
        let port = freePort()
        try startDaemon(peer, ["--rpc", String(port)], in: self)
        let base = "http://127.0.0.1:\(port)/api/v2/"
        func curl(_ arguments: [String]) throws -> (Int, String) {
            let result = try spawn("/usr/bin/curl", ["-s", "-o", "/dev/stdout", "-w", "\n%{http_code}", "--max-time", "10"] + arguments)
            let parts = result.text.split(separator: "\n", omittingEmptySubsequences: false)
            return (Int(parts.last ?? "") ?? 0, parts.dropLast().joined(separator: "\n"))
        }
        XCTAssertEqual(try curl([base + "torrents/info"]).0, 403, "no cookie")
        XCTAssertEqual(try curl(["-d", "username=admin&password=nope", base + "auth/login"]).1, "Fails.")
        let jar = scratch.path + "/cookies"
        XCTAssertEqual(try curl(["-c", jar, "-d", "username=admin&password=pw", base + "auth/login"]).1, "Ok.")
        XCTAssertEqual(try curl(["-b", jar, base + "torrents/info"]).1, "[]")
        // A page on another site that makes the browser post here names itself.
        XCTAssertEqual(try curl(["-b", jar, "-H", "Origin: http://evil.example", "-d", "hashes=all", base + "torrents/pause"]).0, 401)
        XCTAssertEqual(try curl(["-b", jar, "-H", "Referer: http://127.0.0.1:\(port)/", "-d", "hashes=all", base + "torrents/pause"]).0, 200)
        XCTAssertEqual(try curl(["-b", jar, base + "torrents/pause"]).0, 405, "an action takes POST")
        XCTAssertEqual(try curl(["-b", jar, base + "no/such"]).0, 404)
        XCTAssertEqual(try curl(["-b", jar, "-d", "hash=00", base + "torrents/properties"]).0, 404)
        try Data("not a torrent".utf8).write(to: URL(fileURLWithPath: scratch.path + "/x.torrent"))
        XCTAssertEqual(try curl(["-b", jar, "-F", "torrents=@" + scratch.path + "/x.torrent", base + "torrents/add"]).0, 409,
                       "not a torrent")
        XCTAssertEqual(try curl(["-b", jar, "-X", "POST", base + "auth/logout"]).0, 200)
        XCTAssertEqual(try curl(["-b", jar, base + "torrents/info"]).0, 403, "logged out")
        // A multipart body whose part ends where its head does is refused, not a crash.
        let crash = "--B\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n--B--\r\n"
        XCTAssertEqual(try curl(["-c", jar, "-d", "username=admin&password=pw", base + "auth/login"]).1, "Ok.")
        XCTAssertEqual(try curl(["-b", jar, "-H", "Content-Type: multipart/form-data; boundary=B", "--data-binary", crash,
                                 base + "torrents/add"]).0, 400)
        XCTAssertEqual(try curl(["-b", jar, base + "app/version"]).1, "v4.6.0", "still running")
        // Five wrong passwords from one address: the sixth try is refused unchecked, the right one too.
        // (One wrong one came above.)
        for _ in 0..<4 { XCTAssertEqual(try curl(["-d", "username=admin&password=nope", base + "auth/login"]).1, "Fails.") }
        XCTAssertEqual(try curl(["-d", "username=admin&password=pw", base + "auth/login"]).0, 403)
    }
}
