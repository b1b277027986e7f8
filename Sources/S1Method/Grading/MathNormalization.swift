// String-level clean-up of LaTeX answers before parsing: the decorations that never change a value
// (`\left`/`\right`, thin spaces, `\dfrac`, degree signs, dollar signs, units in `\text{}`, trailing periods).

/// A normalised answer string plus what normalisation removed that still matters for comparison.
public struct NormalizedMathAnswer: Equatable, Sendable {
    public var text: String
    /// A `%` was removed: "50\%" may be compared as 50 or as 0.5.
    public var isPercent: Bool

    public init(text: String, isPercent: Bool) {
        self.text = text
        self.isPercent = isPercent
    }
}

/// The `math` grader's normaliser.
public enum MathNormalization {
    static let removedPieces = [
        "\\left", "\\right", "\\bigl", "\\bigr", "\\Bigl", "\\Bigr", "\\big", "\\Big", "\\displaystyle",
        "\\!", "\\,", "\\;", "\\:", "\\ ", "\\qquad", "\\quad", "{,}", "^{\\circ}", "^\\circ", "\\circ", "°",
        "\\$", "$", "~",
    ]

    /// Normalises one answer (already extracted from its response).
    public static func normalize(_ answer: String) -> NormalizedMathAnswer {
        var s = LatexText.strippingMathDelimiters(LatexText.strippingTrailingPeriods(answer))
        s = s.replacingAll("\\dfrac", with: "\\frac").replacingAll("\\tfrac", with: "\\frac")
            .replacingAll("\\dbinom", with: "\\binom").replacingAll("\\tbinom", with: "\\binom")
            .replacingAll("\\le ", with: "\\leq ").replacingAll("\\ge ", with: "\\geq ")
        // `\left\{` loses `\left` and keeps `\{`: the set braces survive. A row break `\\` is protected first, or
        // its second backslash and a following space would read as the spacing command `\ `.
        let rowBreak = "\u{1E}"
        s = s.replacingAll("\\\\", with: rowBreak)
        s = LatexText.removing(removedPieces, from: s)
        s = s.replacingAll(rowBreak, with: "\\\\")
        var isPercent = false
        if s.contains("%") {
            isPercent = true
            s = LatexText.removing(["\\%", "%"], from: s)
        }
        s = removingTextUnits(s)
        s = LatexText.strippingTrailingPeriods(LatexText.strippingMathDelimiters(s))
        s = removingThousandsSeparators(LatexText.trimmed(s))
        return NormalizedMathAnswer(text: s, isPercent: isPercent)
    }

    /// `12\text{ cm}` → `12`: a `\text{…}` of words after other content is a unit. Any other `\text{X}` (and
    /// `\mathrm`, `\textbf`, `\mbox`) is replaced by `X`, so `\text{12}` is 12 and `\text{Yes}` is Yes.
    static func removingTextUnits(_ text: String) -> String {
        let chars = Array(text)
        var out: [Character] = []
        var i = 0
        let commands = ["\\text", "\\textbf", "\\textit", "\\mathrm", "\\mathbf", "\\mbox", "\\operatorname"]
        scan: while i < chars.count {
            if chars[i] == "\\" {
                for command in commands {
                    let word = Array(command)
                    guard LatexText.hasPrefix(chars, word, at: i), LatexText.commandEnds(chars, after: i + word.count)
                    else { continue }
                    var j = i + word.count
                    while j < chars.count, chars[j] == " " { j += 1 }
                    guard j < chars.count, chars[j] == "{", let close = LatexText.closingBrace(in: chars, openAt: j)
                    else { continue }
                    let content = Array(chars[(j + 1)..<close])
                    let hasContentBefore = !out.allSatisfy { $0.isWhitespace }
                    let isWords = !content.isEmpty && content.allSatisfy { $0.isLetter || $0 == " " || $0 == "." }
                        && content.contains { $0.isLetter }
                    i = close + 1
                    if !(hasContentBefore && isWords) {
                        out.append(contentsOf: content)
                    } else if i < chars.count, chars[i] == "^" {
                        // A squared or cubed unit ("\text{ m}^2") loses its exponent with it.
                        var j = i + 1
                        if j < chars.count, chars[j] == "{", let end = LatexText.closingBrace(in: chars, openAt: j) {
                            j = end + 1
                        } else if j < chars.count {
                            j += 1
                        }
                        i = j
                    }
                    continue scan
                }
            }
            out.append(chars[i])
            i += 1
        }
        return String(out)
    }

    /// "12,345" and "-1,234,567.5" lose their commas; "1,2" and "4, -1" (lists) keep them.
    static func removingThousandsSeparators(_ text: String) -> String {
        var body = Substring(text)
        if body.hasPrefix("-") { body = body.dropFirst() }
        let integerPart = body.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = integerPart.first, whole.contains(",") else { return text }
        if integerPart.count == 2, !integerPart[1].allSatisfy({ $0.isASCII && $0.isNumber }) { return text }
        let groups = whole.split(separator: ",", omittingEmptySubsequences: false)
        guard let first = groups.first, (1...3).contains(first.count),
              groups.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              groups.dropFirst().allSatisfy({ $0.count == 3 }) else { return text }
        return text.replacingAll(",", with: "")
    }
}
