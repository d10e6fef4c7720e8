import Glibc

/// The process's environment variables, read once; tests pass their own.
public struct Environment {
    public let variables: [String: String]

    /// An empty variable counts as unset, as the XDG spec says of its own:
    /// `BTX_STATE_DIR=` must not make the working directory the state.
    public subscript(name: String) -> String? { variables[name].flatMap { $0.isEmpty ? nil : $0 } }

    public static func current() -> Environment {
        var variables: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let eq = text.firstIndex(of: "=") {
                variables[String(text[..<eq])] = String(text[text.index(after: eq)...])
            }
            pointer += 1
        }
        return Environment(variables: variables)
    }
}
