import BTXSession
import Glibc

/// The man page, the shell completions and the JSON Schemas, generated from
/// the command table and the JSON contract so they can never disagree with
/// `btx help` or with each other. `make docs` writes them to man/,
/// completions/ and docs/json/; a test checks the committed copies are current.
enum Docs {
    static var commandNames: String { commands.map(\.name).joined(separator: " ") }

    static func option(_ o: OptionSpec) -> String {
        var names = o.short.map { "\\fB\\-\($0)\\fR, " } ?? ""
        names += "\\fB\\-\\-\(roff(o.long))\\fR"
        if let a = o.argument { names += " \\fI\(a)\\fR" }
        return ".TP\n\(names)\n\(roff(o.summary))\(o.repeatable ? " (repeatable)" : "").\n"
    }

    static func roff(_ s: String) -> String {
        var out = s.replacingAll("\\", with: "\\e").replacingAll("-", with: "\\-")
        if out.hasPrefix(".") || out.hasPrefix("'") { out = "\\&" + out }
        return out
    }

    static var files: [(String, () -> String)] {
        [("man/btx.1", { manPage }),
         ("completions/btx.bash", { bash }),
         ("completions/_btx", { zsh }),
         ("completions/btx.fish", { fish })]
            + JSONContracts.all.map { document in ("docs/json/\(document.id).schema.json", { document.schema.pretty() + "\n" }) }
    }
}

func writeDocs(to root: String) throws {
    for (path, render) in Docs.files {
        let full = absolutePath(root) + "/" + path
        try makeDirectories(String(full[..<full.lastIndex(of: "/")!]), mode: 0o755)
        try FileIO.writeAtomically(Array(render().utf8), to: full, replace: true)
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound] + replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
