import Foundation
import TestSupport
import XCTest

/// A qbittorrent-nox of its own (profile, port, save folder) on 127.0.0.1,
/// driven through its Web API with curl; killed when the test ends.
final class QBittorrent {
    let port: Int
    let webPort: Int
    let saveFolder: String
    private let process: RunningProcess

    /// `transport`: "TCP", "UTP" or "TCP_UTP" (qBittorrent's BTProtocol).
    /// Several connections per IP are allowed: with qBittorrent's default
    /// of one, an opentracker reply that names qBittorrent itself makes it
    /// dial itself and ban all of 127.0.0.1 for the torrent (DESIGN.md).
    init(_ scratch: Scratch, _ name: String = "qbt", transport: String = "TCP", in test: XCTestCase) throws {
        port = freePort()
        webPort = freePort()
        let home = scratch.path + "/" + name
        saveFolder = home + "/save"
        let config = """
            [LegalNotice]
            Accepted=true
            [BitTorrent]
            Session\\DHTEnabled=false
            Session\\LSDEnabled=false
            Session\\PeXEnabled=false
            Session\\Port=\(port)
            Session\\UseRandomPort=false
            Session\\InterfaceAddress=127.0.0.1
            Session\\BTProtocol=\(transport)
            Session\\MultiConnectionsPerIp=true
            Session\\QueueingSystemEnabled=false
            Session\\DefaultSavePath=\(saveFolder)
            [Network]
            PortForwardingEnabled=false
            [Preferences]
            Connection\\ResolvePeerCountries=false
            Connection\\UPnP=false
            WebUI\\Address=127.0.0.1
            WebUI\\Port=\(webPort)
            WebUI\\LocalHostAuth=false
            WebUI\\CSRFProtection=false
            WebUI\\HostHeaderValidation=false
            WebUI\\UseUPnP=false

            """
        try scratch.write("\(name)/profile/qBittorrent/config/qBittorrent.conf", Data(config.utf8))
        process = try RunningProcess("/usr/bin/env", ["HOME=" + home, "/usr/bin/qbittorrent-nox", "--profile=" + home + "/profile",
                                                      "--webui-port=\(webPort)"])
        test.addTeardownBlock { [process] in
            process.signal(SIGKILL)
            _ = try? process.wait()
        }
        try waitUntil("qbittorrent-nox's Web API", timeout: 30) { (try? self.get("app/version").isEmpty == false) ?? false }
    }

    func get(_ path: String) throws -> String {
        let result = try spawn("/usr/bin/curl", ["-sf", "--max-time", "10", "http://127.0.0.1:\(webPort)/api/v2/" + path])
        guard result.status == 0 else { throw TestFailure("qBittorrent \(path): curl \(result.status)") }
        return result.text
    }

    @discardableResult
    func post(_ path: String, _ form: [String]) throws -> String {
        let result = try spawn("/usr/bin/curl", ["-sf", "--max-time", "10"] + form.flatMap { ["-F", $0] }
                               + ["http://127.0.0.1:\(webPort)/api/v2/" + path])
        guard result.status == 0 else { throw TestFailure("qBittorrent \(path): curl \(result.status)") }
        return result.text
    }

    /// Adds a .torrent, its data (for a seed) or its download going to `saveFolder`.
    func add(_ torrent: String) throws {
        XCTAssertEqual(try post("torrents/add", ["torrents=@" + torrent, "savepath=" + saveFolder]), "Ok.")
    }

    /// The one torrent qBittorrent has.
    func torrent() throws -> [String: Any]? {
        let list = try JSONSerialization.jsonObject(with: Data(get("torrents/info").utf8)) as? [[String: Any]]
        return list?.first
    }

    /// Waits until its torrent is checked and complete (a seed ready).
    func waitUntilSeeding() throws {
        try waitUntil("qBittorrent seeding", timeout: 60) {
            guard let torrent = try self.torrent() else { return false }
            return torrent["progress"] as? Double == 1 && ["uploading", "stalledUP"].contains(torrent["state"] as? String ?? "")
        }
    }

    /// Gives its torrent a peer to dial (for a hybrid, `hash` is the truncated v2 one qBittorrent names it by).
    func addPeer(_ hash: String, _ peer: String) throws {
        let result = try spawn("/usr/bin/curl", ["-sf", "--max-time", "10", "--data-urlencode", "hashes=" + hash,
                                                 "--data-urlencode", "peers=" + peer,
                                                 "http://127.0.0.1:\(webPort)/api/v2/torrents/addPeers"])
        XCTAssertEqual(result.status, 0)
    }
}
