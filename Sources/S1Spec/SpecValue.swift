/// A resolved spec value: the typed tree after decoding, defaults and overrides.
public indirect enum SpecValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([SpecValue])
    case map([String: SpecValue])

    public subscript(key: String) -> SpecValue? {
        if case .map(let m) = self { return m[key] }
        return nil
    }

    public var intValue: Int? { if case .int(let v) = self { return v }; return nil }
    public var doubleValue: Double? {
        switch self {
        case .double(let v): return v
        case .int(let v): return Double(v)
        default: return nil
        }
    }
    public var stringValue: String? { if case .string(let v) = self { return v }; return nil }
    public var boolValue: Bool? { if case .bool(let v) = self { return v }; return nil }
    public var listValue: [SpecValue]? { if case .list(let v) = self { return v }; return nil }
    public var mapValue: [String: SpecValue]? { if case .map(let v) = self { return v }; return nil }

    /// Follows a key path such as `evaluate.sweeps[1].forcing`; nil when any step is missing.
    public func value(at keyPath: String) -> SpecValue? {
        guard let segments = KeyPathSegment.parse(keyPath) else { return nil }
        var current = self
        for segment in segments {
            switch (segment, current) {
            case (.key(let k), .map(let m)):
                guard let next = m[k] else { return nil }
                current = next
            case (.index(let i), .list(let l)):
                guard i >= 0, i < l.count else { return nil }
                current = l[i]
            default:
                return nil
            }
        }
        return current
    }
}

/// One step of a key path: a mapping key or a list index.
enum KeyPathSegment: Hashable {
    case key(String)
    case index(Int)

    /// Parses `a.b[2].c`; nil when malformed (empty key, bad index). The empty path is the root.
    static func parse(_ path: String) -> [KeyPathSegment]? {
        if path.isEmpty { return [] }
        var result: [KeyPathSegment] = []
        var chars = Substring(path)
        var expectKey = true
        while !chars.isEmpty {
            if chars.first == "[" {
                guard let close = chars.firstIndex(of: "]") else { return nil }
                let digits = chars[chars.index(after: chars.startIndex)..<close]
                guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let i = Int(digits), i >= 0 else { return nil }
                result.append(.index(i))
                chars = chars[chars.index(after: close)...]
                expectKey = false
            } else if chars.first == "." {
                guard !result.isEmpty, !expectKey else { return nil }
                chars = chars.dropFirst()
                expectKey = true
                if chars.isEmpty { return nil }
            } else {
                guard expectKey else { return nil }
                let end = chars.firstIndex { $0 == "." || $0 == "[" } ?? chars.endIndex
                let key = chars[..<end]
                guard !key.isEmpty else { return nil }
                result.append(.key(String(key)))
                chars = chars[end...]
                expectKey = false
            }
        }
        return result
    }

    static func join(_ base: String, _ key: String) -> String { base.isEmpty ? key : base + "." + key }
    static func join(_ base: String, index: Int) -> String { base + "[\(index)]" }
}
