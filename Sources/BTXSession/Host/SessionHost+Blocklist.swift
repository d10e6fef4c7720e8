import TorrentKit

/// The blocklist a session enforces, and the addresses it has kept out.
public struct SessionBlocklist {
    /// Where the list is read from, again on reload; nil when there is none.
    public var path: String?
    public var list: Blocklist?
    /// Every address refused this run, for any torrent or before one was named.
    public var blocked = Set<String>()
}

extension SessionHost {
    /// Puts the list in force, replacing the one before.
    @discardableResult
    public func enforce(_ list: Blocklist, from path: String) throws -> JSON {
        do {
            try session.setIPFilter(list.ranges)
        } catch let error as TorrentKitError {
            throw BTXError.failure("blocklist \(path): \(error.message)")
        }
        blocklist.path = path
        blocklist.list = list
        if let bad = list.badLinesText {
            reporter.warning(name: nil, infoHash: nil, "blocklist \(path): \(bad)")
        }
        if list.ranges.isEmpty { reporter.warning(name: nil, infoHash: nil, "blocklist \(path) blocks nothing") }
        let document = blocklistDocument(list, path: path)
        reporter.blocklist(document)
        note("blocklist", document.objectFields ?? [])
        return document
    }

    /// `blocklist_reload`: the list again, or the one at `path` from now on.
    public func reloadBlocklist(from path: String?) throws -> JSON {
        if let path, !path.hasPrefix("/") { throw BTXError.usage("blocklist_reload needs an absolute \"path\"") }
        guard let source = path ?? blocklist.path else {
            throw BTXError.notFound("the running session has no blocklist; name one: btx blocklist --reload FILE")
        }
        // A list that cannot be read throws here, and the one before stays in force.
        return try enforce(try Blocklist.load(source), from: source)
    }

    /// `blocklist`: what the session enforces now.
    public func currentBlocklist() throws -> JSON {
        guard let path = blocklist.path, let list = blocklist.list else {
            throw BTXError.notFound("the running session has no blocklist (start it with --blocklist FILE, or load one: btx blocklist --reload FILE)")
        }
        return blocklistDocument(list, path: path)
    }

    private func blocklistDocument(_ list: Blocklist, path: String) -> JSON {
        list.document(path: path, blockedPeers: blocklist.blocked.count)
    }

    public func noteBlocked(_ torrent: Torrent?, address: String) {
        blocklist.blocked.insert(address)
        if let torrent { entry(torrent)?.blockedPeers.insert(address) }
    }

    /// A daemon's SIGHUP: reload, and say how it went in the log.
    public func reloadOnHangup() {
        guard policy.reloadsOnHangup, takeHangup() else { return }
        do {
            _ = try reloadBlocklist(from: nil)
        } catch let error as BTXError {
            reporter.warning(name: nil, infoHash: nil, "SIGHUP: \(error.message); the list loaded before stays in force")
        } catch {
            reporter.warning(name: nil, infoHash: nil, "SIGHUP: \(error)")
        }
    }
}
