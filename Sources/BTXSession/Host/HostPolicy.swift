/// How a session runs, decided once from what runs it, so that the host
/// asks what to do rather than who it is.
struct HostPolicy {
    /// A session of its own: it answers a control socket and tidies the
    /// state directory (writes a killed session abandoned). Offline, a
    /// command borrows saved torrents and replies go back to it.
    let listens: Bool
    /// Ends once every torrent is done (a foreground add).
    let endsWhenDone: Bool
    /// Torrents run paused and only their saved state changes (offline):
    /// nothing is announced, and their resume data keeps their own paused flag.
    let runsPaused: Bool
    /// A torrent given to it is saved at once: killed before its first
    /// periodic save, a daemon would forget it. A foreground add, which is
    /// run again with its source, saves once the files are checked: resume
    /// data saved before would make the restart trust "no pieces" and fetch
    /// again what is already on disk.
    let savesOnAdd: Bool
    /// Pauses a torrent that met its seeding goal (a daemon keeps it; a
    /// foreground add lets it go).
    let pausesAtSeedingGoal: Bool
    /// Statuses polled this often (a foreground add shows progress).
    let statusInterval: Double
    /// A daemon shows no progress: it takes libtorrent's updates of the
    /// torrents that changed, not a status of every torrent.
    let pollsOnlyChanges: Bool
    /// SIGHUP reloads its blocklist.
    let reloadsOnHangup: Bool

    init(_ mode: SessionHost.Mode) {
        listens = mode != .offline
        endsWhenDone = mode == .foreground
        runsPaused = mode == .offline
        savesOnAdd = mode == .daemon
        pausesAtSeedingGoal = mode == .daemon
        statusInterval = mode == .daemon ? 1 : 0.25
        pollsOnlyChanges = mode == .daemon
        reloadsOnHangup = mode == .daemon
    }
}
