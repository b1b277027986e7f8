import Crypto

/// A SHA-256 content digest, written with its algorithm name: `sha256:<64 lowercase hex>`.
///
/// The algorithm prefix is part of every written form so that a future scheme change can never be
/// confused with an old digest.
public struct Digest: Hashable, Codable, Comparable, Sendable, CustomStringConvertible {
    /// The algorithm name written before the hex digits.
    public static let algorithm = "sha256"

    /// The 32 raw digest bytes.
    public let bytes: [UInt8]

    /// Wraps 32 raw SHA-256 bytes; returns nil for any other length.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        self.bytes = bytes
    }

    init(_ digest: SHA256.Digest) {
        self.bytes = Array(digest)
    }

    /// Parses `sha256:<64 hex>` (lowercase or uppercase hex). Returns nil for anything else.
    public init?(parsing text: String) {
        let prefix = Digest.algorithm + ":"
        guard text.hasPrefix(prefix) else { return nil }
        let hex = Array(text.utf8.dropFirst(prefix.utf8.count))
        guard hex.count == 64 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(32)
        var index = 0
        while index < 64 {
            guard let high = Digest.nibble(hex[index]), let low = Digest.nibble(hex[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        self.bytes = out
    }

    /// The 64 lowercase hex digits.
    public var hex: String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The first 12 hex digits: enough to tell steps apart on screen, never used as an identity.
    public var short: String { String(hex.prefix(12)) }

    /// `sha256:<hex>`.
    public var description: String { Digest.algorithm + ":" + hex }

    public static func < (lhs: Digest, rhs: Digest) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let parsed = Digest(parsing: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "expected a digest \"sha256:<64 hex>\", found \"\(text)\"")
        }
        self = parsed
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
