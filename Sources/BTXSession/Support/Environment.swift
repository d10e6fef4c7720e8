import Glibc

/// The process's environment variables, read once; tests pass their own.
public struct Environment {
    public let variables: [String: String]

    public subscript(name: String) -> String? { variables[name] }

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
