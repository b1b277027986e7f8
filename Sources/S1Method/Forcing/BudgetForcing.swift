// Budget forcing (docs/METHOD.md §3) as a pure state machine over token ids. The generator asks `next()` what to do —
// sample (with some tokens suppressed), append forced tokens, or stop — and reports each sampled token through
// `consume(_:)`, which says whether the token is kept. No model, no I/O: the engine's decoding loop (or a scripted
// test model) drives it, and prefix-sharing sweeps copy it.

/// How the thinking budget is shared between extension rounds.
public enum BudgetSemantics: String, Codable, Sendable {
    /// The public example's rule: each round may use what is left, remaining = max_thinking_tokens − thinking so
    /// far (extension strings included). Thinking therefore never exceeds the budget. An end is ignored only when
    /// the extension string still fits with room for one more token, mirroring the example's `remaining > 0` check.
    case remainingPerRound = "remaining_budget_per_round"
}

/// Where a spent budget cuts the thinking (docs/METHOD.md, "Where a cut lands": forcing the answer mid-step costs a lot on step-structured
/// traces, so the cut is a recorded choice).
public enum BudgetCut: Codable, Equatable, Sendable {
    /// Cut exactly at the budget (the paper).
    case exact
    /// Let the current step finish: keep sampling until a step delimiter is kept, at most `maxExtraTokens` past
    /// the budget. Thinking may then exceed the budget by up to that many tokens.
    case finishStep(maxExtraTokens: Int)
}

/// The forcing knobs of one sweep point.
public struct ForcingConfig: Codable, Equatable, Sendable {
    /// Maximum thinking tokens (extension strings included); reaching it forces the end of thinking.
    public var maxThinkingTokens: Int
    /// Suppress the end of thinking until this many thinking tokens exist (the "minimum" variant).
    public var minThinkingTokens: Int
    /// Ignore the end of thinking this many times, appending `extensionTokens` each time.
    public var ignoreEnd: Int
    /// The extension string's tokens ("Wait"; empty for the paper's "no string" ablation).
    public var extensionTokens: [Int]
    /// Maximum answer tokens after the end of thinking.
    public var maxAnswerTokens: Int
    /// Step budget for step-conditional control with forcing (SCC + BF); nil for none.
    public var maxThinkingSteps: Int?
    /// Stop without an answer when the budget runs out (rejection sampling discards such tries anyway).
    public var abandonOnBudget: Bool
    public var semantics: BudgetSemantics
    public var cut: BudgetCut

    public init(maxThinkingTokens: Int, minThinkingTokens: Int = 0, ignoreEnd: Int = 0, extensionTokens: [Int] = [],
                maxAnswerTokens: Int, maxThinkingSteps: Int? = nil, abandonOnBudget: Bool = false,
                semantics: BudgetSemantics = .remainingPerRound, cut: BudgetCut = .exact) {
        self.maxThinkingTokens = maxThinkingTokens
        self.minThinkingTokens = minThinkingTokens
        self.ignoreEnd = ignoreEnd
        self.extensionTokens = extensionTokens
        self.maxAnswerTokens = maxAnswerTokens
        self.maxThinkingSteps = maxThinkingSteps
        self.abandonOnBudget = abandonOnBudget
        self.semantics = semantics
        self.cut = cut
    }
}

/// What the generator does next.
public enum GenerationDirective: Equatable, Sendable {
    /// Sample one token, never one of `suppressed`; then report it with `consume(_:)`.
    case sample(suppressed: Set<Int>)
    /// Append these tokens to the context without sampling.
    case force([Int])
    /// The generation is complete.
    case stop
}

/// Counts for results.json (docs/METHOD.md §3 accounting).
public struct ForcingAccounting: Codable, Equatable, Sendable {
    /// Thinking tokens: kept sampled thinking tokens plus appended extension strings.
    public var thinkingTokens = 0
    /// Sampled answer tokens (the answer end included).
    public var answerTokens = 0
    /// Every token the model sampled, kept or not: the decoding cost.
    public var sampledTokens = 0
    /// Tokens appended by the controller (delimiters, "Final Answer:", extensions, newline).
    public var forcedTokens = 0
    /// 1 when the budget forced the end of thinking.
    public var forcedStops = 0
    /// Ends of thinking replaced by the extension string.
    public var ignoredEnds = 0
    /// Steps completed (step delimiters kept).
    public var thinkingSteps = 0
    /// Thinking tokens sampled past the budget to finish a step (`BudgetCut.finishStep`).
    public var overrunTokens = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case thinkingTokens = "thinking_tokens"
        case answerTokens = "answer_tokens"
        case sampledTokens = "sampled_tokens"
        case forcedTokens = "forced_tokens"
        case forcedStops = "forced_stops"
        case ignoredEnds = "ignored_ends"
        case thinkingSteps = "thinking_steps"
        case overrunTokens = "overrun_tokens"
    }
}

