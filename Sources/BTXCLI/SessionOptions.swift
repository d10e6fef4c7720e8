import BTXSession
import TorrentKit

/// Options of every command that runs a session.
let sessionOptions: [OptionSpec] = [
    OptionSpec(long: "listen", argument: "PORT", summary: "listen on PORT, or ADDRESS:PORT (one that is taken is warned of, not swapped; loopback turns off uTP, LSD, UPnP, NAT-PMP)",
               completion: .format(["6881", "0.0.0.0:6881", "127.0.0.1:6881"], hint: "PORT or ADDRESS:PORT")),
    OptionSpec(long: "no-dht", summary: "don't use the DHT"),
    OptionSpec(long: "bootstrap", argument: "HOST:PORT", summary: "DHT bootstrap node instead of the public routers (also BTX_DHT_BOOTSTRAP)", repeatable: true,
               completion: .format(["router.bittorrent.com:6881", "127.0.0.1:6881"], hint: "HOST:PORT")),
    OptionSpec(long: "blocklist", argument: "FILE", summary: "refuse peers whose address is in FILE (PeerGuardian, DAT, CIDR or ranges; may be gzipped)",
               completion: .file),
    OptionSpec(long: "encryption", argument: "POLICY", summary: "peer encryption: require (no plaintext peers), prefer (the default), allow (only when the peer asks) or disable",
               completion: .words(["require", "prefer", "allow", "disable"])),
] + networkOptions

/// serve's --listen is its HTTP address: there the BitTorrent one is --bt-listen.
let serveSessionOptions: [OptionSpec] = sessionOptions.map { option in
    guard option.long == "listen" else { return option }
    var renamed = OptionSpec(long: "bt-listen", argument: option.argument, summary: option.summary)
    renamed.completion = option.completion
    return renamed
}

extension Invocation {
    /// The option that names the BitTorrent listening address.
    var peerListenOption: String { command.name == "serve" ? "bt-listen" : "listen" }
    var peerListen: String? { value(peerListenOption) }
}

/// The session the user asked for: config file, then environment, then options.
func sessionConfiguration(_ invocation: Invocation, config: UserConfig, environment: Environment) throws -> SessionConfiguration {
    var session = SessionConfiguration()
    do {
        if let listen = invocation.peerListen ?? config["listen"] { try session.listen(on: listen) }
    } catch let error as TorrentKitError {
        throw BTXError.usage("--\(invocation.peerListenOption): \(error.message)", command: invocation.command.name)
    }
    let bootstrap = invocation.all("bootstrap").isEmpty
        ? (environment["BTX_DHT_BOOTSTRAP"] ?? config["bootstrap"]).map { $0.split(separator: ",").map { $0.trimmingSpaces } }
        : invocation.all("bootstrap")
    if let bootstrap { session.dhtBootstrap = bootstrap }
    if let text = invocation.value("encryption") ?? config["encryption"] {
        guard let policy = SessionConfiguration.Encryption(rawValue: text) else {
            throw BTXError.usage("--encryption: '\(text)' is not require, prefer, allow or disable", command: invocation.command.name)
        }
        session.encryption = policy
    }
    if let dht = try config.switchValue("dht") { session.dht = dht }
    if invocation.flag("no-dht") { session.dht = false }
    if let lsd = try config.switchValue("lsd") { session.localPeerDiscovery = lsd }
    if let upnp = try config.switchValue("upnp") { session.upnp = upnp }
    if let natpmp = try config.switchValue("natpmp") { session.natpmp = natpmp }
    if let utp = try config.switchValue("utp") { session.utp = utp ? .on : .off }
    if let io = config["disk-io"].flatMap(SessionConfiguration.DiskIO.init(rawValue:)) { session.diskIO = io }
    if let down = config["max-down"] { session.downloadLimit = try parseRate(down, option: "config max-down") }
    if let up = config["max-up"] { session.uploadLimit = try parseRate(up, option: "config max-up") }
    try applyNetworkOptions(invocation, config: config, environment: environment, to: &session)
    // libtorrent runs no DHT on the loopback address of a socket listening
    // everywhere: nodes all on 127.x would never answer. Listen where they are.
    if session.listenInterfaces.isEmpty, session.dht, session.isLoopbackDHT { try session.listen(on: "127.0.0.1:0") }
    return session
}

/// The blocklist the user asked for (option, then config), as an absolute
/// path: a session reads it again on reload, maybe from another directory.
func blocklistPath(_ invocation: Invocation, config: UserConfig) -> String? {
    (invocation.value("blocklist") ?? config["blocklist"]).map(absolutePath)
}

/// "5M", "500k", "1048576": bytes per second.
func parseRate(_ text: String, option: String) throws -> Int64 {
    guard let value = Units.parseSize(text) else {
        throw BTXError.usage("\(option): '\(text)' is not a rate like 500k or 5M")
    }
    return value
}
