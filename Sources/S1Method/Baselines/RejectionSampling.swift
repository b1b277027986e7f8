// Rejection sampling (docs/METHOD.md §4): sample at temperature 1 until the thinking fits the budget, up to a cap on
// tries. The paper needed 655 tries per sample at its smallest budget, so the tries are recorded and reported.

/// The outcome of rejection sampling one question.
public struct RejectionOutcome: Equatable, Sendable {
    /// The accepted try, or the last try when the cap was reached.
    public var transcript: ForcingTranscript
    /// Tries made (1…cap).
    public var tries: Int
    /// Whether a try fit the budget.
    public var accepted: Bool
    /// Tokens sampled over all tries (the cost).
    public var sampledTokens: Int
}

public enum RejectionSampling {
    /// The forcing settings of one try: the budget with `abandonOnBudget`, so a trace that would not end within
    /// the budget stops at once instead of decoding an answer that will be thrown away.
    public static func tryConfig(maxThinkingTokens: Int, maxAnswerTokens: Int) -> ForcingConfig {
        ForcingConfig(maxThinkingTokens: maxThinkingTokens, maxAnswerTokens: maxAnswerTokens, abandonOnBudget: true)
    }

    /// Calls `attempt(tryIndex)` (0-based; the caller derives each try's sampling seed from it) until a try ends
    /// thinking by itself within the budget (no forced stop), or `maxTries` tries were made. `maxTries` < 1 counts
    /// as 1.
    public static func run(maxTries: Int, attempt: (Int) throws -> ForcingTranscript) rethrows -> RejectionOutcome {
        var sampled = 0
        var last = ForcingTranscript()
        let cap = max(1, maxTries)
        for index in 0..<cap {
            last = try attempt(index)
            sampled += last.accounting.sampledTokens
            if last.accounting.forcedStops == 0 {
                return RejectionOutcome(transcript: last, tries: index + 1, accepted: true, sampledTokens: sampled)
            }
        }
        return RejectionOutcome(transcript: last, tries: cap, accepted: false, sampledTokens: sampled)
    }
}
