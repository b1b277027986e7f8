/// A position in a spec source: a YAML file, or one `--set` override.
///
/// Lines and columns are 1-based. For an override, `file` is `--set` and `line` is the
/// 1-based index of the override on the command line, so overrides sort after the file.
public struct SourceLocation: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// True for the synthetic location of a `--set` override.
    public var isOverride: Bool { file == SourceLocation.overrideFile }

    static let overrideFile = "--set"

    public var description: String {
        isOverride ? "--set #\(line):\(column)" : "\(file):\(line):\(column)"
    }

    /// File positions first (by line, column), then overrides in command-line order.
    public static func < (a: SourceLocation, b: SourceLocation) -> Bool {
        if a.isOverride != b.isOverride { return !a.isOverride }
        if a.file != b.file { return a.file < b.file }
        if a.line != b.line { return a.line < b.line }
        return a.column < b.column
    }
}

/// Where a resolved value came from.
public enum ValueOrigin: Hashable, Sendable, CustomStringConvertible {
    /// Written in the spec file at this location.
    case file(SourceLocation)
    /// Set on the command line; the payload is the override text, e.g. `train.lr=2e-3`.
    case override(String)
    /// Filled from the schema's default (the paper's value).
    case defaultValue

    /// `file:line`, `--set key=value`, or `default`.
    public var description: String {
        switch self {
        case .file(let loc): return "\(loc.file):\(loc.line)"
        case .override(let text): return "--set \(text)"
        case .defaultValue: return "default"
        }
    }
}
