// The fallback for free-form answers: equal after the normalisations that never change meaning.

/// Grades by normalised string equality.
public struct ExactGrader: AnswerGrader {
    public var kind: GraderKind { .exact }

    public init() {}

    public func isEquivalent(answer: String, gold: String, options: [String] = []) -> Bool {
        Self.normalized(answer) == Self.normalized(gold)
    }

    /// Math delimiters and `\text{…}` removed, whitespace collapsed, trailing period dropped, lower-cased.
    public static func normalized(_ text: String) -> String {
        var s = LatexText.strippingMathDelimiters(LatexText.strippingTrailingPeriods(text))
        s = LatexText.unwrapping(s, commands: ["text", "textbf", "textit", "mathrm", "mbox"])
        s = LatexText.strippingMathDelimiters(s)
        s = LatexText.strippingTrailingPeriods(s)
        return LatexText.collapsingWhitespace(s).lowercased()
    }
}
