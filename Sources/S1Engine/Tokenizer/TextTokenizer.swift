/// Text ⇄ token ids, as the generator, trainer and inspection commands need it.
///
/// Decoding never fails: ids are turned into bytes (`bytes(of:)`) and the bytes into text with U+FFFD for every
/// invalid or cut UTF-8 sequence (as Rust's `from_utf8_lossy`, so `tokenizers` decodes the same). For valid text,
/// `decode(encode(text)) == text` (up to the tokenizer's normalisation, e.g. NFC for Qwen2's BPE).
public protocol TextTokenizer: Sendable {
    /// Token ids of `text`; special tokens written in the text are matched first and become one id each.
    func encode(_ text: String) -> [Int32]
    /// The text of `ids`; ids outside the vocabulary are skipped (as `tokenizers` does; validate ids first where
    /// that matters, e.g. `TokenizerInspection.decode`).
    func decode(_ ids: [Int32]) -> String
    /// Number of ids (special tokens included); every id is in 0..<vocabularySize.
    var vocabularySize: Int { get }
    /// The id of a special (added) token such as `<|im_end|>`, or nil when the tokenizer has none by that text.
    func specialTokenID(_ text: String) -> Int32?
    /// A readable name of one token (a byte-level BPE piece such as `Ġthe`, `<0x0A>` for a raw byte, or the
    /// special token's text); nil for an id outside the vocabulary.
    func piece(for id: Int32) -> String?
    /// The raw bytes one token stands for (empty for an id outside the vocabulary). Stop strings are matched on
    /// these bytes, so a multi-byte character split across tokens is still found.
    func bytes(of id: Int32) -> [UInt8]
}

extension TextTokenizer {
    public func decode(_ ids: [Int32]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ids.count * 2)
        for id in ids { bytes += self.bytes(of: id) }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Why a tokenizer could not be loaded. Every case names the file and the JSON key path it is about.
public enum TokenizerError: Error, Equatable, CustomStringConvertible {
    case fileNotFound(path: String)
    case invalidJSON(path: String, reason: String)
    /// A key is missing or has the wrong type: `key` is the JSON path, e.g. `model.merges[12]`.
    case malformed(path: String, key: String, expected: String, found: String)
    /// A feature of `tokenizer.json` this implementation does not support (rather than silently encoding wrongly).
    case unsupported(path: String, key: String, value: String)
    case invalidRegex(path: String, key: String, pattern: String, reason: String)
    /// An id list such as `--decode 1,2,x` has a bad element (`index` counts from 0).
    case invalidIDList(text: String, index: Int, element: String)
    /// A token id outside 0..<vocabularySize.
    case idOutOfRange(id: Int64, vocabularySize: Int)

    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "\(path): tokenizer file not found or unreadable"
        case .invalidJSON(let path, let reason):
            return "\(path): not valid JSON: \(reason)"
        case .malformed(let path, let key, let expected, let found):
            return "\(path): at '\(key)': expected \(expected), found \(found); is this a Hugging Face tokenizer.json?"
        case .unsupported(let path, let key, let value):
            return "\(path): at '\(key)': \(value) is not supported (byte-level BPE as Qwen2 uses it is); use a Qwen2-style tokenizer.json"
        case .invalidRegex(let path, let key, let pattern, let reason):
            return "\(path): at '\(key)': regex \(pattern) does not compile: \(reason)"
        case .invalidIDList(let text, let index, let element):
            return "token ids '\(text)': element \(index) is '\(element)', expected an integer; write ids as 1,2,3"
        case .idOutOfRange(let id, let vocabularySize):
            return "token id \(id) is outside the vocabulary 0..<\(vocabularySize)"
        }
    }
}
