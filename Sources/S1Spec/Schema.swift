/// The declarative schema vocabulary: one table of fields drives decoding, defaults, range checks,
/// did-you-mean, override typing, `explain()` and the field reference in `experiments/README.md`.
public indirect enum SchemaType: Sendable {
    case bool
    case int(IntRange)
    case double(NumberRange)
    /// A non-empty string.
    case string
    /// A name other parts of the spec can refer to: letters, digits, `.`, `_`, `-`.
    case name
    /// A file or folder path, kept exactly as written (relative paths resolve against the spec's folder).
    case path
    case choice([String])
    case list(SchemaType, ListRule)
    case record(SchemaRecord)
    /// One of several shapes, chosen by what is written (e.g. `vocab: bytes` or `vocab: 256`).
    case either([SchemaType])

    /// "an integer ≥ 1", "one of cpu, cuda, torch", …: the "expected" of a diagnostic.
    public var expectation: String {
        switch self {
        case .bool: return "true or false"
        case .int(let r): return "an integer" + r.suffix
        case .double(let r): return "a number" + r.suffix
        case .string: return "a non-empty string"
        case .name: return "a name (letters, digits, '.', '_', '-')"
        case .path: return "a path"
        case .choice(let options): return "one of " + options.joined(separator: ", ")
        case .list(let item, let rule):
            var text = rule.nonEmpty ? "a non-empty list of " : "a list of "
            text += item.pluralNoun
            if rule.increasing { text += ", strictly increasing" } else if rule.unique { text += ", without repeats" }
            return text
        case .record: return "a mapping"
        case .either(let options): return options.map(\.expectation).joined(separator: ", or ")
        }
    }

    var pluralNoun: String {
        switch self {
        case .bool: return "booleans"
        case .int(let r): return "integers" + r.suffix
        case .double(let r): return "numbers" + r.suffix
        case .string: return "strings"
        case .name: return "names"
        case .path: return "paths"
        case .choice(let options): return "values from " + options.joined(separator: ", ")
        case .list: return "lists"
        case .record: return "mappings"
        case .either: return "values (" + expectation + ")"
        }
    }
}

/// Inclusive integer bounds.
public struct IntRange: Sendable {
    public var min: Int?
    public var max: Int?
    public static let any = IntRange(min: nil, max: nil)
    public static func atLeast(_ v: Int) -> IntRange { IntRange(min: v, max: nil) }

    func contains(_ v: Int) -> Bool { (min.map { v >= $0 } ?? true) && (max.map { v <= $0 } ?? true) }
    var suffix: String {
        switch (min, max) {
        case (nil, nil): return ""
        case (let lo?, nil): return " ≥ \(lo)"
        case (nil, let hi?): return " ≤ \(hi)"
        case (let lo?, let hi?): return " in [\(lo), \(hi)]"
        }
    }
}

/// Bounds of a floating-point field; NaN and infinities are always rejected.
public struct NumberRange: Sendable {
    public var min: Double?
    public var minInclusive: Bool
    public var max: Double?
    public var maxInclusive: Bool

    public static let any = NumberRange(min: nil, minInclusive: true, max: nil, maxInclusive: true)
    public static let positive = NumberRange(min: 0, minInclusive: false, max: nil, maxInclusive: true)
    public static let nonNegative = NumberRange(min: 0, minInclusive: true, max: nil, maxInclusive: true)
    public static let unitClosed = NumberRange(min: 0, minInclusive: true, max: 1, maxInclusive: true)
    /// [0, 1): Adam betas, where 1 would never forget.
    public static let unitHalfOpen = NumberRange(min: 0, minInclusive: true, max: 1, maxInclusive: false)

    func contains(_ v: Double) -> Bool {
        guard v.isFinite else { return false }
        if let lo = min, minInclusive ? v < lo : v <= lo { return false }
        if let hi = max, maxInclusive ? v > hi : v >= hi { return false }
        return true
    }
    private func text(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : "\(v)"
    }
    var suffix: String {
        switch (min, max) {
        case (nil, nil): return ""
        case (let lo?, nil): return (minInclusive ? " ≥ " : " > ") + text(lo)
        case (nil, let hi?): return (maxInclusive ? " ≤ " : " < ") + text(hi)
        case (let lo?, let hi?): return " in " + (minInclusive ? "[" : "(") + text(lo) + ", " + text(hi) + (maxInclusive ? "]" : ")")
        }
    }
}

/// Constraints on the items of a list.
public struct ListRule: Sendable {
    public var nonEmpty = false
    /// Sorted ascending without repeats (sweep points).
    public var increasing = false
    /// No value twice.
    public var unique = false
    /// A single scalar written where the list is expected means a one-item list (`extension: Wait`).
    public var scalarShorthand = false

    public init(nonEmpty: Bool = false, increasing: Bool = false, unique: Bool = false, scalarShorthand: Bool = false) {
        self.nonEmpty = nonEmpty
        self.increasing = increasing
        self.unique = unique
        self.scalarShorthand = scalarShorthand
    }
    public static let points = ListRule(nonEmpty: true, increasing: true)
}

/// Whether a field must be written, may be left out, or takes a default.
public enum FieldPresence: Sendable {
    case required
    case optional
    /// The default, as a value of the field's type. For a record, `.map([:])` fills the record's own defaults.
    case defaulted(SpecValue)
}

/// One key of a mapping.
public struct SchemaField: Sendable {
    public let name: String
    public let type: SchemaType
    public let presence: FieldPresence
    /// One line for `experiments/README.md` and hints.
    public let doc: String
    /// The field is only meaningful when this sibling key is present (e.g. synthetic-pool knobs need `tasks`).
    public let onlyWith: String?

    public init(_ name: String, _ type: SchemaType, _ presence: FieldPresence, _ doc: String, onlyWith: String? = nil) {
        self.name = name
        self.type = type
        self.presence = presence
        self.doc = doc
        self.onlyWith = onlyWith
    }
}

/// A rule relating sibling keys of one mapping.
public enum RecordConstraint: Sendable {
    case exactlyOne([String])
    case atLeastOne([String])
    case atMostOne([String])
    /// Numeric `a ≤ b` when both are present.
    case lessOrEqual(String, String)
    /// Integer `b` is a multiple of integer `a` when both are present.
    case divides(String, String)
}

/// A mapping with a fixed set of keys.
public struct SchemaRecord: Sendable {
    public let fields: [SchemaField]
    public let constraints: [RecordConstraint]
    /// A scalar written where this mapping is expected means `{shorthandKey: scalar}` (`template: qwen2.5`).
    public let shorthandKey: String?

    public init(_ fields: [SchemaField], constraints: [RecordConstraint] = [], shorthandKey: String? = nil) {
        self.fields = fields
        self.constraints = constraints
        self.shorthandKey = shorthandKey
    }

    public func field(_ name: String) -> SchemaField? { fields.first { $0.name == name } }
}
