import BTXSession

let dhtKeygenCommand = Command(
    name: "dht-keygen",
    usage: "dht-keygen [--key FILE] [--force]",
    summary: "make the ed25519 key for mutable DHT items and print its public key",
    details: "Writes the data directory's dht.key (or --key FILE) with mode 0600. An existing key is kept and its "
        + "public key printed (so running it again is how to see your public key); --force replaces it.",
    options: [
        OptionSpec(long: "key", argument: "FILE", summary: "write the key to FILE", completion: .file),
        OptionSpec(long: "force", short: "f", summary: "replace an existing key"),
    ],
    run: { invocation in
        try invocation.expectArguments(0, 0)
        let path = DHTKeyFile.path(invocation)
        let force = invocation.flag("force")
        let existed = !force && FileIO.exists(path)
        let key = existed ? try DHTKeyFile.load(path) : try DHTKeyFile.create(path, replace: force)
        if existed { invocation.output.warning("kept the existing key in \(path) (--force makes a new one)") }
        if invocation.output.json {
            invocation.output.document(.object([("public_key", .string(key.publicKey)), ("key_file", .string(path)),
                                                ("created", .bool(!existed))]))
        } else {
            invocation.output.line(key.publicKey)
        }
    }
)
