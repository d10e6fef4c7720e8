import BTXRPC
import BTXSession
import Glibc

/// The commands that work against a daemon elsewhere (--remote).
let remoteCommands: Set<String> = ["status", "add", "pause", "resume", "verify", "remove", "files", "trackers", "set", "move",
                                   "queue", "peers"]

/// The session a command talks to: the daemon at --remote (BTX_REMOTE),
/// else the one running on this machine for `directory`, else nil.
func connectSession(_ invocation: Invocation, _ directory: StateDirectory) throws -> SessionChannel? {
    if let url = invocation.remote { return try TransmissionRemote(url: url, credentials: invocation.remoteCredentials) }
    return try ControlClient.connect(directory)
}

/// BTX_REMOTE_AUTH ("user:password"), or the first line of the file
/// BTX_REMOTE_AUTH_FILE names, which must not be readable by others.
func readRemoteCredentials(_ environment: Environment) throws -> String? {
    if let text = environment["BTX_REMOTE_AUTH"] { return text }
    guard let path = environment["BTX_REMOTE_AUTH_FILE"] else { return nil }
    var st = stat()
    guard stat(path, &st) == 0 else { throw FileIO.error(path) }
    guard st.st_mode & 0o077 == 0 else {
        throw BTXError.failure("\(path) holds a password and others can read it; chmod 600 \(path)")
    }
    guard let bytes = try FileIO.readStateFile(path, limit: 64 << 10) else { throw FileIO.error(path) }
    let line = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
    guard line.contains(":") else { throw BTXError.failure("\(path) must hold USER:PASSWORD on its first line") }
    return line
}
