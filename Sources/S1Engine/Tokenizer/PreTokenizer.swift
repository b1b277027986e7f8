import Foundation

/// The text → pieces stage of a `tokenizer.json`: normaliser plus pre-tokenizer, before BPE.
///
/// Supported (what byte-level BPE checkpoints such as Qwen2 and GPT-2 use): normaliser `NFC` or none;
/// pre-tokenizers `Split` (behaviour `Isolated`, not inverted, `Regex` or `String` pattern), `ByteLevel` (with or
/// without its GPT-2 regex) and `Sequence` of these. Anything else is a typed `unsupported` error at load time,
/// never a silently different encoding.
struct PreTokenizer: @unchecked Sendable {  // NSRegularExpression is immutable and documented thread-safe.
    enum Step {
        /// Splits every piece by the regex, keeping matches and the gaps between them as pieces (`Isolated`).
        case split(NSRegularExpression)
        /// Byte-level: optionally a leading space, optionally GPT-2's split regex.
        case byteLevel(addPrefixSpace: Bool, regex: NSRegularExpression?)
    }

    /// GPT-2's pattern, which `ByteLevel` applies when `use_regex` is true.
    static let gpt2Pattern = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#

    let normalizeNFC: Bool
    let steps: [Step]

    init(json: [String: Any], path: String) throws {
        switch json["normalizer"] {
        case nil, is NSNull:
            normalizeNFC = false
        case let normalizer as [String: Any]:
            let type = normalizer["type"] as? String ?? "?"
            guard type == "NFC" else { throw TokenizerError.unsupported(path: path, key: "normalizer.type", value: "normaliser '\(type)'") }
            normalizeNFC = true
        case let other?:
            throw TokenizerError.malformed(path: path, key: "normalizer", expected: "an object or null", found: "\(type(of: other))")
        }
        var steps: [Step] = []
        if let pre = json["pre_tokenizer"], !(pre is NSNull) {
            try Self.parse(pre, key: "pre_tokenizer", path: path, into: &steps)
        }
        self.steps = steps
    }

    private static func parse(_ value: Any, key: String, path: String, into steps: inout [Step]) throws {
        guard let object = value as? [String: Any] else {
            throw TokenizerError.malformed(path: path, key: key, expected: "an object", found: "\(type(of: value))")
        }
        guard let type = object["type"] as? String else {
            throw TokenizerError.malformed(path: path, key: key + ".type", expected: "a string", found: "\(object["type"].map { "\($0)" } ?? "nothing")")
        }
        switch type {
        case "Sequence":
            guard let children = object["pretokenizers"] as? [Any] else {
                throw TokenizerError.malformed(path: path, key: key + ".pretokenizers", expected: "an array", found: "\(object["pretokenizers"].map { "\($0)" } ?? "nothing")")
            }
            for (i, child) in children.enumerated() { try parse(child, key: "\(key).pretokenizers[\(i)]", path: path, into: &steps) }
        case "Split":
            let behavior = object["behavior"] as? String ?? "?"
            guard behavior == "Isolated" else {
                throw TokenizerError.unsupported(path: path, key: key + ".behavior", value: "split behaviour '\(behavior)'")
            }
            if (object["invert"] as? Bool) == true {
                throw TokenizerError.unsupported(path: path, key: key + ".invert", value: "an inverted split")
            }
            let pattern: String
            if let p = object["pattern"] as? [String: Any], let regex = p["Regex"] as? String {
                pattern = regex
            } else if let p = object["pattern"] as? [String: Any], let literal = p["String"] as? String {
                pattern = NSRegularExpression.escapedPattern(for: literal)
            } else {
                throw TokenizerError.malformed(path: path, key: key + ".pattern", expected: "{\"Regex\": …} or {\"String\": …}", found: "\(object["pattern"].map { "\($0)" } ?? "nothing")")
            }
            steps.append(.split(try compile(pattern, key: key + ".pattern", path: path)))
        case "ByteLevel":
            let useRegex = object["use_regex"] as? Bool ?? true
            steps.append(.byteLevel(addPrefixSpace: object["add_prefix_space"] as? Bool ?? false,
                                    regex: useRegex ? try compile(gpt2Pattern, key: key + ".use_regex", path: path) : nil))
        default:
            throw TokenizerError.unsupported(path: path, key: key + ".type", value: "pre-tokenizer '\(type)'")
        }
    }

    private static func compile(_ pattern: String, key: String, path: String) throws -> NSRegularExpression {
        do {
            return try NSRegularExpression(pattern: pattern, options: [])
        } catch {
            throw TokenizerError.invalidRegex(path: path, key: key, pattern: pattern, reason: "\(error)")
        }
    }

    /// The byte strings BPE runs on, in order, for one stretch of text between special tokens.
    func pieces(_ text: String) -> [[UInt8]] {
        var pieces = [normalizeNFC ? text.precomposedStringWithCanonicalMapping : text]
        for step in steps {
            switch step {
            case .split(let regex):
                pieces = pieces.flatMap { Self.isolate($0, by: regex) }
            case .byteLevel(let addPrefixSpace, let regex):
                if addPrefixSpace, let first = pieces.first, !(first.first?.isWhitespace ?? true) {
                    pieces[0] = " " + first
                }
                if let regex { pieces = pieces.flatMap { Self.isolate($0, by: regex) } }
            }
        }
        return pieces.map { Array($0.utf8) }
    }

    /// Matches and the gaps between them, in order, none empty.
    static func isolate(_ text: String, by regex: NSRegularExpression) -> [String] {
        let utf16 = text.utf16
        var out: [String] = []
        var last = 0
        for match in regex.matches(in: text, options: [], range: NSRange(location: 0, length: utf16.count)) {
            let range = match.range
            guard range.length > 0 else { continue }
            if range.location > last { out.append(substring(utf16, last, range.location)) }
            out.append(substring(utf16, range.location, range.location + range.length))
            last = range.location + range.length
        }
        if last < utf16.count { out.append(substring(utf16, last, utf16.count)) }
        return out
    }

    private static func substring(_ utf16: String.UTF16View, _ from: Int, _ to: Int) -> String {
        let start = utf16.index(utf16.startIndex, offsetBy: from), end = utf16.index(utf16.startIndex, offsetBy: to)
        let slice = utf16[start..<end]
        return String(slice) ?? String(decoding: Array(slice), as: UTF16.self)
    }
}
