import BTXSession
import TorrentKit

/// What the daemon was started with, as session-get reports it: the
/// settings a front-end shows and that stay as they are while it runs.
public struct SessionFacts {
    public var version: String
    /// Where an add that names no folder downloads (config `output`, else
    /// the daemon's working directory).
    public var downloadDir: String
    public var configDir: String
    public var configuration: SessionConfiguration
    public var queue: QueueLimits?
    public var blocklist: String?
    /// The daemon's --on-complete command.
    public var onComplete: String?
    /// The config's seeding goal for an add that gives none.
    public var seedGoal = SeedPolicy()
    /// The config's `category` lines: qBittorrent categories and their save paths.
    public var categories: [(name: String, savePath: String?)] = []
    /// Where new torrents download until complete (--incomplete-dir).
    public var incompleteDir: String?
    /// The config's alt-schedule.
    public var altSchedule: AltSchedule?

    public init(version: String, downloadDir: String, configDir: String, configuration: SessionConfiguration,
                queue: QueueLimits?, blocklist: String?, onComplete: String?) {
        self.version = version
        self.downloadDir = downloadDir
        self.configDir = configDir
        self.configuration = configuration
        self.queue = queue
        self.blocklist = blocklist
        self.onComplete = onComplete
    }
}