/// The budget-forcing controller for one sequence.
public struct BudgetForcing: Sendable {
    public enum Phase: String, Sendable { case thinking, answering, done }

    public private(set) var config: ForcingConfig
    public let tokens: ForcingTokens
    public private(set) var phase: Phase = .thinking
    public private(set) var accounting = ForcingAccounting()
    /// Forced tokens not yet handed out by `next()`.
    private var pending: [Int]? = nil
    /// After an extension the next token may not end thinking (the official `min_tokens=1`).
    private var suppressNextStop = false
    private var textEndsWithNewline: Bool
    /// Whether the last kept thinking token closed a step (true before any thinking).
    private var atStepBoundary = true

    /// `promptEndsWithNewline` says whether the context before thinking ends with a newline (it matters when the
    /// budget is 0).
    public init(config: ForcingConfig, tokens: ForcingTokens, promptEndsWithNewline: Bool) {
        self.config = config
        self.tokens = tokens
        self.textEndsWithNewline = promptEndsWithNewline
    }

    /// Whether the next `next()` is a plain thinking step (no pending appends): the state at which a budget sweep
    /// can fork this controller with a smaller budget.
    public var isBetweenThinkingSteps: Bool { phase == .thinking && pending == nil }

    /// Hands out the forced tokens that `consume(_:)` scheduled (the delimiter or an extension), so a caller that
    /// replaces the sampled token at once (the engine's `TokenDecision.replace`) does not append them twice.
    public mutating func takePendingForcedTokens() -> [Int]? {
        defer { pending = nil }
        return pending
    }

    /// This controller with another thinking budget, keeping all state (prefix-sharing sweeps fork with it).
    public func withMaxThinkingTokens(_ budget: Int) -> BudgetForcing {
        var copy = self
        copy.config.maxThinkingTokens = budget
        return copy
    }

    /// This controller with another ignore count, keeping all state.
    public func withIgnoreEnd(_ count: Int) -> BudgetForcing {
        var copy = self
        copy.config.ignoreEnd = count
        return copy
    }

    private var budgetSpent: Bool {
        if accounting.thinkingTokens >= config.maxThinkingTokens { return true }
        if let steps = config.maxThinkingSteps, accounting.thinkingSteps >= steps { return true }
        return false
    }

    public mutating func next() -> GenerationDirective {
        if let forced = pending {
            pending = nil
            return .force(forced)
        }
        switch phase {
        case .done:
            return .stop
        case .thinking:
            if budgetSpent, case .finishStep(let extra) = config.cut, !atStepBoundary,
               accounting.overrunTokens < extra {
                return .sample(suppressed: [])
            }
            if budgetSpent {
                accounting.forcedStops += 1
                if config.abandonOnBudget {
                    phase = .done
                    return .stop
                }
                let forced = (textEndsWithNewline ? [] : tokens.newline) + tokens.endOfThinking + tokens.forcedAnswerPrefix
                accounting.forcedTokens += forced.count
                phase = .answering
                return .force(forced)
            }
            let suppress = suppressNextStop || accounting.thinkingTokens < config.minThinkingTokens
            return .sample(suppressed: suppress ? tokens.thinkingStops : [])
        case .answering:
            if accounting.answerTokens >= config.maxAnswerTokens {
                phase = .done
                return .stop
            }
            return .sample(suppressed: [])
        }
    }

    /// Reports the token sampled after a `.sample` directive; returns whether it is kept (committed to the context).
    public mutating func consume(_ token: Int) -> Bool {
        accounting.sampledTokens += 1
        switch phase {
        case .thinking:
            suppressNextStop = false
            if tokens.thinkingStops.contains(token) {
                let ext = config.extensionTokens
                if accounting.ignoredEnds < config.ignoreEnd,
                   accounting.thinkingTokens + ext.count < config.maxThinkingTokens {
                    accounting.ignoredEnds += 1
                    accounting.thinkingTokens += ext.count
                    accounting.forcedTokens += ext.count
                    if let last = ext.last {
                        textEndsWithNewline = tokens.endsWithNewline(last)
                        pending = ext
                    }
                    suppressNextStop = true
                } else {
                    // The model ended thinking itself: only the delimiter is appended.
                    pending = tokens.endOfThinking
                    accounting.forcedTokens += tokens.endOfThinking.count
                    phase = .answering
                }
                return false
            }
            if budgetSpent { accounting.overrunTokens += 1 }
            accounting.thinkingTokens += 1
            atStepBoundary = tokens.stepDelimiters.contains(token)
            if atStepBoundary { accounting.thinkingSteps += 1 }
            textEndsWithNewline = tokens.endsWithNewline(token)
            return true
        case .answering:
            accounting.answerTokens += 1
            if tokens.answerStops.contains(token) { phase = .done }
            return true
        case .done:
            return false
        }
    }
}
