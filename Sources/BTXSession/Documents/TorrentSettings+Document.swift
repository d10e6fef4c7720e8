extension TorrentSettings {
    /// `settings` in a torrent document: what this run and its seeding goal apply.
    public var json: JSON {
        JSON { out in JSONWriter.writing(into: &out, bound: 1024) { write(&$0) } }
    }

    /// Its fields as `settings` shows them (the labels and name are the document's).
    func write(_ out: inout JSONWriter) {
        out.byte(UInt8(ascii: "{"))
        out.key("max_down", first: true); out.int(maxDown > 0 ? maxDown : nil)
        out.key("max_up"); out.int(maxUp > 0 ? maxUp : nil)
        out.key("max_peers"); out.int(maxPeers > 0 ? maxPeers : nil)
        out.key("max_uploads"); out.int(maxUploads > 0 ? maxUploads : nil)
        out.key("sequential"); out.bool(sequential)
        out.key("super_seed"); out.bool(superSeed)
        out.key("upload_only"); out.bool(uploadOnly)
        seeding.writeFields(&out, first: false)
        out.byte(UInt8(ascii: "}"))
    }

    static let documentKind = "settings document"

    public init(json: JSON) throws {
        var r = try DocumentReader(json, Self.documentKind)
        try self.init(reading: &r)
    }

    init(reading r: inout DocumentReader) throws {
        self.init()
        maxDown = try r.optionalInt("max_down") ?? 0
        maxUp = try r.optionalInt("max_up") ?? 0
        maxPeers = Int(try r.optionalInt("max_peers") ?? 0)
        maxUploads = Int(try r.optionalInt("max_uploads") ?? 0)
        sequential = try r.bool("sequential")
        superSeed = try r.bool("super_seed")
        uploadOnly = try r.bool("upload_only")
        // Absent from a daemon older than idle goals: none.
        seeding = SeedPolicy(seedForever: try r.bool("seed"), ratio: try r.optionalDouble("seed_ratio"),
                             seconds: try r.optionalInt("seed_time"), idleSeconds: try r.has("seed_idle") ? try r.optionalInt("seed_idle") : nil)
    }

    static let contract = JSONObject(name: "SETTINGS", fields: [
        JSONField("max_down", .nullable(.integer(.bytesPerSecond)), "this run's --max-down cap; null without one"),
        JSONField("max_up", .nullable(.integer(.bytesPerSecond)), "this run's --max-up cap; null without one"),
        JSONField("max_peers", .nullable(.integer(.count)), "btx set --max-peers; null for the session's limit"),
        JSONField("max_uploads", .nullable(.integer(.count)), "btx set --max-uploads; null without a limit"),
        JSONField("sequential", .boolean, "pieces are downloaded in order (add or set --sequential)"),
        JSONField("super_seed", .boolean, "super-seeding (set --super-seed)"),
        JSONField("upload_only", .boolean, "seeds what is there and downloads nothing (set --upload-only)"),
        JSONField("seed", .boolean, "keeps seeding once complete (--seed)"),
        JSONField("seed_ratio", .nullable(.number(.none)), "seeding goal: uploaded/size (--seed-ratio); null without one"),
        JSONField("seed_time", .nullable(.integer(.seconds)), "seeding goal: time seeded (--seed-time); null without one"),
        JSONField("seed_idle", .nullable(.integer(.seconds)), "seeding goal: time with nothing uploaded (--seed-idle); null without one"),
    ])
}
