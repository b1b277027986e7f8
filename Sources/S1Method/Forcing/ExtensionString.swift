// The extension strings compared in the paper's ablation (docs/METHOD.md §3/§6); any other string is allowed too.

/// Named extension strings appended when an end of thinking is ignored.
public enum ExtensionString: String, Codable, Sendable, CaseIterable {
    /// Drop the delimiter and append nothing.
    case noString = ""
    case hmm = "Hmm"
    case alternatively = "Alternatively"
    case wait = "Wait"

    /// Parses the name used in experiment files ("none", "Hmm", "Alternatively", "Wait"); other text is taken
    /// literally by the caller.
    public static func named(_ name: String) -> ExtensionString? {
        if name.lowercased() == "none" { return .noString }
        return allCases.first { $0.rawValue.lowercased() == name.lowercased() && !$0.rawValue.isEmpty }
    }
}
