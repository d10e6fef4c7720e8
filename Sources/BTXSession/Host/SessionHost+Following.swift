import TorrentKit

/// The lookups of followed btpk links under way, apart from the control
/// socket's own DHT requests: their answers go to the torrents, not to a client.
final class FollowLookups {
    let requests: DHTRequests
    /// Each lookup's torrent, by the id it was asked under.
    var waiting: [UInt64: SessionHost.Tracked] = [:]
    var nextID: UInt64 = 1
    /// No followed torrent is due before this: the torrents are walked only then.
    var dueAt = 0.0

    init(requests: DHTRequests) {
        self.requests = requests
    }
}

/// Torrents added from a btpk link (BEP 46) follow it. A daemon looks the
/// link up every `followInterval` seconds (`trackers --reannounce` looks at
/// once); when the publisher has stored a newer version, that version is
/// added in the same save path, with the same settings and peers, so the
/// files it shares with this one are verified from disk, not downloaded.
/// The old version is paused meanwhile (the new one rewrites the files that
/// changed under it) and removed, its data kept, once the new one is complete.
extension SessionHost {
    /// Starts the lookups that are due, once every saved torrent is loaded
    /// (a version and the one it replaces are both needed), and retires
    /// the versions replaced by complete ones (a restart may come between).
    func lookUpFollowedLinks(now: Double) {
        guard policy.pollsOnlyChanges, !isLoadingSaved, now >= followLookups.dueAt else { return }
        var next = Double.infinity
        for entry in tracked where entry.follows != nil {
            if entry.follows?.replaces != nil, entry.lastStatus?.isComplete == true { retireReplaced(by: entry) }
            guard saveDHT, let at = entry.followCheckAt else { continue }
            if at <= now { lookUp(entry) } else { next = min(next, at) }
        }
        followLookups.dueAt = min(next, now + followInterval)
    }

    /// Looks its link up at the next tick (`trackers --reannounce`).
    func lookUpSoon(_ entry: Tracked) {
        guard entry.follows != nil, entry.followCheckAt != nil else { return }
        entry.followCheckAt = 0
        followLookups.dueAt = 0
    }

    private func lookUp(_ entry: Tracked) {
        guard let link = entry.follows?.parsed else {
            entry.followCheckAt = nil
            return reporter.warning(name: entry.name, infoHash: entry.stateKey, "the link it follows cannot be read", once: true)
        }
        let id = followLookups.nextID
        followLookups.nextID += 1
        do {
            try followLookups.requests.get(link.publicKey, salt: link.salt, timeout: 30, for: id)
            followLookups.waiting[id] = entry
            entry.followCheckAt = nil
        } catch {
            entry.followCheckAt = monotonicSeconds() + followInterval
        }
    }

    /// Acts on the lookups that are over.
    func takeFollowAnswers() {
        guard !followLookups.requests.isEmpty else { return }
        for (id, outcome) in followLookups.requests.finished() {
            guard let entry = followLookups.waiting.removeValue(forKey: id) else { continue }
            entry.followCheckAt = monotonicSeconds() + followInterval
            // Removed meanwhile, or already handed on to a newer version.
            guard registry[entry.torrent] === entry, let follows = entry.follows,
                  case .success(let item) = outcome, item.seq > follows.seq else { continue }
            let seq = item.seq
            do {
                try moveOn(entry, to: item, seq: seq)
            } catch let error as BTXError {
                reporter.warning(name: entry.name, infoHash: entry.stateKey, "its link's version \(seq): \(error.message)", once: false)
            } catch {
                reporter.warning(name: entry.name, infoHash: entry.stateKey, "its link's version \(seq): \(error)", once: false)
            }
        }
    }

    /// Adds the version `item` names beside `entry`, or notes the new
    /// sequence number when it is this very version published again.
    private func moveOn(_ entry: Tracked, to item: DHTItem, seq: Int64) throws {
        guard var follows = entry.follows, let link = follows.parsed else { return }
        var source = try AddSource.resolveMagnet(try link.versionMagnet(fromValue: item.value ?? []))
        let known = [entry.stateKey, entry.addedHashes.v1, entry.addedHashes.v2, entry.lastStatus?.infoHashV1,
                     entry.lastStatus?.infoHashV2].compactMap { $0 }
        if known.contains(source.info.infoHash) {
            follows.seq = seq
            follow(entry, follows)
            return
        }
        // The last complete version stays until the new one is complete; one
        // still downloading is dropped at once (its data kept: the new one
        // verifies what it shares).
        let complete = entry.lastStatus?.isComplete == true
        if complete { retireReplaced(by: entry) }
        source.follows = FollowedLink(link: follows.link, seq: seq, replaces: complete ? entry.stateKey : follows.replaces)
        var plan = AddPlan()
        plan.settings = entry.settings
        plan.peers = entry.peers
        plan.onComplete = entry.onComplete
        plan.paused = entry.savedPaused
        guard let at = entry.lastStatus?.savePath, !at.isEmpty else { return }
        // It downloads where this version's files are, so that those they
        // share are found there, and goes where this one was to go.
        plan.incompleteDir = at
        let added = try add(source, plan: plan, savePath: entry.destination ?? at, explicitSavePath: true)
        // Already there (added by hand): it follows from now on all the same.
        if added.follows != source.follows { follow(added, source.follows) }
        if complete && !entry.savedPaused {
            entry.savedPaused = true
            try? unqueue(entry)
            try? session.pause(entry.torrent)
            saveChange(entry)
        }
        // The new version follows the link from now on; this one waits to be retired.
        follow(entry, nil)
        note("new_version", [("link", .string(link.magnet)), ("seq", .int(seq)), ("version_info_hash", .string(added.stateKey))],
             entry: entry)
        if !complete { retire(entry, by: added) }
    }

    private func follow(_ entry: Tracked, _ follows: FollowedLink?) {
        entry.follows = follows
        keepChoice(entry) { $0.follows = follows }
    }

    /// The version a complete one took over from is removed, its data kept:
    /// the files they share are this one's now.
    func retireReplaced(by entry: Tracked) {
        guard var follows = entry.follows, let old = follows.replaces else { return }
        follows.replaces = nil
        follow(entry, follows)
        guard let replaced = registry.entry(hash: old) else { return }
        retire(replaced, by: entry)
    }

    private func retire(_ replaced: Tracked, by entry: Tracked) {
        guard replaced !== entry else { return }
        do {
            try session.remove(replaced.torrent, deleteFiles: false)
            note("removed", [("deleted_data", .bool(false))], entry: replaced)
            forget(replaced)
        } catch {
            reporter.warning(name: replaced.name, infoHash: replaced.stateKey, "could not be retired: \(error)", once: false)
        }
    }
}
