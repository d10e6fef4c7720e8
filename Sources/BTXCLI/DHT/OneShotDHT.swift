import BTXSession
import TorrentKit

/// The DHT node of a dht-get or dht-put with no session running, set up
/// as the command's options and the config say. `lookupOnly`: see DHTNode.
func oneShotDHTNode(_ invocation: Invocation, timeout: Double, lookupOnly: Bool = false) throws -> DHTNode {
    guard !invocation.flag("no-dht") else {
        throw BTXError.usage("'\(invocation.command.name)' needs the DHT; drop --no-dht", command: invocation.command.name)
    }
    let environment = Environment.current()
    let directory = StateDirectory(invocation: invocation, environment: environment)
    let config = try UserConfig.load(directory, output: invocation.output)
    var configuration = try sessionConfiguration(invocation, config: config, environment: environment)
    configuration.dht = true
    try checkDHTThroughProxy(configuration, command: invocation.command.name)
    return try DHTNode(configuration: configuration, directory: directory, timeout: timeout, lookupOnly: lookupOnly,
                       warn: invocation.output.warning)
}

/// Options of the DHT commands besides the session's.
let dhtTimeoutOption = OptionSpec(long: "timeout", argument: "SECONDS", summary: "give up after SECONDS (default 30)")
let dhtKeyOption = OptionSpec(long: "key", argument: "FILE", summary: "the signing key (default: dht.key in the data directory)",
                              completion: .file)

func dhtTimeout(_ invocation: Invocation) throws -> Double {
    guard let text = invocation.value("timeout") else { return 30 }
    guard let seconds = Double(text), seconds > 0, seconds <= 300 else {
        throw BTXError.usage("--timeout: '\(text)' is not a number of seconds from 0 to 300", command: invocation.command.name)
    }
    return seconds
}
