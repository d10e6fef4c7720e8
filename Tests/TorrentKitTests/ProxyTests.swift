import TorrentKit
import XCTest

/// Proxy URLs are parsed by btx, and a proxy turns into libtorrent settings
/// that keep traffic from going around it.
final class ProxyTests: XCTestCase {
    private func reason(_ url: String) -> String {
        do {
            _ = try Proxy(url: url)
            return "parsed"
        } catch let error as TorrentKitError {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    func testParsesTheThreeKindsWithOptionalCredentials() throws {
        XCTAssertEqual(try Proxy(url: "socks5://127.0.0.1:1080"), Proxy(kind: .socks5, host: "127.0.0.1", port: 1080))
        XCTAssertEqual(try Proxy(url: "SOCKS5H://proxy.example:9050/"), Proxy(kind: .socks5, host: "proxy.example", port: 9050))
        XCTAssertEqual(try Proxy(url: "socks4://10.0.0.1:1080"), Proxy(kind: .socks4, host: "10.0.0.1", port: 1080))
        XCTAssertEqual(try Proxy(url: "http://[::1]:3128"), Proxy(kind: .http, host: "::1", port: 3128))
        XCTAssertEqual(try Proxy(url: "socks5://me:p%40ss%3Aw0rd@h:1"),
                       Proxy(kind: .socks5, host: "h", port: 1, username: "me", password: "p@ss:w0rd"))
        // An unescaped "@" in the password: the last one ends the credentials.
        XCTAssertEqual(try Proxy(url: "http://me:a@b@h:8080"),
                       Proxy(kind: .http, host: "h", port: 8080, username: "me", password: "a@b"))
        XCTAssertEqual(try Proxy(url: "http://me@h:8080"), Proxy(kind: .http, host: "h", port: 8080, username: "me", password: ""))
    }

    func testMalformedURLsSayWhyAndNeverRepeatThePassword() {
        XCTAssertTrue(reason("127.0.0.1:1080").contains("not a proxy URL"))
        XCTAssertTrue(reason("ftp://h:21").contains("unknown proxy scheme 'ftp://'"))
        XCTAssertTrue(reason("https://h:443").contains("unknown proxy scheme"))
        XCTAssertTrue(reason("socks5://h").contains("needs a port"))
        XCTAssertTrue(reason("socks5://h:0").contains("needs a port"))
        XCTAssertTrue(reason("socks5://h:70000").contains("needs a port"))
        XCTAssertTrue(reason("socks5://h:").contains("needs a port"))
        XCTAssertTrue(reason("socks5://:1080").contains("no host"))
        XCTAssertTrue(reason("socks5://h:1080/path").contains("path"))
        XCTAssertTrue(reason("socks5://h o:1080").contains("bad host"))
        XCTAssertTrue(reason("socks5://[::g]:1080").contains("bad IPv6"))
        XCTAssertTrue(reason("socks5://:secret@h:1").contains("no user name"))
        XCTAssertTrue(reason("socks4://u:p@h:1").contains("SOCKS4"))
        XCTAssertTrue(reason("socks5://u:\(String(repeating: "x", count: 256))@h:1").contains("255 bytes"))
        for bad in ["socks5://u:%zz@h:1", "socks5://u:%4@h:1", "socks5://u:a%00b@h:1", "socks5://u:%ff@h:1"] {
            XCTAssertTrue(reason(bad).contains("%-escape"), bad)
        }
        for url in ["socks5://u:hunter2@h", "socks5://u:hunter2@h:1/x", "socks4://u:hunter2@h:1", "socks5://u:hunter2%zz@h:1"] {
            XCTAssertFalse(reason(url).contains("hunter2"), reason(url))
        }
        XCTAssertEqual((try? Proxy(url: "http://me:hunter2@h:8080"))?.description, "http://me:***@h:8080")
    }

    private func settings(_ url: String, only: Bool = false, _ change: (inout SessionConfiguration) -> Void = { _ in })
        throws -> [String: String] {
        var configuration = SessionConfiguration()
        configuration.proxy = try Proxy(url: url)
        configuration.proxyOnly = only
        change(&configuration)
        // Later entries win in a settings_pack, as here.
        return Dictionary(configuration.settings, uniquingKeysWith: { $1 })
    }

    func testAProxyCarriesPeersTrackersAndNamesAndNothingListensOrMaps() throws {
        let s = try settings("socks5://u:p@127.0.0.1:1080")
        XCTAssertEqual(s["proxy_type"], "3")  // socks5_pw
        XCTAssertEqual(s["proxy_hostname"], "127.0.0.1")
        XCTAssertEqual(s["proxy_port"], "1080")
        XCTAssertEqual(s["proxy_username"], "u")
        XCTAssertEqual(s["proxy_password"], "p")
        for name in ["proxy_hostnames", "proxy_peer_connections", "proxy_tracker_connections", "enable_dht",
                     "enable_outgoing_utp"] {
            XCTAssertEqual(s[name], "1", name)
        }
        for name in ["enable_lsd", "enable_upnp", "enable_natpmp"] { XCTAssertEqual(s[name], "0", name) }
        XCTAssertNil(s["anonymous_mode"])
        XCTAssertEqual(try settings("socks5://h:1")["proxy_type"], "2")
        XCTAssertEqual(try settings("socks4://h:1")["proxy_type"], "1")
        XCTAssertEqual(try settings("http://h:1")["proxy_type"], "4")
        XCTAssertEqual(try settings("http://u:p@h:1")["proxy_type"], "5")
    }

    func testTCPOnlyProxiesTurnOffTheDHTAndUTP() throws {
        for url in ["socks4://h:1", "http://h:1"] {
            let s = try settings(url)
            for name in ["enable_dht", "enable_outgoing_utp", "enable_incoming_utp"] { XCTAssertEqual(s[name], "0", "\(url) \(name)") }
        }
    }

    func testProxyOnlyIsAnonymousAndBootstrapsTheDHTFromAddressesOnly() throws {
        let s = try settings("socks5://h:1", only: true)
        XCTAssertEqual(s["anonymous_mode"], "1")
        XCTAssertEqual(s["dht_bootstrap_nodes"], "", "the public routers are names libtorrent would resolve itself")
        XCTAssertEqual(s["enable_dht"], "1")

        var configuration = SessionConfiguration()
        configuration.proxy = try Proxy(url: "socks5://h:1")
        configuration.proxyOnly = true
        configuration.dhtBootstrap = ["198.51.100.7:6881", "[2001:db8::1]:6881"]
        XCTAssertNoThrow(try configuration.checkProxyOnly())
        configuration.dhtBootstrap = ["198.51.100.7:6881", "router.example.org:6881"]
        XCTAssertThrowsError(try configuration.checkProxyOnly()) {
            XCTAssertTrue(($0 as? TorrentKitError)?.message.contains("router.example.org:6881") == true, "\($0)")
        }
        configuration.dht = false
        XCTAssertNoThrow(try configuration.checkProxyOnly(), "no DHT, no lookup")
        for url in ["socks4://h:1", "http://h:1"] {
            configuration.proxy = try Proxy(url: url)
            XCTAssertThrowsError(try configuration.checkProxyOnly()) {
                XCTAssertTrue(($0 as? TorrentKitError)?.message.contains("needs a socks5:// proxy") == true, "\($0)")
            }
        }
    }

    func testAnInterfaceBindsOutgoingAndListeningSockets() throws {
        let lo = try XCTUnwrap(NetworkInterface.find("lo"))
        XCTAssertTrue(lo.isLoopback)
        XCTAssertFalse(lo.isAddress)
        var configuration = SessionConfiguration()
        configuration.bind(to: lo, port: 7000)
        let s = Dictionary(configuration.settings, uniquingKeysWith: { $1 })
        XCTAssertEqual(s["outgoing_interfaces"], "lo")
        XCTAssertEqual(s["listen_interfaces"], "lo:7000")
        XCTAssertEqual(s["enable_lsd"], "0")
        XCTAssertEqual(s["allow_multiple_connections_per_ip"], "1")

        // All of 127/8 is this machine's, though only 127.0.0.1 is listed.
        let address = try XCTUnwrap(NetworkInterface.find("127.0.0.2"))
        XCTAssertTrue(address.isAddress && address.isLoopback)
        XCTAssertEqual(address.listenEntry(port: 1), "127.0.0.2:1")
        XCTAssertEqual(NetworkInterface.find("[::1]")?.listenEntry(port: 1), "[::1]:1")
        XCTAssertNil(NetworkInterface.find("btx-no-such0"))
        XCTAssertNil(NetworkInterface.find("203.0.113.77"), "TEST-NET-3 is nobody's local address")
        XCTAssertNil(NetworkInterface.find("lo,eth0"))
    }
}
