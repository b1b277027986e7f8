/// One problem found in a spec: where, at which key, what was expected, what was found, what to do.
public struct SpecDiagnostic: Hashable, Sendable, CustomStringConvertible {
    public let location: SourceLocation
    /// Dotted key path with list indices, e.g. `evaluate.sweeps[1].forcing`; empty for the document root.
    public let keyPath: String
    public let expected: String
    public let found: String
    /// What to do about it; empty when there is nothing more useful to say.
    public let hint: String

    public init(location: SourceLocation, keyPath: String, expected: String, found: String, hint: String = "") {
        self.location = location
        self.keyPath = keyPath
        self.expected = expected
        self.found = found
        self.hint = hint
    }

    /// The same problem, found while resolving the variant `name`: the key path says which variant.
    func inVariant(_ name: String) -> SpecDiagnostic {
        SpecDiagnostic(location: location, keyPath: "variant '\(name)': " + (keyPath.isEmpty ? "(document)" : keyPath),
                       expected: expected, found: found, hint: hint)
    }

    public var description: String {
        let key = keyPath.isEmpty ? "(document)" : keyPath
        var text = "\(location): \(key): expected \(expected), found \(found)"
        if !hint.isEmpty { text += "; hint: \(hint)" }
        return text
    }
}

/// All the problems of one spec, sorted by position; thrown by `SpecLoader`.
public struct SpecErrors: Error, CustomStringConvertible {
    public let diagnostics: [SpecDiagnostic]

    public init(diagnostics: [SpecDiagnostic]) {
        self.diagnostics = SpecErrors.sorted(diagnostics)
    }

    static func sorted(_ list: [SpecDiagnostic]) -> [SpecDiagnostic] {
        // Stable on equal positions: keep discovery order, which is document order.
        list.enumerated().sorted { a, b in
            if a.element.location != b.element.location { return a.element.location < b.element.location }
            return a.offset < b.offset
        }.map(\.element)
    }

    public var description: String {
        let count = diagnostics.count
        let head = "\(count) error\(count == 1 ? "" : "s") in spec"
        return ([head] + diagnostics.map { "  " + $0.description }).joined(separator: "\n")
    }
}
