import BTXSession
import TorrentKit

/// Session options that say which way traffic goes: through a proxy, or by
/// one network interface. The man page's PROXIES AND INTERFACES section
/// (`networkPolicyManual`) says exactly what each mode sends where.
let networkOptions: [OptionSpec] = [
    OptionSpec(long: "proxy", argument: "URL",
               summary: "send peers, trackers, web seeds and (socks5 only) the DHT and uTP through socks5://[USER:PASS@]HOST:PORT, "
                   + "socks4://HOST:PORT or http://[USER:PASS@]HOST:PORT (also BTX_PROXY); no incoming peers, LSD, UPnP or NAT-PMP"),
    OptionSpec(long: "proxy-only",
               summary: "nothing around the proxy (a socks5:// one): every host name resolved by it, anonymous mode, "
                   + "DHT bootstrap nodes by address only (see PROXIES AND INTERFACES in btx(1))"),
    OptionSpec(long: "interface", argument: "NAME|ADDR",
               summary: "bind outgoing and listening sockets to a network interface (tun0) or local address, listening "
                   + "on the --listen PORT there (default 6881); one this machine lacks exits 3"),
]

/// The man page's PROXIES AND INTERFACES section, one paragraph a line.
let networkPolicyManual = """
    --proxy URL (config proxy, or BTX_PROXY) sends through the proxy: connections to peers (TCP, and uTP \
    through SOCKS5), HTTP and HTTPS trackers and web seeds, and through SOCKS5 (its UDP ASSOCIATE) UDP trackers and \
    the DHT. libtorrent never falls back to a direct connection: what the proxy cannot carry, and everything while \
    the proxy is down, fails instead. Host names of trackers and web seeds go to the proxy to resolve, except that \
    through http:// libtorrent looks up those of https:// and udp:// trackers itself, and socks4:// carries no \
    names at all. The proxy's own name is looked up here; give its address to avoid that.
    Switched off with any proxy: incoming peer connections (libtorrent opens no TCP listen socket, and its UDP \
    socket takes packets from the proxy only; btx add prints no listening event), local peer discovery, UPnP and \
    NAT-PMP. socks4:// and http:// carry TCP only, so with them the DHT and uTP are off too, and UDP trackers fail.
    --proxy-only (config proxy-only = on) is for when nothing at all may go around the proxy. It needs a \
    socks5:// proxy, the kind through which libtorrent resolves every host name. On top of the above it turns on \
    libtorrent's anonymous mode (no client name or version sent to peers, a generic user agent for public trackers, \
    no local addresses for private ones), and the DHT bootstraps only from addresses: the public routers are host \
    names libtorrent would look up itself, so without --bootstrap ADDRESS:PORT the DHT starts from the nodes saved \
    in dht.state and those peers name, and a bootstrap node given by name is a usage error. A SOCKS5 proxy without UDP \
    ASSOCIATE (microsocks) leaves the DHT, uTP and UDP trackers no way out: they do nothing. --proxy-only without a \
    proxy, or with another kind, is a usage error.
    --interface NAME|ADDR (config interface) binds outgoing peer connections to a device (tun0, wg0) or one \
    of this machine's addresses, and listens there on the --listen PORT (default 6881); trackers, the DHT and uTP \
    use that listen socket. A device or address this machine lacks is an error before anything starts (exit 3). \
    --interface with --listen ADDRESS:PORT, or with a proxy (libtorrent then binds only peer connections), is a \
    usage error.
    A running session keeps the network settings it started with: add, dht-get and dht-put with --proxy, \
    --proxy-only or --interface while one runs are a usage error. btx daemon, and the add --detach that starts \
    one, pass them on; the proxy URL through the daemon's environment, since a command line is visible to every \
    user in ps. For the same reason prefer BTX_PROXY or the config file for a URL with a password.
    """

