// The parameters of selection: quality rules, difficulty rules, preselection, diversity variant, selector.

/// Quality filter (paper: drop API errors, then formatting problems).
public struct QualityRules: Codable, Equatable, Sendable {
    /// Substrings in the question or attempt that mark a formatting problem (`[asy]` diagrams, image links).
    public var dropPatterns: [String]
    /// Substrings in the thinking or attempt that mark a failed teacher call.
    public var errorMarkers: [String]
    /// Drop questions whose numbered lines (`1.`, `2)`) skip or repeat numbers.
    public var checkNumbering: Bool

    public init(dropPatterns: [String] = ["[asy]", "![Image]"], errorMarkers: [String] = ["[ERROR]", "API error"],
                checkNumbering: Bool = true) {
        self.dropPatterns = dropPatterns
        self.errorMarkers = errorMarkers
        self.checkNumbering = checkNumbering
    }
}

/// Difficulty filter: drop what any listed base model solves.
public struct DifficultyRules: Codable, Equatable, Sendable {
    /// Base-model names looked up in `base_results`; a record is dropped if any of them is `true`.
    /// A record without an annotation for a listed model is kept and counted in the summary.
    public var solvedBy: [String]

    public init(solvedBy: [String] = []) { self.solvedBy = solvedBy }
}

/// One clause of the preselection filter; a record is preselected when it matches any clause.
/// The paper's rule is two clauses: {source AIME or GPQA, teacher correct} and {source MATH, teacher correct,
/// trace over 5,600 tokens}.
public struct PreselectClause: Codable, Equatable, Sendable {
    /// Matches these `selectionDomain`s (nil: any).
    public var domains: [String]?
    /// Matches these `source_type`s (nil: any).
    public var sourceTypes: [String]?
    /// Requires `teacher_correct == true`.
    public var teacherCorrect: Bool
    /// Requires a trace strictly longer than this many tokens (nil: any length).
    public var minTraceTokens: Int?

    public init(domains: [String]? = nil, sourceTypes: [String]? = nil, teacherCorrect: Bool = true,
                minTraceTokens: Int? = nil) {
        self.domains = domains
        self.sourceTypes = sourceTypes
        self.teacherCorrect = teacherCorrect
        self.minTraceTokens = minTraceTokens
    }

    func matches(_ record: PoolRecord) -> Bool {
        if let domains, !domains.contains(record.selectionDomain) { return false }
        if let sourceTypes, !sourceTypes.contains(record.sourceType) { return false }
        if teacherCorrect, record.teacherCorrect != true { return false }
        if let minTraceTokens, (record.traceTokens ?? 0) <= minTraceTokens { return false }
        return true
    }
}

/// Which form of Algorithm 1's domain choice.
public enum DiversityVariant: String, Codable, Sendable, CaseIterable {
    /// The paper's appendix: a uniformly random non-exhausted domain at every pick.
    case paper
    /// The released notebook: uniform domains while fewer than 700 (of 1,000) are selected, then domains in
    /// the preselection's domain mix. The threshold scales with the target: round(700 · target / 1000).
    case notebook
}

/// The selection method (Table 2's rows).
public enum Selector: String, Codable, Sendable, CaseIterable {
    /// Quality → difficulty → preselection + Algorithm 1 (s1K).
    case s1
    /// `target` uniformly random quality-filtered records.
    case random
    /// Uniform over domains, uniform within a domain, no difficulty filter.
    case diverse
    /// The `target` longest traces among quality-filtered records.
    case longest
    /// Every quality-filtered record.
    case full
}

/// Everything selection reads.
public struct SelectionConfig: Codable, Equatable, Sendable {
    public var selector: Selector
    public var target: Int
    public var variant: DiversityVariant
    public var quality: QualityRules
    public var difficulty: DifficultyRules
    public var preselect: [PreselectClause]
    /// Word n-gram length for decontamination against the benchmark questions.
    public var ngram: Int
    /// The notebook variant's count of uniformly chosen selections; nil: round(700 · target / 1000).
    public var notebookUniformUntil: Int?

    public init(selector: Selector = .s1, target: Int = 1000, variant: DiversityVariant = .paper,
                quality: QualityRules = QualityRules(), difficulty: DifficultyRules = DifficultyRules(),
                preselect: [PreselectClause] = [], ngram: Int = 8, notebookUniformUntil: Int? = nil) {
        self.selector = selector
        self.target = target
        self.variant = variant
        self.quality = quality
        self.difficulty = difficulty
        self.preselect = preselect
        self.ngram = ngram
        self.notebookUniformUntil = notebookUniformUntil
    }
}

/// Selection errors (user configuration versus pool contents).
public enum SelectionError: Error, Equatable, CustomStringConvertible {
    case badTarget(Int)
    case badNgram(Int)
    case preselectionExceedsTarget(preselected: Int, target: Int)
    case poolTooSmall(available: Int, target: Int, stage: String)

    public var description: String {
        switch self {
        case let .badTarget(n): return "selection size must be positive, found \(n)"
        case let .badNgram(n): return "decontamination n-gram length must be positive, found \(n)"
        case let .preselectionExceedsTarget(preselected, target):
            return "the preselect filter matches \(preselected) records, more than the target \(target); "
                + "narrow the filter or raise the size"
        case let .poolTooSmall(available, target, stage):
            return "only \(available) records remain after \(stage), fewer than the target \(target); "
                + "lower the size, enlarge the pool, or relax the filters"
        }
    }
}
