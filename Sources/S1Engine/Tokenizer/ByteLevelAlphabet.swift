/// GPT-2's byte-to-unicode map, used by byte-level BPE (`tokenizers`' ByteLevel): each byte becomes one
/// printable character, so that vocabulary entries are strings without spaces or control characters.
///
/// Bytes `!`…`~`, `¡`…`¬` and `®`…`ÿ` map to themselves; the remaining 68 bytes map, in byte order, to U+0100,
/// U+0101, … (so space 0x20 becomes `Ġ` U+0120 and newline 0x0A becomes `Ċ` U+010A).
public enum ByteLevelAlphabet {
    /// The character of each byte, indexed by byte.
    public static let characters: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: "\0", count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            let printable = (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
            if printable {
                table[byte] = Unicode.Scalar(UInt32(byte))!
            } else {
                table[byte] = Unicode.Scalar(next)!
                next += 1
            }
        }
        return table
    }()

    /// The byte of each alphabet character (the inverse of `characters`).
    public static let bytes: [Unicode.Scalar: UInt8] = {
        var inverse: [Unicode.Scalar: UInt8] = [:]
        for (byte, scalar) in characters.enumerated() { inverse[scalar] = UInt8(byte) }
        return inverse
    }()

    /// The byte-level string of raw bytes, e.g. `[0x20, 0x61]` → `Ġa`.
    public static func encode<Bytes: Sequence>(_ raw: Bytes) -> String where Bytes.Element == UInt8 {
        var scalars = String.UnicodeScalarView()
        for byte in raw { scalars.append(characters[Int(byte)]) }
        return String(scalars)
    }

    /// The raw bytes of a byte-level string, or nil if some character is outside the alphabet.
    public static func decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            guard let byte = bytes[scalar] else { return nil }
            out.append(byte)
        }
        return out
    }
}
