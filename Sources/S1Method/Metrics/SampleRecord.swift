// One graded generation: the per-sample log of results.json (lm-evaluation-harness keeps these per task as
// `samples`; we keep the same role with the fields test-time scaling needs).

/// The record of one question answered at one sweep point.
public struct SampleRecord: Codable, Equatable, Sendable {
    /// The question's stable id (lm-eval: `doc_id`).
    public var questionID: String
    /// The sweep point's stable id.
    public var point: String
    /// SHA-256 (hex) of the exact prompt text (lm-eval: `prompt_hash`).
    public var promptHash: String
    /// Thinking tokens, extension strings included (docs/METHOD.md §3).
    public var thinkingTokens: Int
    /// Answer-phase tokens generated.
    public var answerTokens: Int
    /// Tokens the engine decoded for this sample (cost), forced appends excluded.
    public var decodedTokens: Int
    /// 1 when the budget ran out and the end of thinking was forced, else 0.
    public var forcedStops: Int
    /// How many end-of-thinking delimiters were ignored (extension strings appended).
    public var ignoredEnds: Int
    /// Generations tried (rejection sampling); 1 otherwise.
    public var tries: Int
    /// The gold answer (lm-eval: `target`).
    public var target: String
    /// The extracted answer (lm-eval: `filtered_resps`).
    public var extractedAnswer: String
    public var correct: Bool
    /// The generation as spans (sampled text and forced strings), kept for a few samples per point so the report
    /// can show where forcing intervened; nil otherwise.
    public var trace: [TraceSpan]?

    public init(questionID: String, point: String, promptHash: String, thinkingTokens: Int, answerTokens: Int,
                decodedTokens: Int, forcedStops: Int, ignoredEnds: Int, tries: Int = 1, target: String,
                extractedAnswer: String, correct: Bool) {
        self.questionID = questionID
        self.point = point
        self.promptHash = promptHash
        self.thinkingTokens = thinkingTokens
        self.answerTokens = answerTokens
        self.decodedTokens = decodedTokens
        self.forcedStops = forcedStops
        self.ignoredEnds = ignoredEnds
        self.tries = tries
        self.target = target
        self.extractedAnswer = extractedAnswer
        self.correct = correct
    }

    /// The record of a controlled generation and its grading.
    public init(questionID: String, point: String, promptHash: String, transcript: ForcingTranscript,
                verdict: GradeVerdict, target: String, tries: Int = 1, decodedTokens: Int? = nil) {
        self.init(questionID: questionID, point: point, promptHash: promptHash,
                  thinkingTokens: transcript.accounting.thinkingTokens, answerTokens: transcript.accounting.answerTokens,
                  decodedTokens: decodedTokens ?? transcript.accounting.sampledTokens,
                  forcedStops: transcript.accounting.forcedStops, ignoredEnds: transcript.accounting.ignoredEnds,
                  tries: tries, target: target, extractedAnswer: verdict.predicted.text, correct: verdict.correct)
    }

    enum CodingKeys: String, CodingKey {
        case questionID = "doc_id"
        case point
        case promptHash = "prompt_hash"
        case thinkingTokens = "thinking_tokens"
        case answerTokens = "answer_tokens"
        case decodedTokens = "decoded_tokens"
        case forcedStops = "forced_stops"
        case ignoredEnds = "ignored_ends"
        case trace
        case tries
        case target
        case extractedAnswer = "extracted_answer"
        case correct
    }
}
