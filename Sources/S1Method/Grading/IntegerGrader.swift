// AIME answers are integers 0–999, but models write them as "033", "1,000", "$42$", "42.", "\$42" or "x = 42".

/// Grades integer answers by value, written in any of the usual decorations.
public struct IntegerGrader: AnswerGrader {
    public var kind: GraderKind { .integer }

    public init() {}

    public func isEquivalent(answer: String, gold: String, options: [String] = []) -> Bool {
        guard let a = Self.canonicalInteger(answer), let g = Self.canonicalInteger(gold) else { return false }
        return a == g
    }

    /// The integer in `text` as a canonical decimal string (sign only if negative, no leading zeros), or nil when
    /// the text is not one integer. Strings, not `Int`, so that arbitrarily long answers compare without overflow.
    public static func canonicalInteger(_ text: String) -> String? {
        var s = LatexText.strippingMathDelimiters(text)
        if let boxed = LatexText.lastBoxed(in: s) { s = boxed }
        s = LatexText.unwrapping(s, commands: ["text", "textbf", "mathrm", "mathbf", "mbox"])
        s = LatexText.removing(["\\$", "$", "\\,", "\\!", "\\;", "\\ ", "{,}", "^\\circ", "^{\\circ}", "\\%", "%"], from: s)
        s = LatexText.strippingTrailingPeriods(s)
        // "x = 42" / "n=42": the value after a single-variable equation.
        if let eq = s.firstIndex(of: "=") {
            let lhs = LatexText.trimmed(String(s[..<eq]))
            guard lhs.count == 1, lhs.first!.isLetter else { return nil }
            s = String(s[s.index(after: eq)...])
        }
        s = String(s.filter { !$0.isWhitespace })
        var negative = false
        if s.hasPrefix("+") { s.removeFirst() } else if s.hasPrefix("-") { negative = true; s.removeFirst() }
        // "42.000" is the integer 42; "42.5" is not an integer.
        if let dot = s.firstIndex(of: ".") {
            let fraction = s[s.index(after: dot)...]
            guard !fraction.isEmpty, fraction.allSatisfy({ $0 == "0" }) else { return nil }
            s = String(s[..<dot])
        }
        // Thousands separators only where they group by three: "1,000" is 1000, "1,2" is not an integer.
        if s.contains(",") {
            let groups = s.split(separator: ",", omittingEmptySubsequences: false)
            guard let first = groups.first, (1...3).contains(first.count),
                  groups.dropFirst().allSatisfy({ $0.count == 3 }) else { return nil }
            s = groups.joined()
        }
        guard !s.isEmpty, s.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let digits = s.drop { $0 == "0" }
        if digits.isEmpty { return "0" }
        return (negative ? "-" : "") + digits
    }
}
