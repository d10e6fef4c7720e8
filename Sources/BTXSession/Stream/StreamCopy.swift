import Glibc

/// Where a reader's `stream` requests go: the running session over its
/// control socket, or a session this process runs (btx cat). The copying is
/// the same either way.
public protocol StreamChannel {
    func ask(_ method: ControlMethod, _ params: [(String, JSON)]) throws -> JSON
    /// Lets a moment pass for more pieces to arrive (the in-process session
    /// works meanwhile); throws once the user interrupts.
    func pause() throws
}

/// The reader went away (`btx cat ... | head -c 1000`, a player that
/// closed its connection): the copy ends there, and that is no failure.
public struct ReaderGone: Error {
    public init() {}
}

/// Copies one file's bytes [start, end) to `output` as they are verified,
/// in order. Each round asks the session for the next part, which also
/// moves the deadlines to it, and writes what is readable from the file on disk.
public struct StreamCopy {
    public let torrent: String
    public let file: String?
    public let start: Int64
    /// Exclusive; nil for the end of the file.
    public let end: Int64?
    /// Download only the pieces of the range.
    public let narrow: Bool
    /// nil: the bytes are only waited for, not written (cat --json).
    public var output: Int32? = STDOUT_FILENO
    /// Called after each write that went through (serve: the client reads).
    public var wrote: (() -> Void)?

    public init(torrent: String, file: String?, start: Int64, end: Int64?, narrow: Bool) {
        self.torrent = torrent
        self.file = file
        self.start = start
        self.end = end
        self.narrow = narrow
    }

    /// The last `stream` answer: where the range is on disk.
    @discardableResult
    public func run(_ channel: StreamChannel) throws -> JSON {
        var offset = start
        var last = JSON.null
        var source: Int32 = -1
        defer { if source >= 0 { close(source) } }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            var params: [(String, JSON)] = [("torrent", .string(torrent)), ("offset", .int(offset)), ("range", .bool(narrow))]
            if let file { params.append(("file", .string(file))) }
            if let end { params.append(("end", .int(end))) }
            let reply = try channel.ask(.stream, params)
            last = reply
            if let error = reply["error"]?.stringValue {
                throw BTXError.failure("\(reply["name"]?.stringValue ?? torrent): \(error)")
            }
            guard reply["has_metadata"]?.boolValue == true, let path = reply["path"]?.stringValue,
                  let stop = reply["end"]?.intValue else {
                try channel.pause()
                continue
            }
            if offset >= stop { break }
            var available = reply["available"]?.intValue ?? 0
            if output == nil {
                offset += available
                if offset >= stop { break }
                try channel.pause()
                continue
            }
            if available > 0 && source < 0 {
                source = open(path, O_RDONLY | O_CLOEXEC)
                guard source >= 0 else { throw FileIO.error(path) }
            }
            while available > 0 {
                let n = Syscall.retrying {
                    buffer.withUnsafeMutableBytes { pread(source, $0.baseAddress, min($0.count, Int(available)), off_t(offset)) }
                }
                if n < 0 { throw FileIO.error(path) }
                // Verified but not on disk yet (libtorrent writes after the hash check passes): next round.
                if n == 0 { break }
                try writeAll(buffer, count: n)
                wrote?()
                offset += Int64(n)
                available -= Int64(n)
            }
            if offset >= stop { break }
            if available > 0 || reply["available"]?.intValue == 0 { try channel.pause() }
        }
        _ = try? channel.ask(.streamEnd, [])
        return last
    }

    private func writeAll(_ buffer: [UInt8], count: Int) throws {
        guard let failure = buffer.withUnsafeBytes({ Syscall.writeAll(output ?? STDOUT_FILENO, UnsafeRawBufferPointer(rebasing: $0[..<count])) })
        else { return }
        if failure == EPIPE || failure == ECONNRESET { throw ReaderGone() }
        throw BTXError.failure("cannot write to standard output: \(String(cString: strerror(failure)))")
    }
}

/// A running session: `stream` goes over the control socket.
public struct SocketChannel: StreamChannel {
    let client: ControlClient

    public init(client: ControlClient) { self.client = client }

    public func ask(_ method: ControlMethod, _ params: [(String, JSON)]) throws -> JSON { try client.call(method, params) }

    public func pause() throws {
        // Pieces arrive in the session's own time: a twentieth of a second
        // costs a 4 MiB piece at 80 MB/s nothing, and saves the session work.
        usleep(50_000)
        if interruptRequested() { throw interrupted() }
    }
}

/// A session of this process: between requests, the host runs.
public struct HostChannel: StreamChannel {
    let host: SessionHost

    public init(host: SessionHost) { self.host = host }

    public func ask(_ method: ControlMethod, _ params: [(String, JSON)]) throws -> JSON { try host.call(method, params) }

    public func pause() throws {
        switch try host.tick(wait: 0.05) {
        case .running, .finished: return
        case .interrupted: throw BTXError(exitCode: interruptExitCode(), message: "interrupted; resume data saved")
        case .stopped: throw BTXError.failure("the session was stopped ('btx daemon --stop') before the file was written")
        }
    }
}

private func interrupted() -> BTXError {
    BTXError(exitCode: interruptExitCode(), message: "interrupted; the session keeps the torrent")
}
