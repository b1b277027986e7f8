import Foundation

/// The library side of `s1 inspect tokenize TOKENIZER --text … [--json]` and `--decode 1,2,3`.
///
/// Output is deterministic: JSON with sorted keys, tokens in order.
public enum TokenizerInspection {
    /// One token of an encoding.
    public struct Token: Codable, Equatable, Sendable {
        public let id: Int32
        /// The tokenizer's name for it (`Ġthe`, `<0x0A>`, `<|im_end|>`).
        public let piece: String
        /// Its raw bytes as lowercase hex (a token may hold part of a UTF-8 character).
        public let bytes: String
    }

    /// The result of `--text` or `--decode`: ids, their tokens, and the text they decode to.
    public struct Report: Codable, Equatable, Sendable {
        public let tokenizer: String
        public let vocabularySize: Int
        public let ids: [Int32]
        public let tokens: [Token]
        public let text: String

        enum CodingKeys: String, CodingKey {
            case tokenizer, vocabularySize = "vocabulary_size", ids, tokens, text
        }

        /// Sorted-key JSON, one line per nesting level (for `--json` and for checks from outside).
        public func json() -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            // Encoding plain strings and integers cannot fail.
            return (try? String(decoding: encoder.encode(self), as: UTF8.self)) ?? "{}"
        }

        /// Human-readable lines: a header, then `id<TAB>piece` per token, then the decoded text.
        public func text(showDecoded: Bool = true) -> String {
            var lines = ["tokenizer: \(tokenizer) (vocabulary \(vocabularySize))", "tokens: \(ids.count)"]
            for token in tokens { lines.append("\(token.id)\t\(token.piece)") }
            if showDecoded { lines.append("text: \(text.debugDescription)") }
            return lines.joined(separator: "\n")
        }
    }

    /// `bytes` → `ByteTokenizer()`; anything else is a `tokenizer.json` path (or a folder holding one).
    public static func loadTokenizer(_ argument: String) throws -> any TextTokenizer {
        if argument == "bytes" { return ByteTokenizer() }
        var isDirectory: ObjCBool = false
        var url = URL(fileURLWithPath: argument)
        if FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory), isDirectory.boolValue {
            url = url.appendingPathComponent("tokenizer.json")
        }
        return try BPETokenizer(contentsOf: url)
    }

    /// `--text`: the encoding of `text`.
    public static func tokenize(_ text: String, with tokenizer: any TextTokenizer, name: String) -> Report {
        let ids = tokenizer.encode(text)
        return Report(tokenizer: name, vocabularySize: tokenizer.vocabularySize, ids: ids,
                      tokens: ids.map { token($0, tokenizer) }, text: tokenizer.decode(ids))
    }

    /// `--decode`: the tokens and text of `ids`; every id must be in the vocabulary.
    public static func decode(_ ids: [Int32], with tokenizer: any TextTokenizer, name: String) throws -> Report {
        if let bad = ids.first(where: { $0 < 0 || Int($0) >= tokenizer.vocabularySize }) {
            throw TokenizerError.idOutOfRange(id: Int64(bad), vocabularySize: tokenizer.vocabularySize)
        }
        return Report(tokenizer: name, vocabularySize: tokenizer.vocabularySize, ids: ids,
                      tokens: ids.map { token($0, tokenizer) }, text: tokenizer.decode(ids))
    }

    /// Parses `1,2,3` (spaces allowed around ids).
    public static func parseIDs(_ text: String) throws -> [Int32] {
        let elements = text.split(separator: ",", omittingEmptySubsequences: false)
        return try elements.enumerated().map { index, element in
            let trimmed = element.trimmingCharacters(in: .whitespaces)
            guard let id = Int32(trimmed) else {
                throw TokenizerError.invalidIDList(text: text, index: index, element: trimmed)
            }
            return id
        }
    }

    private static func token(_ id: Int32, _ tokenizer: any TextTokenizer) -> Token {
        Token(id: id, piece: tokenizer.piece(for: id) ?? "", bytes: tokenizer.bytes(of: id).map { String($0, radix: 16).leftPadded(to: 2) }.joined())
    }
}
