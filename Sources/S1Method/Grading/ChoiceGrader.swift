// GPQA answers are letters of shuffled options; models write "B", "(B)", "\boxed{B}", "Answer: B",
// "The answer is (B)", "B) 42 kJ" or just the option's text.

/// Grades multiple-choice answers by option letter.
public struct ChoiceGrader: AnswerGrader {
    public var kind: GraderKind { .choice }

    public init() {}

    /// `gold` is a letter ("B") or, when `options` are given, the text of the correct option.
    public func isEquivalent(answer: String, gold: String, options: [String] = []) -> Bool {
        guard let g = Self.letter(of: gold, options: options), let a = Self.letter(of: answer, options: options)
        else { return false }
        return a == g
    }

    /// The option letter an answer names, or nil when it names none (or is ambiguous).
    public static func letter(of text: String, options: [String] = []) -> Character? {
        let letters = validLetters(optionCount: options.count)
        var s = LatexText.strippingMathDelimiters(text)
        if let boxed = LatexText.lastBoxed(in: s) { s = boxed }
        s = LatexText.unwrapping(s, commands: ["text", "textbf", "mathrm", "mathbf", "mbox"])
        s = LatexText.strippingTrailingPeriods(LatexText.strippingMathDelimiters(s))
        let chars = Array(s)
        // A leading letter, optionally in parentheses, alone or followed by punctuation and the option text:
        // "B", "(B)", "B.", "B)", "B: 42 kJ". Only capital letters, so the article "a" never counts.
        if let lead = leadingLetter(chars), letters.contains(lead) { return lead }
        // The text of exactly one option.
        if !options.isEmpty {
            let normalized = ExactGrader.normalized(s)
            let hits = options.indices.filter { ExactGrader.normalized(options[$0]) == normalized }
            if hits.count == 1 { return letters[hits[0]] }
        }
        // "the answer is (B)", "option C", "choice: D": the last such phrase.
        return lastPhraseLetter(chars, letters: letters)
    }

    /// A..D for GPQA when options are unknown; otherwise one letter per option (at most 26).
    static func validLetters(optionCount: Int) -> [Character] {
        let n = optionCount == 0 ? 4 : min(optionCount, 26)
        return (0..<n).map { Character(Unicode.Scalar(UInt8(65 + $0))) }
    }

    static func leadingLetter(_ chars: [Character]) -> Character? {
        var i = 0
        let parenthesised = i < chars.count && chars[i] == "("
        if parenthesised { i += 1 }
        guard i < chars.count, chars[i].isUppercase, chars[i].isASCII else { return nil }
        let letter = chars[i]
        i += 1
        if parenthesised {
            guard i < chars.count, chars[i] == ")" else { return nil }
            i += 1
        }
        if i == chars.count { return letter }
        // After the letter: a separator, then anything (the option text).
        if [")", ".", ":"].contains(chars[i]) { return letter }
        if parenthesised, chars[i] == " " { return letter }
        return nil
    }

    static func lastPhraseLetter(_ chars: [Character], letters: [Character]) -> Character? {
        let lower = chars.map { Character($0.lowercased()) }
        var best: (position: Int, letter: Character)? = nil
        for phrase in ["answer is", "answer:", "option", "choice"] {
            let p = Array(phrase)
            var i = 0
            while i + p.count <= lower.count {
                if LatexText.hasPrefix(lower, p, at: i) {
                    var j = i + p.count
                    while j < chars.count, chars[j] == " " || chars[j] == ":" || chars[j] == "(" { j += 1 }
                    if j < chars.count, letters.contains(chars[j]),
                       j + 1 == chars.count || !chars[j + 1].isLetter {
                        if best == nil || i > best!.position { best = (i, chars[j]) }
                    }
                }
                i += 1
            }
        }
        return best?.letter
    }
}
