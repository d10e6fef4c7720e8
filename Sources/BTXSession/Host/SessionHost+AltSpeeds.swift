import Glibc

/// Turtle mode in the session: the caps in force are the alternate ones
/// while it is on (AltSpeeds), the session's own otherwise.
extension SessionHost {
    /// The caps libtorrent has now.
    var effectiveRates: (down: Int64, up: Int64) {
        guard altOn, let alt = altSpeeds else { return sessionRates }
        return (alt.down, alt.up)
    }

    /// Turns turtle mode on or off (a hand's choice, or the schedule's).
    func setAlt(_ on: Bool) throws {
        guard on != altOn else { return }
        guard altSpeeds != nil || !on else {
            throw BTXError.usage("no alternate speeds: set alt-max-down or alt-max-up in the config")
        }
        altOn = on
        try applyRates()
    }

    func applyRates() throws {
        let (down, up) = effectiveRates
        try session.apply(.rates(download: down, upload: up))
    }

    /// Follows the schedule: when it changes its mind, turtle mode does,
    /// whatever a hand chose before (and a hand's choice lasts till then).
    func followAltSchedule() {
        guard let schedule = altSpeeds?.schedule else { return }
        let scheduled = schedule.isOn(at: Int(time(nil)))
        guard scheduled != lastScheduledAlt else { return }
        lastScheduledAlt = scheduled
        do {
            try setAlt(scheduled)
        } catch {
            reporter.warning(name: nil, infoHash: nil, "alternate speeds: \(error)", once: true)
        }
    }

    /// What ping and the RPCs show of it.
    var altJSON: [(String, JSON)] {
        [("alt", .bool(altOn)), ("alt_max_down", altSpeeds.map { .int($0.down) } ?? .null),
         ("alt_max_up", altSpeeds.map { .int($0.up) } ?? .null), ("alt_scheduled", .bool(altSpeeds?.schedule != nil))]
    }
}
