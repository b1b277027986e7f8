/// A YAML node that remembers where it was written (or that it came from an override or a default).
public struct YAMLNode: Sendable {
    public enum Content: Sendable {
        /// `plain` is false for quoted and block scalars, which are always strings.
        case scalar(String, plain: Bool)
        case sequence([YAMLNode])
        /// Keys in document order; duplicates are reported by the parser and dropped.
        case mapping([(key: String, keyLocation: SourceLocation, value: YAMLNode)])
    }

    public var content: Content
    public var location: SourceLocation
    public var origin: ValueOrigin
    /// The explicit tag, resolved (e.g. `tag:yaml.org,2002:str`), or nil.
    public var tag: String?

    /// Tag of a placeholder for a node whose problem was already reported (e.g. an undefined alias).
    static let reportedTag = "!<s1:already-reported>"

    public init(content: Content, location: SourceLocation, origin: ValueOrigin, tag: String? = nil) {
        self.content = content
        self.location = location
        self.origin = origin
        self.tag = tag
    }

    /// A short description of what this node is, for "found …" in diagnostics.
    var foundDescription: String {
        switch content {
        case .scalar(let text, let plain):
            switch ScalarResolver.resolve(text, plain: plain, tag: tag) {
            case .null: return "null"
            case .bool(let b): return "boolean \(b)"
            case .int(let i): return "integer \(i)"
            case .double(let d): return "number \(d)"
            default: return "string \"\(text)\""
            }
        case .sequence(let items): return "a list of \(items.count) item\(items.count == 1 ? "" : "s")"
        case .mapping: return "a mapping"
        }
    }
}

/// YAML 1.2 core-schema resolution of scalars: plain `1` is an int, `"1"` a string.
enum ScalarResolver {
    static let strTag = "tag:yaml.org,2002:str"

    static func resolve(_ text: String, plain: Bool, tag: String?) -> SpecValue {
        if tag == strTag || (!plain && tag == nil) { return .string(text) }
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .double(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .double(-.infinity)
        case ".nan", ".NaN", ".NAN": return .double(.nan)
        default: break
        }
        if let i = integer(text) { return .int(i) }
        if isFloatSyntax(text), let d = Double(text) { return .double(d) }
        return .string(text)
    }

    private static func integer(_ text: String) -> Int? {
        if text.hasPrefix("0x") { return Int(text.dropFirst(2), radix: 16) }
        if text.hasPrefix("0o") { return Int(text.dropFirst(2), radix: 8) }
        var body = Substring(text)
        if body.first == "-" || body.first == "+" { body = body.dropFirst() }
        guard !body.isEmpty, body.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }

    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, checked by hand so `Double("0x1p3")` etc. stay strings.
    private static func isFloatSyntax(_ text: String) -> Bool {
        var s = Substring(text)
        if s.first == "-" || s.first == "+" { s = s.dropFirst() }
        var digits = 0
        while let c = s.first, c.isASCII, c.isNumber { digits += 1; s = s.dropFirst() }
        if s.first == "." {
            s = s.dropFirst()
            while let c = s.first, c.isASCII, c.isNumber { digits += 1; s = s.dropFirst() }
        }
        guard digits > 0 else { return false }
        if s.first == "e" || s.first == "E" {
            s = s.dropFirst()
            if s.first == "-" || s.first == "+" { s = s.dropFirst() }
            var exp = 0
            while let c = s.first, c.isASCII, c.isNumber { exp += 1; s = s.dropFirst() }
            guard exp > 0 else { return false }
        }
        return s.isEmpty
    }
}
