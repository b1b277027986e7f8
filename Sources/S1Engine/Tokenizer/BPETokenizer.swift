import Foundation

/// Byte-level BPE from a Hugging Face `tokenizer.json`, as Qwen2 checkpoints ship it.
///
/// Encoding: special (added) tokens are matched first on the raw text (leftmost, longest); each stretch between
/// them is normalised and split by the pre-tokenizer (`PreTokenizer`), every piece's UTF-8 bytes start as one
/// token per byte (through the byte-to-unicode alphabet), and the lowest-ranked adjacent pair is merged until
/// no ranked pair is left (leftmost first among equal pairs), as `tokenizers`' BPE model does.
/// Decoding maps each token's characters back to bytes and the bytes to text with U+FFFD for invalid UTF-8.
public final class BPETokenizer: TextTokenizer, @unchecked Sendable {  // immutable after init
    /// Where it was loaded from (for error messages and inspection output).
    public let path: String
    public let vocabularySize: Int
    private let preTokenizer: PreTokenizer
    /// Piece string per id (nil for a gap in the id space).
    private let pieces: [String?]
    /// Bytes per id.
    private let tokenBytes: [[UInt8]]
    /// Initial token of each byte.
    private let byteTokens: [Int32]
    /// (left id << 32 | right id) → (rank, merged id).
    private let merges: [UInt64: (rank: Int32, merged: Int32)]
    /// Byte string → id, used when `ignore_merges` lets whole-word vocabulary entries win.
    private let wholeWords: [[UInt8]: Int32]?
    /// Added tokens: UTF-8 → id, longest first, and their texts → ids.
    private let added: [(bytes: [UInt8], id: Int32)]
    private let addedByText: [String: Int32]

    /// Loads `tokenizer.json` at `url`.
    public convenience init(contentsOf url: URL) throws {
        let path = url.path
        guard let data = FileManager.default.contents(atPath: path) else { throw TokenizerError.fileNotFound(path: path) }
        try self.init(jsonData: data, path: path)
    }

    /// Parses the contents of a `tokenizer.json`; `path` names it in errors.
    public init(jsonData: Data, path: String) throws {
        self.path = path
        let root: [String: Any]
        do {
            guard let object = try JSONSerialization.jsonObject(with: jsonData) as? [String: Any] else {
                throw TokenizerError.malformed(path: path, key: "(root)", expected: "an object", found: "another JSON value")
            }
            root = object
        } catch let error as TokenizerError {
            throw error
        } catch {
            throw TokenizerError.invalidJSON(path: path, reason: "\(error)")
        }
        func malformed(_ key: String, _ expected: String, _ value: Any?) -> TokenizerError {
            .malformed(path: path, key: key, expected: expected, found: value.map { "\(type(of: $0))" } ?? "nothing")
        }

        guard let model = root["model"] as? [String: Any] else { throw malformed("model", "an object", root["model"]) }
        if let type = model["type"] as? String, type != "BPE" {
            throw TokenizerError.unsupported(path: path, key: "model.type", value: "model '\(type)'")
        }
        if let dropout = model["dropout"] as? Double, dropout > 0 {
            throw TokenizerError.unsupported(path: path, key: "model.dropout", value: "BPE dropout \(dropout)")
        }
        if (model["byte_fallback"] as? Bool) == true {
            throw TokenizerError.unsupported(path: path, key: "model.byte_fallback", value: "byte fallback")
        }
        for key in ["continuing_subword_prefix", "end_of_word_suffix"] {
            if let affix = model[key] as? String, !affix.isEmpty {
                throw TokenizerError.unsupported(path: path, key: "model.\(key)", value: "'\(affix)'")
            }
        }
        guard let vocabJSON = model["vocab"] as? [String: Any] else { throw malformed("model.vocab", "an object of piece → id", model["vocab"]) }
        var vocab: [String: Int32] = [:]
        vocab.reserveCapacity(vocabJSON.count)
        var maxID: Int32 = -1
        for (piece, value) in vocabJSON {
            guard let number = value as? NSNumber, let id = Int32(exactly: number.doubleValue), id >= 0 else {
                throw malformed("model.vocab[\"\(piece)\"]", "a non-negative integer id", value)
            }
            vocab[piece] = id
            maxID = max(maxID, id)
        }

        var addedTokens: [(content: String, id: Int32)] = []
        if let list = root["added_tokens"] as? [Any] {
            for (i, entry) in list.enumerated() {
                guard let token = entry as? [String: Any], let content = token["content"] as? String, !content.isEmpty,
                      let number = token["id"] as? NSNumber, let id = Int32(exactly: number.doubleValue), id >= 0 else {
                    throw malformed("added_tokens[\(i)]", "an object with a non-empty 'content' and an integer 'id'", entry)
                }
                for flag in ["lstrip", "rstrip", "single_word"] where (token[flag] as? Bool) == true {
                    throw TokenizerError.unsupported(path: path, key: "added_tokens[\(i)].\(flag)", value: "true")
                }
                addedTokens.append((content, id))
                maxID = max(maxID, id)
            }
        } else if let other = root["added_tokens"], !(other is NSNull) {
            throw malformed("added_tokens", "an array", other)
        }
        vocabularySize = Int(maxID) + 1

        var pieces = [String?](repeating: nil, count: vocabularySize)
        var tokenBytes = [[UInt8]](repeating: [], count: vocabularySize)
        for (piece, id) in vocab {
            pieces[Int(id)] = piece
            // As `tokenizers`' ByteLevel decoder: a piece with a character outside the alphabet stands for its UTF-8.
            tokenBytes[Int(id)] = ByteLevelAlphabet.decode(piece) ?? Array(piece.utf8)
        }
        for (content, id) in addedTokens {
            pieces[Int(id)] = content
            tokenBytes[Int(id)] = ByteLevelAlphabet.decode(content) ?? Array(content.utf8)
        }
        self.pieces = pieces
        self.tokenBytes = tokenBytes

        var byteTokens = [Int32](repeating: -1, count: 256)
        for byte in 0..<256 {
            guard let id = vocab[String(ByteLevelAlphabet.characters[byte])] else {
                throw TokenizerError.malformed(path: path, key: "model.vocab", expected: "an entry for every byte (byte-level alphabet)",
                                               found: "no entry '\(ByteLevelAlphabet.characters[byte])' for byte \(byte)")
            }
            byteTokens[byte] = id
        }
        self.byteTokens = byteTokens

        guard let mergeList = model["merges"] as? [Any] else { throw malformed("model.merges", "an array", model["merges"]) }
        var merges: [UInt64: (rank: Int32, merged: Int32)] = [:]
        merges.reserveCapacity(mergeList.count)
        for (rank, entry) in mergeList.enumerated() {
            let key = "model.merges[\(rank)]"
            let left: String, right: String
            if let pair = entry as? [String], pair.count == 2 {
                (left, right) = (pair[0], pair[1])
            } else if let text = entry as? String, let space = text.firstIndex(of: " ") {
                (left, right) = (String(text[..<space]), String(text[text.index(after: space)...]))
            } else {
                throw malformed(key, "a pair [\"left\", \"right\"] or a string \"left right\"", entry)
            }
            guard let l = vocab[left], let r = vocab[right], let m = vocab[left + right] else {
                throw TokenizerError.malformed(path: path, key: key, expected: "pieces that are in model.vocab, with their concatenation",
                                               found: "'\(left)' + '\(right)' missing from the vocabulary")
            }
            let pairKey = UInt64(UInt32(l)) << 32 | UInt64(UInt32(r))
            if merges[pairKey] == nil { merges[pairKey] = (Int32(rank), m) }
        }
        self.merges = merges

        if (model["ignore_merges"] as? Bool) == true {
            var whole: [[UInt8]: Int32] = [:]
            for (piece, id) in vocab { whole[ByteLevelAlphabet.decode(piece) ?? Array(piece.utf8)] = id }
            wholeWords = whole
        } else {
            wholeWords = nil
        }

        added = addedTokens.map { (Array($0.content.utf8), $0.id) }
            .sorted { $0.bytes.count != $1.bytes.count ? $0.bytes.count > $1.bytes.count : $0.id < $1.id }
        var byText: [String: Int32] = [:]
        for (content, id) in addedTokens where byText[content] == nil { byText[content] = id }
        addedByText = byText
        preTokenizer = try PreTokenizer(json: root, path: path)
    }

