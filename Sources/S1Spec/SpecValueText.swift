/// Deterministic text forms of spec values: shortest round-trip floats, sorted keys, YAML that reloads to the same tree.
extension SpecValue {
    /// Shortest round-trip text that YAML resolves back to a float (`1e-05`, `0.05`, `1.0`, `.inf`).
    static func formatDouble(_ d: Double) -> String {
        if d.isNaN { return ".nan" }
        if d.isInfinite { return d > 0 ? ".inf" : "-.inf" }
        return "\(d)"
    }

    /// A scalar as YAML text; strings are quoted whenever plain text would resolve to something else.
    static func scalarText(_ v: SpecValue) -> String {
        switch v {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return "\(i)"
        case .double(let d): return formatDouble(d)
        case .string(let s): return quoteIfNeeded(s)
        case .list, .map: return v.flowText
        }
    }

    static func quoteIfNeeded(_ s: String) -> String {
        let safe = !s.isEmpty
            && ScalarResolver.resolve(s, plain: true, tag: nil) == .string(s)
            && s.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-/".unicodeScalars.contains($0)) }
            && !s.hasPrefix("-") && !s.hasPrefix(".")
        return safe ? s : doubleQuoted(s)
    }

    static func doubleQuoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if u.value < 0x20 || u.value == 0x7F {
                    let hex = String(u.value, radix: 16, uppercase: true)
                    out += "\\x" + String(repeating: "0", count: 2 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    /// One-line YAML flow form with sorted keys: `[16, 32]`, `{a: 1, b: x}`.
    public var flowText: String {
        switch self {
        case .list(let items): return "[" + items.map(\.flowText).joined(separator: ", ") + "]"
        case .map(let m): return "{" + m.keys.sorted().map { SpecValue.quoteIfNeeded($0) + ": " + m[$0]!.flowText }.joined(separator: ", ") + "}"
        default: return SpecValue.scalarText(self)
        }
    }

    var isScalarOrScalarList: Bool {
        switch self {
        case .map: return false
        case .list(let items): return items.allSatisfy { if case .map = $0 { return false }; if case .list = $0 { return false }; return true }
        default: return true
        }
    }

    /// Block YAML with sorted keys; lists of scalars stay on one line. Deterministic for equal values.
    public var canonicalYAML: String {
        var lines: [String] = []
        SpecValue.emit(self, indent: "", into: &lines)
        return lines.joined(separator: "\n") + "\n"
    }

    private static func emit(_ v: SpecValue, indent: String, into lines: inout [String]) {
        switch v {
        case .map(let m) where !m.isEmpty:
            for key in m.keys.sorted() {
                let child = m[key]!
                let k = indent + quoteIfNeeded(key) + ":"
                if child.isScalarOrScalarList || child == .map([:]) || child == .list([]) {
                    lines.append(k + " " + child.flowText)
                } else {
                    lines.append(k)
                    emit(child, indent: indent + "  ", into: &lines)
                }
            }
        case .list(let items) where !items.isEmpty && !v.isScalarOrScalarList:
            for item in items {
                var sub: [String] = []
                if item.isScalarOrScalarList || item == .map([:]) || item == .list([]) {
                    lines.append(indent + "- " + item.flowText)
                    continue
                }
                emit(item, indent: indent + "  ", into: &sub)
                // "- " takes the place of the first line's extra indent.
                sub[0] = indent + "- " + sub[0].dropFirst(indent.count + 2)
                lines.append(contentsOf: sub)
            }
        default:
            lines.append(indent + v.flowText)
        }
    }
}

extension SpecValue {
    /// Compact JSON with sorted keys and shortest round-trip numbers, for hashing: equal trees give equal bytes.
    /// Doubles always carry a fraction or exponent (`1.0`), so `.int(1)` and `.double(1)` stay distinct.
    /// Non-finite doubles (never in a validated tree) are written as strings `"inf"`, `"-inf"`, `"nan"`.
    public var canonicalJSON: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return "\(i)"
        case .double(let d):
            if d.isNaN { return "\"nan\"" }
            if d.isInfinite { return d > 0 ? "\"inf\"" : "\"-inf\"" }
            return "\(d)"
        case .string(let s): return SpecValue.jsonQuoted(s)
        case .list(let items): return "[" + items.map(\.canonicalJSON).joined(separator: ",") + "]"
        case .map(let m):
            // Sort by UTF-8 bytes so the order is the same on every platform and locale.
            let keys = m.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            return "{" + keys.map { SpecValue.jsonQuoted($0) + ":" + m[$0]!.canonicalJSON }.joined(separator: ",") + "}"
        }
    }

    static func jsonQuoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
