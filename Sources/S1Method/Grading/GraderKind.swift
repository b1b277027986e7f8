// The grader interface and the registry of grader kinds named in experiment files (`grader: integer`).

/// A rule that decides whether an extracted answer matches the gold answer.
public protocol AnswerGrader: Sendable {
    /// The name experiment files use for this grader.
    var kind: GraderKind { get }
    /// Whether `answer` (already extracted from a response) is equivalent to `gold`. `options` are the
    /// multiple-choice options in letter order (A, B, …) where the question has them, else empty.
    func isEquivalent(answer: String, gold: String, options: [String]) -> Bool
}

/// The graders an experiment can name.
public enum GraderKind: String, Codable, Sendable, CaseIterable {
    /// AIME-style integers: leading zeros, thousands commas and surrounding `$` do not matter.
    case integer
    /// GPQA-style multiple choice: a letter in any common wrapping, or the text of an option.
    case choice
    /// Normalised string equality (case, whitespace, math delimiters, trailing period).
    case exact
    /// LaTeX equivalence in the spirit of math-verify: numeric, symbolic-by-evaluation, element-wise.
    case math

    /// Parses a grader name, with a typed error listing the valid names.
    public static func named(_ name: String) throws -> GraderKind {
        if let kind = GraderKind(rawValue: name) { return kind }
        throw GradingError.unknownGrader(found: name, valid: allCases.map(\.rawValue))
    }

    /// The grader implementing this kind, with default settings.
    public var grader: any AnswerGrader {
        switch self {
        case .integer: return IntegerGrader()
        case .choice: return ChoiceGrader()
        case .exact: return ExactGrader()
        case .math: return MathGrader()
        }
    }
}

/// Errors of the grading layer (user input: grader names, pair files).
public enum GradingError: Error, Equatable, CustomStringConvertible {
    case unknownGrader(found: String, valid: [String])
    /// A line of a pairs file that is not a `{"pred": …, "gold": …}` object.
    case badPairLine(path: String, line: Int, expected: String, found: String)

    public var description: String {
        switch self {
        case let .unknownGrader(found, valid):
            return "unknown grader '\(found)': expected one of \(valid.joined(separator: ", ")); "
                + "set `grader:` to one of them"
        case let .badPairLine(path, line, expected, found):
            return "\(path):\(line): expected \(expected), found \(found); fix or remove this line"
        }
    }
}
