// Tokens of a normalised LaTeX answer: numbers, single letters, `\commands` and single-character symbols.

/// One token of a LaTeX math answer.
enum MathToken: Equatable {
    /// Digits with at most one decimal point, as written ("042", "1.50", ".5").
    case number(String)
    case letter(Character)
    /// `\name` without the backslash; `\{` and `\}` become "{" and "}".
    case command(String)
    /// One of `+ - * / ^ _ ( ) [ ] { } | ! , = < >` and similar.
    case symbol(Character)
}

enum MathTokenizer {
    /// The tokens of `text`, whitespace dropped. Never fails: unknown characters become symbols, which the parser
    /// then rejects.
    static func tokens(_ text: String) -> [MathToken] {
        let chars = Array(text)
        var out: [MathToken] = []
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c.isWhitespace {
                i += 1
            } else if c.isASCII, c.isNumber || (c == "." && i + 1 < chars.count && chars[i + 1].isASCII && chars[i + 1].isNumber) {
                var j = i
                var seenDot = false
                while j < chars.count, chars[j].isASCII, chars[j].isNumber || (chars[j] == "." && !seenDot) {
                    if chars[j] == "." {
                        // "2." followed by a non-digit ends the number before the dot.
                        guard j + 1 < chars.count, chars[j + 1].isASCII, chars[j + 1].isNumber else { break }
                        seenDot = true
                    }
                    j += 1
                }
                out.append(.number(String(chars[i..<j])))
                i = j
            } else if c == "\\" {
                var j = i + 1
                if j < chars.count, chars[j].isLetter {
                    while j < chars.count, chars[j].isLetter { j += 1 }
                    out.append(.command(String(chars[(i + 1)..<j])))
                    i = j
                } else if j < chars.count {
                    out.append(.command(String(chars[j])))
                    i = j + 1
                } else {
                    out.append(.symbol("\\"))
                    i = j
                }
            } else if c.isLetter {
                out.append(.letter(c))
                i += 1
            } else {
                out.append(.symbol(c))
                i += 1
            }
        }
        return out
    }
}
