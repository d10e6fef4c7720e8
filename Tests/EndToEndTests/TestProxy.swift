import Foundation
import XCTest
import TestSupport

/// A real proxy from Debian on 127.0.0.1 for one test: microsocks (SOCKS5,
/// TCP only), tinyproxy (HTTP CONNECT) or dante (SOCKS5 with UDP
/// ASSOCIATE). Each connects out from 127.0.0.2, so a peer reached through
/// it sees 127.0.0.2 where a direct connection shows 127.0.0.1. Stopped and
/// reaped with the object.
final class TestProxy {
    let port: Int
    private let child: Child
    private let logPath: String

    /// Everything the proxy logged so far.
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// microsocks logs "client[N] 127.0.0.1: connected to HOST:PORT" on stderr.
    static func microsocks(_ scratch: Scratch, user: String? = nil, password: String? = nil) throws -> TestProxy {
        let port = freePort()
        let log = scratch.path + "/microsocks-\(port).log"
        var command = "exec microsocks -i 127.0.0.1 -p \(port) -b 127.0.0.2"
        if let user, let password { command += " -u '\(user)' -P '\(password)'" }
        return try TestProxy(port: port, log: log, "/bin/sh", ["-c", command + " 2>'\(log)'"])
    }

    /// tinyproxy in the foreground; CONNECT only to `connectPorts`, and with
    /// Basic authentication when `user` is given. It logs "CONNECT HOST:PORT".
    static func tinyproxy(_ scratch: Scratch, connectPorts: [Int], user: String? = nil, password: String? = nil) throws -> TestProxy {
        let port = freePort()
        let log = scratch.path + "/tinyproxy-\(port).log"
        var config = """
            Port \(port)
            Listen 127.0.0.1
            Bind 127.0.0.2
            Timeout 600
            Allow 127.0.0.1
            MaxClients 100
            LogFile "\(log)"
            LogLevel Connect

            """
        for connectPort in connectPorts { config += "ConnectPort \(connectPort)\n" }
        if let user, let password { config += "BasicAuth \(user) \(password)\n" }
        let path = try scratch.write("tinyproxy-\(port).conf", Data(config.utf8))
        return try TestProxy(port: port, log: log, "/usr/bin/tinyproxy", ["-d", "-c", path])
    }

    /// Dante's danted with UDP ASSOCIATE, which microsocks lacks: the DHT
    /// and uTP need it. It logs "udp/udpassociate" with byte counts.
    static func dante(_ scratch: Scratch) throws -> TestProxy {
        let port = freePort()
        let log = scratch.path + "/danted-\(port).log"
        let user = getuid() == 0 ? "root" : String(cString: getpwuid(getuid())!.pointee.pw_name)
        let config = """
            logoutput: \(log)
            internal: 127.0.0.1 port = \(port)
            external: 127.0.0.2
            clientmethod: none
            socksmethod: none
            user.privileged: \(user)
            user.unprivileged: \(user)
            client pass {
              from: 127.0.0.0/8 to: 0.0.0.0/0
              log: error connect disconnect
            }
            socks pass {
              from: 0.0.0.0/0 to: 0.0.0.0/0
              command: connect udpassociate udpreply
              log: error connect disconnect
            }

            """
        let path = try scratch.write("danted-\(port).conf", Data(config.utf8))
        return try TestProxy(port: port, log: log, "/usr/sbin/danted", ["-f", path, "-p", scratch.path + "/danted-\(port).pid"])
    }

    private init(port: Int, log: String, _ executable: String, _ arguments: [String]) throws {
        self.port = port
        logPath = log
        child = try Child(executable, arguments)
        try? child.input.close()
        try waitUntil("\(executable) listening on 127.0.0.1:\(port)", timeout: 15) {
            if let status = child.poll() {
                throw TestFailure("\(executable) exited with \(status): \(self.log)")
            }
            return tcpConnects(port)
        }
    }

    deinit {
        // SIGTERM first: danted's mother process takes its children with it.
        child.signal(SIGTERM)
        _ = try? child.wait(timeout: 5)
    }
}

/// Whether a TCP connection to 127.0.0.1:`port` (or `host`) is accepted.
func tcpConnects(_ port: Int, host: String = "127.0.0.1") -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr(host)
    address.sin_port = UInt16(port).bigEndian
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
}

/// The local ports a process listens on for TCP: its socket inodes matched
/// against /proc/net/tcp and tcp6 lines in state 0A (LISTEN).
func listeningTCPPorts(of pid: Int32) throws -> [Int] {
    let descriptors = "/proc/\(pid)/fd"
    var inodes = Set<String>()
    for entry in try FileManager.default.contentsOfDirectory(atPath: descriptors) {
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: descriptors + "/" + entry),
              target.hasPrefix("socket:[") else { continue }
        inodes.insert(String(target.dropFirst(8).dropLast()))
    }
    var ports: [Int] = []
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        for line in try String(contentsOfFile: table, encoding: .utf8).split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ")
            guard fields.count > 9, fields[3] == "0A", inodes.contains(String(fields[9])),
                  let port = Int(fields[1].split(separator: ":").last ?? "", radix: 16) else { continue }
            ports.append(port)
        }
    }
    return ports
}
