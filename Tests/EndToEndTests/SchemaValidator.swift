import Foundation
import XCTest

/// Holds every JSON line a `btx ... --json` run prints to the schemas in
/// docs/json: spawn() and RunningProcess hand each run's stdout here, so
/// every end-to-end test checks the JSON contract as a side effect. One
/// python3-jsonschema process (Debian's python3) serves the whole test run.
final class SchemaValidator: @unchecked Sendable {
    static let shared = SchemaValidator()

    static let schemaDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/json").path

    private let lock = NSLock()
    private var child: Child?
    private var pending = Data()
    private var startError: String?
    /// Schema names that have validated a document in this test process.
    private(set) var covered = Set<String>()

    private static let script = """
        import glob, json, os, sys
        try:
            from jsonschema import Draft202012Validator
        except ImportError:
            print("python3-jsonschema is missing: run 'make deps'", flush=True)
            sys.exit(1)
        validators = {}
        for path in glob.glob(os.path.join(sys.argv[1], "*.schema.json")):
            with open(path) as f:
                schema = json.load(f)
            Draft202012Validator.check_schema(schema)
            validators[os.path.basename(path)[:-len(".schema.json")]] = Draft202012Validator(schema)
        print("ready", flush=True)
        for line in sys.stdin:
            name, _, text = line.rstrip("\\n").partition("\\t")
            validator = validators.get(name)
            if validator is None:
                print("no schema docs/json/%s.schema.json" % name, flush=True)
                continue
            try:
                document = json.loads(text)
            except ValueError as error:
                print("not JSON (%s)" % error, flush=True)
                continue
            errors = sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
            if errors:
                where = "/".join(map(str, errors[0].absolute_path)) or "the top"
                print("at %s: %s" % (where, errors[0].message.replace("\\n", " ")[:400]), flush=True)
            else:
                print("ok", flush=True)
        """

    /// The problems with a finished run's stdout (complete lines only: a
    /// killed process may leave half of one), each naming the line.
    func problems(arguments: [String], stdout: String) -> [String] {
        guard arguments.contains("--json") else { return [] }
        var lines = stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.removeLast()  // after the last newline: empty, or a line cut short
        return lines.compactMap { line in
            let schema = SchemaValidator.schema(for: arguments, line: line)
            guard let verdict = validate(schema, line) else { return nil }
            return "btx \(arguments.joined(separator: " ")): \(schema): \(verdict)\n  \(line.prefix(600))"
        }
    }

    /// Fails the running test for each problem.
    func check(arguments: [String], stdout: String, file: StaticString = #filePath, line: UInt = #line) {
        for problem in problems(arguments: arguments, stdout: stdout) { XCTFail(problem, file: file, line: line) }
    }

    /// Which schema a line of `btx ARGUMENTS` answers to.
    static func schema(for arguments: [String], line: String) -> String {
        if line.hasPrefix("{\"error\":") { return "error" }
        let command = commandName(arguments)
        let streams = command == "add" || (command == "daemon" && arguments.contains("--foreground"))
        if streams {
            let type = line.split(separator: "\"", maxSplits: 5).dropFirst(3).first.map(String.init) ?? "?"
            return line.hasPrefix("{\"type\":\"") ? "event-" + type : "event-?"
        }
        if command == "daemon" && arguments.contains("--stop") { return "daemon-stop" }
        if command == "verify" && positionalCount(arguments) == 3 { return "verify-content" }
        if command == "queue" && positionalCount(arguments) == 1 { return "queue-list" }
        if command == "set" && arguments.contains("--alt") { return "set-alt" }
        if command == "events", let start = line.range(of: "\"type\":\""),
           let end = line[start.upperBound...].firstIndex(of: "\"") {
            return "events-" + line[start.upperBound..<end]
        }
        return command
    }

    /// The first argument that is not a global option or its value.
    static func commandName(_ arguments: [String]) -> String {
        var index = 0
        while index < arguments.count, arguments[index].hasPrefix("-") {
            index += ["--state-dir", "--color"].contains(arguments[index]) ? 2 : 1
        }
        return index < arguments.count ? arguments[index] : "help"
    }

    /// The command and its arguments, options and their values left out
    /// (verify's only option-taking ones are global).
    static func positionalCount(_ arguments: [String]) -> Int {
        var count = 0, index = 0
        while index < arguments.count {
            if arguments[index].hasPrefix("-") && arguments[index] != "-" {
                index += ["--state-dir", "--color"].contains(arguments[index]) ? 2 : 1
            } else {
                count += 1
                index += 1
            }
        }
        return count
    }

    /// nil when the line is valid.
    private func validate(_ schema: String, _ line: String) -> String? {
        lock.lock()
        defer { lock.unlock() }
        if child == nil && startError == nil { start() }
        if let startError { return startError }
        guard let child else { return "no validator" }
        do {
            try child.input.write(contentsOf: Data((schema + "\t" + line + "\n").utf8))
            let verdict = try readLine(child)
            if verdict == "ok" { covered.insert(schema); return nil }
            return verdict
        } catch {
            startError = "the schema validator stopped: \(error)"
            return startError
        }
    }

    private func start() {
        do {
            let validator = try Child("/usr/bin/python3", ["-c", SchemaValidator.script, SchemaValidator.schemaDirectory])
            let greeting = try readLine(validator)
            guard greeting == "ready" else {
                startError = greeting.isEmpty ? "the schema validator did not start" : greeting
                return
            }
            child = validator
        } catch {
            startError = "cannot start the schema validator: \(error)"
        }
    }

    private func readLine(_ child: Child) throws -> String {
        while true {
            if let newline = pending.firstIndex(of: 0x0A) {
                let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                pending = Data(pending[(newline + 1)...])
                return line
            }
            let chunk = child.output.availableData
            if chunk.isEmpty { throw TestFailure("the validator closed its output") }
            pending.append(chunk)
        }
    }
}
