import TorrentKit

/// The session's events for `btx events` and --on-event hooks.
extension SessionHost {
    /// Notes one; readers waiting for news get it, and so do its hooks.
    func note(_ type: String, _ fields: [(String, JSON)], entry: Tracked? = nil) {
        let data: JSON = .object((entry.map { [("info_hash", .string($0.stateKey)), ("name", .string($0.name))] } ?? []) + fields)
        let event = events.append(type, data)
        deliverEvents()
        for hook in eventHooks where hook.types.contains(type) {
            do {
                try hooks.start(hook.command, document: event.json, infoHash: entry?.stateKey ?? "", name: entry?.name ?? "",
                                savePath: entry?.lastStatus?.savePath ?? "")
            } catch {
                reporter.warning(name: nil, infoHash: nil, "on-event hook for \(type): \(error)", once: false)
            }
        }
    }

    /// `events`: what came after `since` (none: only what comes from now),
    /// at once when there is some, else when some comes or `wait` seconds pass.
    func events(_ params: JSON, client: UInt64) -> JSON? {
        let since = params["since"]?.intValue ?? events.lastID
        let wait = min(max(params["wait"]?.doubleValue ?? 0, 0), 60)
        let (found, _) = events.after(since)
        if found.isEmpty && wait > 0 {
            eventWaiters.append((client, since, monotonicSeconds() + wait))
            return nil
        }
        return ControlServer.result(eventsReply(since))
    }

    private func eventsReply(_ since: Int64) -> JSON {
        let (found, missed) = events.after(since)
        return .object([("events", .array(found.map(\.json))), ("missed", .bool(missed)),
                        ("next", .int(found.last?.id ?? max(since, events.lastID)))])
    }

    /// Answers the readers that have news, or whose wait is over.
    func deliverEvents() {
        guard !eventWaiters.isEmpty else { return }
        let now = monotonicSeconds()
        eventWaiters.removeAll { waiter in
            guard !events.after(waiter.since).events.isEmpty || now >= waiter.deadline else { return false }
            deliver(ControlServer.result(eventsReply(waiter.since)), to: waiter.client)
            return true
        }
    }
}

/// --on-event "LIST CMD": CMD for the event types in LIST (comma-separated, or "all").
public struct EventHook: Equatable {
    public let types: Set<String>
    public let command: String

    public init(_ text: String) throws {
        let parts = text.split(separator: " ", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[1].trimmingSpaces.isEmpty else {
            throw BTXError.usage("--on-event: '\(text)' is not \"TYPES COMMAND\" (TYPES: all, or some of "
                                 + EventLog.types.joined(separator: ",") + ")", command: "daemon")
        }
        let types = parts[0] == "all" ? EventLog.types : parts[0].split(separator: ",").map(String.init)
        for type in types where !EventLog.types.contains(type) {
            throw BTXError.usage("--on-event: '\(type)' is not an event (\(EventLog.types.joined(separator: ", ")))", command: "daemon")
        }
        self.types = Set(types)
        command = parts[1]
    }
}
