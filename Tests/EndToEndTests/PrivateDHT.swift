import Foundation
import XCTest

/// A private DHT of python3-libtorrent nodes on 127.0.0.1, bootstrapped only
/// from each other, in one child process (Tests/Fixtures/private_dht.py).
/// Its commands make it an independent client too: get, getm and put.
final class PrivateDHT {
    /// The script lives beside the tests so bench/dht.sh can use it too.
    private static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/private_dht.py").path

    private let child: Child
    let ports: [Int]

    init(nodes: Int = 6) throws {
        child = try Child("/usr/bin/python3", [PrivateDHT.script, String(nodes)])
        ports = try PrivateDHT.readLine(child.output)["ports"] as! [Int]
    }

    /// What `btx` needs to join: every node, as --bootstrap options.
    var bootstrap: [String] { ports.flatMap { ["--bootstrap", "127.0.0.1:\($0)"] } }

    /// Sends one command and returns its JSON answer (nil for JSON null).
    func ask(_ command: String) throws -> [String: Any]? {
        try child.input.write(contentsOf: Data((command + "\n").utf8))
        return try PrivateDHT.readLineOrNull(child.output)
    }

    private static func readLineOrNull(_ handle: FileHandle) throws -> [String: Any]? {
        var line = Data()
        while true {
            let byte = handle.readData(ofLength: 1)
            guard !byte.isEmpty else { throw TestFailure("the private DHT stopped") }
            if byte[0] == 0x0A { break }
            line.append(byte)
        }
        return try JSONSerialization.jsonObject(with: line, options: .fragmentsAllowed) as? [String: Any]
    }

    private static func readLine(_ handle: FileHandle) throws -> [String: Any] {
        guard let object = try readLineOrNull(handle) else { throw TestFailure("the private DHT said null") }
        return object
    }
}

extension Data {
    var hex: String { map { String(format: "%02x", $0) }.joined() }
}
