// Small text operations on LaTeX answers that every grader needs: brace matching, unwrapping commands,
// removing math-mode delimiters. They work on `[Character]` so that indices are cheap and Unicode-safe.

/// Text helpers for LaTeX-ish answer strings.
public enum LatexText {
    /// The index of the `}` that closes the `{` at `open`, skipping escaped braces (`\{`, `\}`); nil if unbalanced.
    public static func closingBrace(in chars: [Character], openAt open: Int) -> Int? {
        guard open < chars.count, chars[open] == "{" else { return nil }
        var depth = 0
        var i = open
        while i < chars.count {
            let c = chars[i]
            if c == "\\" {
                i += 2  // an escaped character never opens or closes a group
                continue
            }
            if c == "{" { depth += 1 }
            if c == "}" {
                depth -= 1
                if depth == 0 { return i }
            }
            i += 1
        }
        return nil
    }

    /// Whether `chars[at...]` starts with `word`.
    static func hasPrefix(_ chars: [Character], _ word: [Character], at: Int) -> Bool {
        guard at >= 0, at + word.count <= chars.count else { return false }
        for k in 0..<word.count where chars[at + k] != word[k] { return false }
        return true
    }

    /// Whether a command name `\name` at `at` ends there (the next character is not a letter), so `\text` does not
    /// match `\textbf`.
    static func commandEnds(_ chars: [Character], after end: Int) -> Bool {
        end >= chars.count || !chars[end].isLetter
    }

    /// Replaces every `\name{X}` (for each name) by `X`, innermost groups included. `\name X` without braces loses
    /// only the command.
    public static func unwrapping(_ text: String, commands names: [String]) -> String {
        var chars = Array(text)
        var changed = true
        while changed {
            changed = false
            var out: [Character] = []
            out.reserveCapacity(chars.count)
            var i = 0
            scan: while i < chars.count {
                if chars[i] == "\\" {
                    for name in names {
                        let word = Array("\\" + name)
                        guard hasPrefix(chars, word, at: i), commandEnds(chars, after: i + word.count) else { continue }
                        var j = i + word.count
                        while j < chars.count, chars[j] == " " { j += 1 }
                        if j < chars.count, chars[j] == "{", let close = closingBrace(in: chars, openAt: j) {
                            out.append(contentsOf: chars[(j + 1)..<close])
                            i = close + 1
                        } else {
                            i = j
                        }
                        changed = true
                        continue scan
                    }
                }
                out.append(chars[i])
                i += 1
            }
            chars = out
        }
        return String(chars)
    }

    /// The content of the last well-formed `\boxed{…}` (or `\fbox{…}`), or of `\boxed X` up to the next space or `$`.
    public static func lastBoxed(in text: String) -> String? {
        let chars = Array(text)
        var i = chars.count - 1
        while i >= 0 {
            if chars[i] == "\\" {
                for word in ["\\boxed", "\\fbox"] {
                    let w = Array(word)
                    guard hasPrefix(chars, w, at: i), commandEnds(chars, after: i + w.count) else { continue }
                    var j = i + w.count
                    if j < chars.count, chars[j] == "{" {
                        if let close = closingBrace(in: chars, openAt: j) {
                            return String(chars[(j + 1)..<close])
                        }
                    } else {
                        while j < chars.count, chars[j] == " " { j += 1 }
                        var k = j
                        while k < chars.count, chars[k] != " ", chars[k] != "$", chars[k] != "\n" { k += 1 }
                        if k > j { return String(chars[j..<k]) }
                    }
                }
            }
            i -= 1
        }
        return nil
    }

    /// Removes one layer of math-mode delimiters around the whole text: `$…$`, `$$…$$`, `\(…\)`, `\[…\]`.
    public static func strippingMathDelimiters(_ text: String) -> String {
        var s = trimmed(text)
        var changed = true
        while changed {
            changed = false
            for (open, close) in [("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]")] {
                if s.count >= open.count + close.count, s.hasPrefix(open), s.hasSuffix(close) {
                    s = trimmed(String(s.dropFirst(open.count).dropLast(close.count)))
                    changed = true
                    break
                }
            }
        }
        return s
    }

    /// Whitespace and newlines removed at both ends.
    public static func trimmed(_ text: String) -> String {
        var s = Substring(text)
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return String(s)
    }

    /// Trailing periods (and whitespace) removed: "42." → "42". A final `\.` or digit-dot-digit is left alone.
    public static func strippingTrailingPeriods(_ text: String) -> String {
        var s = trimmed(text)
        while s.hasSuffix("."), !s.hasSuffix("\\.") {
            s = trimmed(String(s.dropLast()))
        }
        return s
    }

    /// Runs of whitespace collapsed to one space, ends trimmed.
    public static func collapsingWhitespace(_ text: String) -> String {
        var out = ""
        var pendingSpace = false
        for c in text {
            if c.isWhitespace {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(" ") }
                pendingSpace = false
                out.append(c)
            }
        }
        return out
    }

    /// Every occurrence of each string removed.
    public static func removing(_ pieces: [String], from text: String) -> String {
        var s = text
        for p in pieces where !p.isEmpty {
            s = s.replacingAll(p, with: "")
        }
        return s
    }
}

extension String {
    /// Literal (non-regex) replacement of every occurrence, left to right, without Foundation.
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        let chars = Array(self)
        let t = Array(target)
        var out: [Character] = []
        out.reserveCapacity(chars.count)
        var i = 0
        while i < chars.count {
            if LatexText.hasPrefix(chars, t, at: i) {
                out.append(contentsOf: replacement)
                i += t.count
            } else {
                out.append(chars[i])
                i += 1
            }
        }
        return String(out)
    }
}
