// The shapes a final answer takes: one expression, an equation, a tuple or interval, a union of intervals, a set
// (or a bare comma list, which math-verify also reads as a set), a matrix, or words.

import Foundation

/// A parsed final answer.
public indirect enum MathAnswer: Equatable, Sendable {
    case expression(MathExpression)
    /// `lhs = rhs`; `x = 5` compares equal to `5`.
    case equation(MathExpression, MathExpression)
    /// `(a, b)`, `[a, b)`, …: brackets kept, so `[1,2)` ≠ `(1,2]`; `(1,2)` is both a tuple and an open interval.
    case bracketed(open: Character, [MathExpression], close: Character)
    /// `A \cup B \cup …` of bracketed parts.
    case union([MathAnswer])
    /// `\{a, b\}` or `a, b`: order and repetition do not matter.
    case set([MathExpression])
    /// Words (lower-cased, whitespace collapsed): "yes", "no", "even".
    case text(String)
    /// `\begin{pmatrix} a & b \\ c & d \end{pmatrix}` (also bmatrix, matrix): rows of cells.
    case matrix([[MathExpression]])
    /// A comma list whose members are not all plain expressions ("(1,2),(3,4)"): unordered, like a set.
    case collection([MathAnswer])

    /// Parses a normalised answer string; throws when it is not mathematics the parser knows.
    static let maximumTokens = 512

    static func parse(_ text: String) throws -> MathAnswer {
        if isWords(text) {
            return .text(LatexText.collapsingWhitespace(text).lowercased())
        }
        if let rows = matrixRows(text) {
            return .matrix(try rows.map { row in try row.map { try MathParser.parse(MathTokenizer.tokens($0)) } })
        }
        let tokens = MathTokenizer.tokens(text)
        guard !tokens.isEmpty else { throw MathParseError(message: "empty answer") }
        // Final answers are short; a long unboxed response is compared as text instead of being parsed.
        guard tokens.count <= maximumTokens else { throw MathParseError(message: "too long for an answer") }
        let unionParts = split(tokens, at: { $0 == .command("cup") })
        if unionParts.count > 1 {
            return .union(try unionParts.map { try parse(tokens: $0) })
        }
        return try parse(tokens: tokens)
    }

    /// Only letters, spaces and parentheses, with a run of two or more letters: "Yes", "even", "no solution".
    /// Single letters stay mathematics ("x", "(A)").
    static func isWords(_ text: String) -> Bool {
        var run = 0
        var longest = 0
        for c in text {
            if c.isLetter {
                run += 1
                longest = max(longest, run)
            } else if c == " " || c == "(" || c == ")" {
                run = 0
            } else {
                return false
            }
        }
        return longest >= 2
    }

    private static func parse(tokens: [MathToken]) throws -> MathAnswer {
        let equals = split(tokens, at: { $0 == .symbol("=") })
        if equals.count == 2 {
            return .equation(try MathParser.parse(equals[0]), try MathParser.parse(equals[1]))
        }
        guard equals.count == 1 else { throw MathParseError(message: "more than one '='") }
        if tokens.first == .command("{"), tokens.last == .command("}"), closingIndex(tokens, from: 0) == tokens.count - 1 {
            let inner = Array(tokens[1..<(tokens.count - 1)])
            if inner.isEmpty { return .set([]) }
            return .set(try split(inner, at: { $0 == .symbol(",") }).map(MathParser.parse))
        }
        if case .symbol(let open) = tokens.first, open == "(" || open == "[",
           case .symbol(let close) = tokens.last, close == ")" || close == "]",
           closingIndex(tokens, from: 0) == tokens.count - 1 {
            let parts = split(Array(tokens[1..<(tokens.count - 1)]), at: { $0 == .symbol(",") })
            if parts.count > 1 {
                return .bracketed(open: open, try parts.map(MathParser.parse), close: close)
            }
        }
        let parts = split(tokens, at: { $0 == .symbol(",") })
        if parts.count > 1 {
            let members = try parts.map { try parse(tokens: $0) }
            var expressions: [MathExpression] = []
            for member in members {
                guard case .expression(let e) = member else { return .collection(members) }
                expressions.append(e)
            }
            return .set(expressions)
        }
        return .expression(try MathParser.parse(tokens))
    }

    /// The cells of a matrix environment spanning the whole text, or nil.
    static func matrixRows(_ text: String) -> [[String]]? {
        let s = LatexText.trimmed(text)
        for kind in ["pmatrix", "bmatrix", "vmatrix", "matrix"] {
            let open = "\\begin{\(kind)}"
            let close = "\\end{\(kind)}"
            guard s.hasPrefix(open), s.hasSuffix(close), s.count >= open.count + close.count else { continue }
            let body = String(s.dropFirst(open.count).dropLast(close.count))
            let rows = body.components(separatedBy: "\\\\").map(LatexText.trimmed).filter { !$0.isEmpty }
            return rows.map { $0.components(separatedBy: "&").map(LatexText.trimmed) }
        }
        return nil
    }

    private static func opens(_ t: MathToken) -> Bool {
        t == .symbol("(") || t == .symbol("[") || t == .symbol("{") || t == .command("{")
    }

    private static func closes(_ t: MathToken) -> Bool {
        t == .symbol(")") || t == .symbol("]") || t == .symbol("}") || t == .command("}")
    }

    /// The index of the bracket closing the one at `from` (any bracket kind closes any, so `[1,2)` pairs up).
    private static func closingIndex(_ tokens: [MathToken], from: Int) -> Int? {
        var depth = 0
        for i in from..<tokens.count {
            if opens(tokens[i]) { depth += 1 }
            if closes(tokens[i]) {
                depth -= 1
                if depth == 0 { return i }
            }
        }
        return nil
    }

    /// Splits at top-level (bracket depth 0) separators.
    private static func split(_ tokens: [MathToken], at isSeparator: (MathToken) -> Bool) -> [[MathToken]] {
        var parts: [[MathToken]] = [[]]
        var depth = 0
        for t in tokens {
            if opens(t) { depth += 1 }
            if closes(t) { depth -= 1 }
            if depth == 0, isSeparator(t) {
                parts.append([])
            } else {
                parts[parts.count - 1].append(t)
            }
        }
        return parts
    }
}