    public func encode(_ text: String) -> [Int32] {
        var ids: [Int32] = []
        let utf8 = Array(text.utf8)
        var segmentStart = 0, i = 0
        func flushText(upTo end: Int) {
            guard end > segmentStart else { return }
            let segment = String(decoding: utf8[segmentStart..<end], as: UTF8.self)
            for piece in preTokenizer.pieces(segment) { bytePairEncode(piece, into: &ids) }
        }
        scan: while i < utf8.count {
            for (special, id) in added where special.first == utf8[i] && i + special.count <= utf8.count {
                if utf8[i..<(i + special.count)].elementsEqual(special) {
                    flushText(upTo: i)
                    ids.append(id)
                    i += special.count
                    segmentStart = i
                    continue scan
                }
            }
            i += 1
        }
        flushText(upTo: utf8.count)
        return ids
    }

    /// BPE of one pre-tokenized piece; appends its ids.
    private func bytePairEncode(_ piece: [UInt8], into ids: inout [Int32]) {
        if let wholeWords, let id = wholeWords[piece] {
            ids.append(id)
            return
        }
        var symbols = piece.map { byteTokens[Int($0)] }
        while symbols.count > 1 {
            // The lowest-ranked adjacent pair; all its occurrences are merged left to right.
            var best: (rank: Int32, merged: Int32, left: Int32, right: Int32)? = nil
            for j in 0..<(symbols.count - 1) {
                if let merge = merges[UInt64(UInt32(symbols[j])) << 32 | UInt64(UInt32(symbols[j + 1]))],
                   best == nil || merge.rank < best!.rank {
                    best = (merge.rank, merge.merged, symbols[j], symbols[j + 1])
                }
            }
            guard let best else { break }
            var merged: [Int32] = []
            merged.reserveCapacity(symbols.count)
            var j = 0
            while j < symbols.count {
                if j + 1 < symbols.count && symbols[j] == best.left && symbols[j + 1] == best.right {
                    merged.append(best.merged)
                    j += 2
                } else {
                    merged.append(symbols[j])
                    j += 1
                }
            }
            symbols = merged
        }
        ids += symbols
    }

    public func specialTokenID(_ text: String) -> Int32? { addedByText[text] }

    public func piece(for id: Int32) -> String? {
        id >= 0 && Int(id) < vocabularySize ? pieces[Int(id)] : nil
    }

    public func bytes(of id: Int32) -> [UInt8] {
        id >= 0 && Int(id) < vocabularySize ? tokenBytes[Int(id)] : []
    }
}
