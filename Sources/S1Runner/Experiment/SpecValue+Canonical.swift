import S1Spec
import S1Store

extension SpecValue {
    /// The resolved value in the store's canonical form: the schema already decided int vs double.
    public var canonical: CanonicalValue {
        switch self {
        case .null: return .null
        case .bool(let value): return .bool(value)
        case .int(let value): return .int(Int64(value))
        case .double(let value): return .number(value)
        case .string(let value): return .string(value)
        case .list(let values): return .array(values.map(\.canonical))
        case .map(let fields): return .object(fields.mapValues(\.canonical))
        }
    }
}

extension ResolvedSpec {
    /// The canonical value at a key path, or null when the spec has nothing there.
    func canonical(at keyPath: String) -> CanonicalValue {
        value(at: keyPath)?.canonical ?? .null
    }
}
