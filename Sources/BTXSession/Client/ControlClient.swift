import Glibc

/// A command's end of the control socket: one request, one reply.
public final class ControlClient {
    private let fd: Int32
    private var buffer: [UInt8] = []

    private init(fd: Int32) { self.fd = fd }

    deinit { close(fd) }

    /// The running session's client, or nil when no session runs. A socket
    /// left by a killed session is removed on the way (its lock is free).
    public static func connect(_ directory: StateDirectory) throws -> ControlClient? {
        let path = directory.controlSocketPath
        var st = stat()
        guard lstat(path, &st) == 0 else {
            // A file where the folder should be: no session can listen there either.
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw FileIO.error(path)
        }
        if let fd = try UnixSocket.connect(to: path) {
            // Nothing is sent to a session run by someone else: it would
            // learn what this user downloads, and could answer anything.
            guard let uid = UnixSocket.peerUID(fd), uid == geteuid() else {
                close(fd)
                throw BTXError.failure("the control socket \(path) is served by another user's process, not yours; "
                                       + "btx will not talk to it (remove \(directory.runtime) or set XDG_RUNTIME_DIR)")
            }
            var timeout = timeval(tv_sec: 30, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            return ControlClient(fd: fd)
        }
        // Holding the lock while unlinking: no session can bind in between.
        if let lock = try? StateLock(directory: directory, patience: 0) {
            unlink(path)
            withExtendedLifetime(lock) {}
        }
        return nil
    }

    /// Requests that take long (DHT lookups) wait longer than the 30 s default.
    public func waitForReplies(upTo seconds: Double) {
        var timeout = timeval(tv_sec: Int(min(max(seconds, 1), 3600).rounded(.up)), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Sends a request and returns its result; an error reply becomes the
    /// BTXError it names.
    public func call(_ method: ControlMethod, _ params: [(String, JSON)] = []) throws -> JSON {
        try send(method, params)
        return try Self.unwrap(JSON(parsing: readLine()))
    }

    private func send(_ method: ControlMethod, _ params: [(String, JSON)]) throws {
        var bytes = method.request(params).bytes
        bytes.append(0x0A)
        if bytes.withUnsafeBytes({ Syscall.sendAll(fd, $0) }) != nil {
            throw BTXError(exitCode: .noSession, message: "the session closed the control socket")
        }
    }

    /// The result as the session wrote it, not parsed: what `status --json`
    /// prints for thousands of torrents, megabytes a parse would cost
    /// more time than the session took to answer.
    public func callRaw(_ method: ControlMethod, _ params: [(String, JSON)] = []) throws -> [UInt8] {
        var result: [UInt8] = []
        try callRaw(method, params) { result.append(contentsOf: $0) }
        return result
    }

    /// The same, handed to `sink` piece by piece as it arrives, never
    /// gathered: a reply of megabytes grown in one buffer was copied and
    /// faulted in again at each doubling, most of `status --json`'s time.
    public func callRaw(_ method: ControlMethod, _ params: [(String, JSON)] = [],
                        into sink: (UnsafeRawBufferPointer) -> Void) throws {
        try send(method, params)
        let prefix = Array(#"{"ok":true,"result":"#.utf8)
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while buffer.count < prefix.count && !buffer.contains(0x0A) {
            let n = try receive(into: &chunk)
            buffer += chunk[..<n]
        }
        guard buffer.starts(with: prefix) else {
            return try Self.unwrap(JSON(parsing: readLine())).bytes.withUnsafeBytes(sink)
        }
        // The reply is prefix + result + "}" + newline: every byte but the
        // last one seen so far is the result's.
        var held: UInt8?
        func pass(_ bytes: ArraySlice<UInt8>) throws -> Bool {
            // memchr: a byte-at-a-time search was a tenth of a table of 100,000.
            let found = bytes.withUnsafeBytes { raw in
                raw.baseAddress.flatMap { base in memchr(base, 0x0A, raw.count).map { $0 - UnsafeMutableRawPointer(mutating: base) } }
            }
            guard let newline = found.map({ bytes.startIndex + $0 }) else {
                guard let last = bytes.last else { return false }
                if let held { withUnsafeBytes(of: held) { sink($0) } }
                bytes.dropLast().withUnsafeBytes(sink)
                held = last
                return false
            }
            let body = bytes[..<newline]
            guard (body.last ?? held) == UInt8(ascii: "}") else {
                throw BTXError.failure("the session's reply ended in the middle of a JSON value")
            }
            if !body.isEmpty, let held { withUnsafeBytes(of: held) { sink($0) } }
            body.dropLast().withUnsafeBytes(sink)
            buffer = Array(bytes[(newline + 1)...])
            return true
        }
        let first = buffer[prefix.count...]
        buffer = []
        var done = try pass(first)
        while !done {
            let n = try receive(into: &chunk)
            done = try pass(chunk[..<n])
        }
    }

    /// A reply's result; an error reply becomes the BTXError it names.
    static func unwrap(_ reply: JSON) throws -> JSON {
        if reply["ok"]?.boolValue == true { return reply["result"] ?? .null }
        let code = reply["error"]?["code"]?.stringValue ?? "failed"
        let message = reply["error"]?["message"]?.stringValue ?? "the session refused the request"
        throw BTXError(exitCode: ExitCode(code: code), message: message)
    }

    private func readLine() throws -> [UInt8] {
        var scanned = 0
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            if let newline = buffer[scanned...].firstIndex(of: 0x0A) {
                let line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                return line
            }
            scanned = buffer.count
            let n = try receive(into: &chunk)
            buffer += chunk[..<n]
        }
    }

    /// Reads what has come into `chunk`, at least one byte; returns how many.
    private func receive(into chunk: inout [UInt8]) throws -> Int {
        let n = Syscall.retrying { chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) } }
        guard n > 0 else { throw BTXError(exitCode: .noSession, message: "the session did not answer") }
        return n
    }
}

extension ExitCode {
    /// The exit code for a JSON error code word (BTXError.code's inverse).
    public init(code: String) {
        switch code {
        case "usage", "bad_request": self = .usage
        case "not_found": self = .notFound
        case "no_session": self = .noSession
        default: self = .failure
        }
    }
}
