/// The tokenizer of the tiny models: one token per UTF-8 byte (ids 0…255) plus the chat template's special
/// tokens (ids 256…), each matched as one token before bytes.
///
/// Why bytes: the tiny models are trained from scratch on a small corpus, where a learned vocabulary would only
/// add a training step; bytes cover every text and keep digit-by-digit traces one token per character.
public struct ByteTokenizer: TextTokenizer, Equatable {
    /// The template tokens of Qwen2.5's chat format (and its end of text).
    public static let defaultSpecialTokens = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]

    /// Special tokens in id order: `specialTokens[i]` has id `256 + i`.
    public let specialTokens: [String]
    // UTF-8 of each special token, longest first (so `<|a|b|>` wins over a prefix `<|a|>`), with its id.
    private let matchOrder: [(bytes: [UInt8], id: Int32)]

    /// A byte tokenizer with these special tokens (empty or duplicate strings are dropped, first one wins).
    public init(specialTokens: [String] = ByteTokenizer.defaultSpecialTokens) {
        var seen = Set<String>(), kept: [String] = []
        for token in specialTokens where !token.isEmpty && seen.insert(token).inserted { kept.append(token) }
        self.specialTokens = kept
        matchOrder = kept.enumerated()
            .map { (Array($0.element.utf8), Int32(256 + $0.offset)) }
            .sorted { $0.bytes.count != $1.bytes.count ? $0.bytes.count > $1.bytes.count : $0.id < $1.id }
    }

    public static func == (a: ByteTokenizer, b: ByteTokenizer) -> Bool { a.specialTokens == b.specialTokens }

    public var vocabularySize: Int { 256 + specialTokens.count }

    public func encode(_ text: String) -> [Int32] {
        let utf8 = Array(text.utf8)
        var ids: [Int32] = []
        ids.reserveCapacity(utf8.count)
        utf8.withUnsafeBufferPointer { input in
            var i = 0
            scan: while i < input.count {
                for (special, id) in matchOrder where special.first == input[i] && i + special.count <= input.count {
                    var matches = true
                    for j in 1..<special.count where input[i + j] != special[j] { matches = false; break }
                    if matches {
                        ids.append(id)
                        i += special.count
                        continue scan
                    }
                }
                ids.append(Int32(input[i]))
                i += 1
            }
        }
        return ids
    }

    public func specialTokenID(_ text: String) -> Int32? {
        specialTokens.firstIndex(of: text).map { Int32(256 + $0) }
    }

    public func piece(for id: Int32) -> String? {
        switch id {
        case 0x21...0x7E: return String(Unicode.Scalar(UInt8(id)))
        case 0..<256: return "<0x" + String(UInt8(id), radix: 16, uppercase: true).leftPadded(to: 2) + ">"
        case 256..<Int32(vocabularySize): return specialTokens[Int(id) - 256]
        default: return nil
        }
    }

    public func bytes(of id: Int32) -> [UInt8] {
        switch id {
        case 0..<256: return [UInt8(id)]
        case 256..<Int32(vocabularySize): return Array(specialTokens[Int(id) - 256].utf8)
        default: return []
        }
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
