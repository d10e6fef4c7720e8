let dhtKeygenCommand = Command(
    name: "dht-keygen",
    usage: "dht-keygen [--key FILE] [--force]",
    summary: "make the ed25519 key for mutable DHT items and print its public key",
    details: "Writes the data directory's dht.key (or --key FILE) with mode 0600. An existing key is kept unless --force.",
    options: [
        OptionSpec(long: "key", argument: "FILE", summary: "write the key to FILE", completion: .file),
        OptionSpec(long: "force", short: "f", summary: "replace an existing key"),
    ],
    run: { invocation in
        try invocation.expectArguments(0, 0)
        let path = DHTKeyFile.path(invocation)
        let key = try DHTKeyFile.create(path, replace: invocation.flag("force"))
        if invocation.output.json {
            invocation.output.document(.object([("public_key", .string(key.publicKey)), ("key_file", .string(path))]))
        } else {
            invocation.output.line(key.publicKey)
        }
    }
)