/// Reads --proxy (else BTX_PROXY, else the config's proxy), --proxy-only
/// and --interface into `session`, after --listen.
func applyNetworkOptions(_ invocation: Invocation, config: UserConfig, environment: Environment,
                         to session: inout SessionConfiguration) throws {
    let command = invocation.command.name
    func usage(_ message: String) -> BTXError { BTXError.usage(message, command: command) }

    let proxySource = invocation.value("proxy") != nil ? "--proxy" : environment["BTX_PROXY"] != nil ? "BTX_PROXY" : "config proxy"
    if let text = invocation.value("proxy") ?? environment["BTX_PROXY"] ?? config["proxy"] {
        do {
            session.proxy = try Proxy(url: text)
        } catch let error as TorrentKitError {
            throw usage("\(proxySource): \(error.message)")
        }
    }
    let onlySource = invocation.flag("proxy-only") ? "--proxy-only" : "config proxy-only"
    session.proxyOnly = try invocation.flag("proxy-only") || config.switchValue("proxy-only") == true
    if session.proxyOnly && session.proxy == nil {
        throw usage("\(onlySource) needs a proxy to send everything through: --proxy URL (or BTX_PROXY, or proxy in the config)")
    }
    do {
        try session.checkProxyOnly()
    } catch let error as TorrentKitError {
        throw usage("\(onlySource): \(error.message)")
    }

    guard let name = invocation.value("interface") ?? config["interface"] else { return }
    let interfaceSource = invocation.value("interface") != nil ? "--interface" : "config interface"
    if session.proxy != nil {
        // libtorrent listens on no interface of its own then, and binds its
        // tracker and UDP traffic to the proxy by the routing table only.
        throw usage("\(interfaceSource) and a proxy do not go together: with a proxy libtorrent binds only peer "
                    + "connections to the interface; route the proxy's address through it instead")
    }
    guard let interface = NetworkInterface.find(name) else {
        throw BTXError.notFound("\(interfaceSource): this machine has no network interface or address '\(name)'")
    }
    var port = 6881  // libtorrent's own default
    if let listen = invocation.peerListen ?? config["listen"] {
        guard let number = Int(listen), (0...65535).contains(number) else {
            let listenSource = invocation.peerListen != nil ? "--" + invocation.peerListenOption : "config listen"
            throw usage("\(interfaceSource) chooses the address to listen on: \(listenSource) must be a PORT, not '\(listen)'")
        }
        port = number
    }
    session.bind(to: interface, port: port)
}

/// A running session keeps the network settings it started with. Handing it
/// work that was asked to go through a proxy or an interface could send that
/// work another way: refused instead.
func refuseNetworkOptionsForRunningSession(_ invocation: Invocation, directory: StateDirectory) throws {
    guard let option = ["proxy", "proxy-only", "interface"].first(where: { invocation.value($0) != nil || invocation.flag($0) })
    else { return }
    throw BTXError.usage("a btx session is already running for \(directory.state) with its own network settings, "
                         + "so --\(option) would not apply; stop it first ('btx daemon --stop') or leave --\(option) out",
                         command: invocation.command.name)
}

/// A DHT command through a proxy: only SOCKS5 carries the DHT's UDP, and
/// the DHT is now on whatever the config said.
func checkDHTThroughProxy(_ configuration: SessionConfiguration, command: String) throws {
    guard let proxy = configuration.proxy else { return }
    guard proxy.carriesUDP else {
        throw BTXError.usage("'\(command)' needs the DHT, which cannot go through a \(proxy.kind.rawValue):// proxy "
                             + "(it carries TCP only); use a socks5:// proxy", command: command)
    }
    do {
        try configuration.checkProxyOnly()
    } catch let error as TorrentKitError {
        throw BTXError.usage("--proxy-only: \(error.message)", command: command)
    }
}

/// What `startDaemon` adds to the daemon's command line. The proxy URL goes
/// in its environment instead (`daemonEnvironment`): a command line is
/// readable by every user in ps, and the URL may hold a password.
func daemonNetworkArguments(_ invocation: Invocation) -> [String] {
    (invocation.flag("proxy-only") ? ["--proxy-only"] : []) + (invocation.value("interface").map { ["--interface", $0] } ?? [])
}

/// This process's environment, with BTX_PROXY set to --proxy when given.
func daemonEnvironment(_ invocation: Invocation) -> [String] {
    var variables = Environment.current().variables
    if let proxy = invocation.value("proxy") { variables["BTX_PROXY"] = proxy }
    return variables.map { "\($0.key)=\($0.value)" }
}
