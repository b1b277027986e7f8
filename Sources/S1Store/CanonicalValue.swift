import Foundation

/// A resolved value in the shape JSON can carry, with one canonical byte encoding, so that equal values
/// hash equal no matter how they were written in YAML, on the command line or in code.
///
/// ## The canonical encoding (what `canonicalJSON()` writes; hash scheme depends on it, change = new version)
/// It is RFC 8785 (JSON Canonicalization Scheme) except that object keys are sorted by their UTF-8 bytes:
/// - No whitespace anywhere.
/// - `null`, `true`, `false` as in JSON.
/// - Objects: members sorted by the key's UTF-8 bytes (unsigned, lexicographic; a prefix sorts first).
///   Keys are distinct Swift `String`s; Swift treats canonically equivalent strings as equal keys, so a
///   key's bytes are those of the string stored in the dictionary (no further Unicode normalisation).
/// - Arrays: elements in order.
/// - Strings: UTF-8, wrapped in `"`. Only `"` → `\"`, `\` → `\\`, and U+0000…U+001F are escaped:
///   `\b \t \n \f \r` for those five, `\u00xx` (lowercase hex) for the others. Everything else (`/`,
///   non-ASCII) is written as its own UTF-8 bytes.
/// - Numbers: `int` and `number` share one form, so `1`, `1.0` and `1e0` encode the same, and
///   `1e-5` and `0.00001` encode the same. A `number` is reduced to its shortest round-trip decimal digits
///   `d1…dk` and exponent `n` (value = 0.d1…dk × 10^n), then written as ECMAScript's Number::toString:
///   `k ≤ n ≤ 21` → digits then `n−k` zeros (`100`, `1e21` → `1e+21`); `0 < n ≤ 21` → `12.5`;
///   `−6 < n ≤ 0` → `0.00001`; otherwise `d1.d2…dke±x` (`1e-7`, `1.5e+300`). `-0` is `0`.
///   An `int` is written in plain decimal (`-42`), the same as a `number` with that integral value when
///   |value| < 1e21. NaN and ±infinity have no JSON form and are rejected with a located error.
public indirect enum CanonicalValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case number(Double)
    case string(String)
    case array([CanonicalValue])
    case object([String: CanonicalValue])

    /// The canonical encoding (see the type's documentation).
    /// - Throws: `CanonicalEncodingError.nonFiniteNumber` naming the key path of a NaN or infinity.
    public func canonicalJSON() throws -> Data {
        var out = [UInt8]()
        out.reserveCapacity(256)
        try CanonicalValue.write(self, into: &out, path: "$")
        return Data(out)
    }

    /// SHA-256 of `canonicalJSON()`.
    public func digest() throws -> Digest {
        ContentHasher.digest(of: try canonicalJSON())
    }

    private static func write(_ value: CanonicalValue, into out: inout [UInt8], path: String) throws {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .int(let integer): out.append(contentsOf: String(integer).utf8)
        case .number(let number):
            guard number.isFinite else { throw CanonicalEncodingError.nonFiniteNumber(path: path, value: number) }
            out.append(contentsOf: canonicalNumber(number).utf8)
        case .string(let text): writeString(text, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                try write(item, into: &out, path: "\(path)[\(index)]")
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            let keys = members.keys.map { ($0, Array($0.utf8)) }
                .sorted { $0.1.lexicographicallyPrecedes($1.1) }
            for (index, key) in keys.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                writeString(key.0, into: &out)
                out.append(UInt8(ascii: ":"))
                try write(members[key.0]!, into: &out, path: "\(path).\(key.0)")
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func writeString(_ text: String, into out: inout [UInt8]) {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: out.append(contentsOf: Array("\\b".utf8))
            case 0x09: out.append(contentsOf: Array("\\t".utf8))
            case 0x0A: out.append(contentsOf: Array("\\n".utf8))
            case 0x0C: out.append(contentsOf: Array("\\f".utf8))
            case 0x0D: out.append(contentsOf: Array("\\r".utf8))
            case 0x00..<0x20:
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0f)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// ECMAScript Number::toString of a finite double, from Swift's shortest round-trip digits.
    static func canonicalNumber(_ value: Double) -> String {
        if value == 0 { return "0" }
        let (digits, exponent) = shortestDigits(abs(value))
        let sign = value < 0 ? "-" : ""
        let k = digits.count
        let n = exponent
        if k <= n && n <= 21 {
            return sign + digits + String(repeating: "0", count: n - k)
        }
        if 0 < n && n <= 21 {
            let split = digits.index(digits.startIndex, offsetBy: n)
            return sign + String(digits[..<split]) + "." + String(digits[split...])
        }
        if -6 < n && n <= 0 {
            return sign + "0." + String(repeating: "0", count: -n) + digits
        }
        let e = n - 1
        let mantissa = k == 1 ? digits : String(digits.prefix(1)) + "." + String(digits.dropFirst())
        return sign + mantissa + "e" + (e >= 0 ? "+" : "-") + String(abs(e))
    }

    /// Shortest round-trip decimal digits (no leading/trailing zeros) and exponent n with
    /// value = 0.d1…dk × 10^n, read off Swift's `description`, which is shortest round-trip.
    private static func shortestDigits(_ positive: Double) -> (String, Int) {
        let text = positive.description  // e.g. "1e-05", "0.0001", "12345.678", "1.5e+300"
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...].replacingOccurrences(of: "+", with: ""))!
        }
        var digits = ""
        var pointPosition: Int? = nil
        for ch in mantissa {
            if ch == "." { pointPosition = digits.count } else { digits.append(ch) }
        }
        var n = (pointPosition ?? digits.count) + exponent
        // Strip leading zeros (each moves the decimal point) and trailing zeros (value unchanged).
        while digits.hasPrefix("0") && digits.count > 1 {
            digits.removeFirst()
            n -= 1
        }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        return (digits, n)
    }
}

