// One pool record in the public s1K schema, plus the fields selection needs.

/// A question with its teacher trace, in the field names of the public s1K dataset (`question`, `solution`,
/// `cot_type`, `source_type`, `metadata`, `thinking_trajectories`, `attempt`), so that a real s1K-style pool
/// drops in; plus `domain`, `trace_tokens`, `teacher_correct`, `base_results` and `options` for selection and
/// grading. Optional fields are omitted from JSON when absent.
public struct PoolRecord: Codable, Equatable, Sendable {
    public var question: String
    /// The reference answer (for synthetic records, the gold answer as the domain's grader expects it).
    public var solution: String
    /// s1K uses `math`, `science` and `crossword`; synthetic records use `math`.
    public var cotType: String
    /// Where the question came from (s1K: e.g. `qq8933/AIME_1983_2024`; synthetic: `synthetic/<domain>`).
    public var sourceType: String
    /// Free-form metadata as a string, as in s1K (synthetic records store `{"difficulty":N}`).
    public var metadata: String
    /// The teacher's reasoning traces; s1K has exactly one per record.
    public var thinkingTrajectories: [String]
    /// The teacher's final answer text.
    public var attempt: String
    /// The diversity domain; s1K-style pools without it fall back to `source_type` (see `selectionDomain`).
    public var domain: String?
    /// Tokens of the thinking trace under the experiment's tokenizer, filled in by selection.
    public var traceTokens: Int?
    /// Whether the teacher's attempt grades correct against the solution.
    public var teacherCorrect: Bool?
    /// Base-model name → whether it answered correctly (difficulty filter); absent until annotated.
    public var baseResults: [String: Bool]?
    /// Multiple-choice options in letter order, for choice-graded records.
    public var options: [String]?

    public init(question: String, solution: String, cotType: String = "math", sourceType: String,
                metadata: String = "", thinkingTrajectories: [String], attempt: String, domain: String? = nil,
                traceTokens: Int? = nil, teacherCorrect: Bool? = nil, baseResults: [String: Bool]? = nil,
                options: [String]? = nil) {
        self.question = question
        self.solution = solution
        self.cotType = cotType
        self.sourceType = sourceType
        self.metadata = metadata
        self.thinkingTrajectories = thinkingTrajectories
        self.attempt = attempt
        self.domain = domain
        self.traceTokens = traceTokens
        self.teacherCorrect = teacherCorrect
        self.baseResults = baseResults
        self.options = options
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case question, solution, metadata, attempt, domain, options
        case cotType = "cot_type"
        case sourceType = "source_type"
        case thinkingTrajectories = "thinking_trajectories"
        case traceTokens = "trace_tokens"
        case teacherCorrect = "teacher_correct"
        case baseResults = "base_results"
    }

    /// The thinking text selection measures: all trajectories joined by newlines.
    public var thinking: String { thinkingTrajectories.joined(separator: "\n") }

    /// The domain Algorithm 1 groups by: `domain`, else `source_type` (real s1K records carry no domain field;
    /// run a classifier upstream and fill `domain` to get the paper's MSC domains).
    public var selectionDomain: String {
        if let domain, !domain.isEmpty { return domain }
        return sourceType
    }

    /// The grader of a synthetic record's domain; nil for records from other sources (their benchmark names one).
    public var syntheticGraderKind: GraderKind? { domain.flatMap(TaskDomain.init(rawValue:))?.graderKind }
}
