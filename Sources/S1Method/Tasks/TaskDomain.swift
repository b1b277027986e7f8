// The registry of synthetic domains: names experiment files use, answer kinds, and generators.
import S1Engine

/// A procedural reasoning domain of the synthetic task family (the embedded default's world).
///
/// Each domain has a difficulty dial (1 = easiest, `TaskDomain.maxDifficulty` = hardest) that lengthens the
/// worked solution, so that short thinking fails on hard instances while step-by-step thinking succeeds.
public enum TaskDomain: String, Codable, Sendable, CaseIterable, Comparable {
    case addition
    case multiplication
    case modpow
    case gcd
    case baseConversion = "base_conversion"
    case sorting
    case letterCount = "letter_count"
    case expression
    case linearEquation = "linear_equation"
    case fractionChoice = "fraction_choice"
    case weekday
    case turns
    case walk
    case count

    /// The hardest difficulty level; every domain keeps its traces within ~300 bytes there.
    public static let maxDifficulty = 8

    /// The grader that judges this domain's answers.
    public var graderKind: GraderKind {
        switch self {
        case .addition, .multiplication, .modpow, .gcd, .letterCount, .expression, .linearEquation, .walk, .count:
            return .integer
        case .baseConversion, .sorting, .weekday, .turns: return .exact
        case .fractionChoice: return .choice
        }
    }

    /// The generator and step-by-step solver of this domain.
    public var generator: any TaskGenerator {
        switch self {
        case .addition: return AdditionTask()
        case .multiplication: return MultiplicationTask()
        case .modpow: return ModPowTask()
        case .gcd: return GCDTask()
        case .baseConversion: return BaseConversionTask()
        case .sorting: return SortingTask()
        case .letterCount: return LetterCountTask()
        case .expression: return ExpressionTask()
        case .linearEquation: return LinearEquationTask()
        case .fractionChoice: return FractionChoiceTask()
        case .weekday: return WeekdayTask()
        case .turns: return TurnsTask()
        case .walk: return WalkTask()
        case .count: return CountTask()
        }
    }

    /// Parses a domain name, with a typed error listing the valid names.
    public static func named(_ name: String) throws -> TaskDomain {
        if let domain = TaskDomain(rawValue: name) { return domain }
        throw TaskError.unknownDomain(found: name, valid: allCases.map(\.rawValue))
    }

    public static func < (lhs: TaskDomain, rhs: TaskDomain) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Errors of synthetic task generation (user configuration).
public enum TaskError: Error, Equatable, CustomStringConvertible {
    case unknownDomain(found: String, valid: [String])
    case badDifficulty(found: ClosedRange<Int>, valid: ClosedRange<Int>)
    case noDomains
    case badFraction(name: String, found: Double)
    /// The split ran out of distinct questions: the requested size exceeds what these domains and difficulties
    /// can produce.
    case questionSpaceExhausted(split: String, generated: Int, requested: Int)

    public var description: String {
        switch self {
        case let .unknownDomain(found, valid):
            return "unknown task domain '\(found)': expected one of \(valid.joined(separator: ", "))"
        case let .badDifficulty(found, valid):
            return "difficulty range \(found.lowerBound)...\(found.upperBound) is outside "
                + "\(valid.lowerBound)...\(valid.upperBound); choose levels within it"
        case .noDomains:
            return "no task domains selected: list at least one domain or use `all`"
        case let .badFraction(name, found):
            return "\(name) must be a fraction in 0...1 (and error + correction rates at most 1), found \(found)"
        case let .questionSpaceExhausted(split, generated, requested):
            return "split '\(split)' found only \(generated) distinct questions of the \(requested) requested; "
                + "lower the size or widen the domains/difficulties"
        }
    }
}