/// Why a value has no canonical encoding.
public enum CanonicalEncodingError: Error, Equatable, CustomStringConvertible, Sendable {
    /// NaN or ±infinity at `path` (e.g. `$.train.lr`): JSON cannot carry it; the hash would be ambiguous.
    case nonFiniteNumber(path: String, value: Double)

    public var description: String {
        switch self {
        case .nonFiniteNumber(let path, let value):
            return "\(path): expected a finite number, found \(value); NaN and infinity cannot be hashed canonically"
        }
    }

    public static func == (lhs: CanonicalEncodingError, rhs: CanonicalEncodingError) -> Bool {
        switch (lhs, rhs) {
        case let (.nonFiniteNumber(a, x), .nonFiniteNumber(b, y)):
            return a == b && (x == y || (x.isNaN && y.isNaN))
        }
    }
}

extension CanonicalValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: CanonicalValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, CanonicalValue)...) {
        var members = [String: CanonicalValue]()
        for (key, value) in elements { members[key] = value }
        self = .object(members)
    }
}

/// Plain JSON in and out, so stored canonical values (step keys, parameters) read back with their exact
/// kinds: `true` stays a Bool (never the number 1), integers without fraction or exponent become `.int`,
/// other numbers `.number`.
extension CanonicalValue: Codable {
    public init(from decoder: Decoder) throws {
        if var array = try? decoder.unkeyedContainer() {
            var items = [CanonicalValue]()
            while !array.isAtEnd { items.append(try array.decode(CanonicalValue.self)) }
            self = .array(items)
            return
        }
        if let object = try? decoder.container(keyedBy: AnyKey.self) {
            var members = [String: CanonicalValue]()
            for key in object.allKeys { members[key.stringValue] = try object.decode(CanonicalValue.self, forKey: key) }
            self = .object(members)
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            self = .null
        } else if let flag = try? single.decode(Bool.self) {
            self = .bool(flag)
        } else if let integer = try? single.decode(Int64.self) {
            self = .int(integer)
        } else if let number = try? single.decode(Double.self) {
            self = .number(number)
        } else if let text = try? single.decode(String.self) {
            self = .string(text)
        } else {
            throw DecodingError.dataCorruptedError(in: single, debugDescription: "expected a JSON value")
        }
    }

    public func encode(to encoder: Encoder) throws {
        switch self {
        case .null:
            var c = encoder.singleValueContainer()
            try c.encodeNil()
        case .bool(let flag):
            var c = encoder.singleValueContainer()
            try c.encode(flag)
        case .int(let integer):
            var c = encoder.singleValueContainer()
            try c.encode(integer)
        case .number(let number):
            var c = encoder.singleValueContainer()
            try c.encode(number)
        case .string(let text):
            var c = encoder.singleValueContainer()
            try c.encode(text)
        case .array(let items):
            var c = encoder.unkeyedContainer()
            for item in items { try c.encode(item) }
        case .object(let members):
            var c = encoder.container(keyedBy: AnyKey.self)
            for (key, value) in members { try c.encode(value, forKey: AnyKey(key)) }
        }
    }

    /// Parses JSON text (e.g. a stored `canonicalJSON()`) back into a value.
    /// - Throws: `CanonicalDecodingError.invalidJSON` naming `source` and the reason.
    public init(json data: Data, source: String = "JSON") throws {
        do {
            self = try JSONDecoder().decode(CanonicalValue.self, from: data)
        } catch {
            throw CanonicalDecodingError.invalidJSON(source: source, reason: "\(error)")
        }
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { return nil }
    }
}

/// Text that is not JSON.
public enum CanonicalDecodingError: Error, Equatable, CustomStringConvertible, Sendable {
    case invalidJSON(source: String, reason: String)

    public var description: String {
        switch self {
        case .invalidJSON(let source, let reason): return "\(source): expected JSON, \(reason)"
        }
    }
}
