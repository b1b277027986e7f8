// Prefix-sharing sweeps: a budget sweep or an ignore-count sweep generates one chain per question and forks the
// forced answer at each point, instead of rerunning every point from the prompt. Correct because a point's
// controller makes the same decisions as the chain's up to its fork point, and a forked session continues exactly
// as a fresh one would; the tests check every point against running it alone, bitwise.

/// A sweep's per-point transcripts and what the sharing saved.
public struct SweepOutcome: Equatable, Sendable {
    /// Transcript per point value (budget or ignore count).
    public var points: [Int: ForcingTranscript]
    /// Tokens sampled by the shared execution (chain plus forks).
    public var sampledShared: Int

    /// Tokens the points would have sampled run one by one.
    public var sampledSeparate: Int { points.values.map(\.accounting.sampledTokens).reduce(0, +) }
}

public enum PrefixSharingSweep {
    /// A `max_thinking_tokens` sweep: `base` with each budget in `budgets`. Forks where the chain (largest budget)
    /// is still thinking at a smaller budget; points the chain never reaches while thinking share its result.
    /// Nil when `base.ignoreEnd > 0`: the ignore rule depends on the budget, so decisions before a fork could differ
    /// (run such points separately).
    public static func budgets<S: ForkableSession>(_ budgets: [Int], base: ForcingConfig, tokens: ForcingTokens,
                                                  promptEndsWithNewline: Bool, session: S) -> SweepOutcome? {
        guard base.ignoreEnd == 0, let largest = budgets.max() else { return nil }
        var waiting = Array(Set(budgets)).sorted().dropLast()[...]
        var chainConfig = base
        chainConfig.maxThinkingTokens = largest
        var controller = BudgetForcing(config: chainConfig, tokens: tokens, promptEndsWithNewline: promptEndsWithNewline)
        var session = session
        var transcript = ForcingTranscript()
        var points: [Int: ForcingTranscript] = [:]
        var sampled = 0
        while true {
            while let b = waiting.first, controller.isBetweenThinkingSteps, controller.accounting.thinkingTokens >= b {
                let forked = ForcingDriver.runFork(controller.withMaxThinkingTokens(b), session.fork(), transcript)
                points[b] = forked
                sampled += forked.accounting.sampledTokens - controller.accounting.sampledTokens
                waiting = waiting.dropFirst()
            }
            if !ForcingDriver.step(&controller, &session, &transcript) { break }
        }
        // Budgets the chain never reached while thinking: they stop where the chain stopped.
        for b in waiting { points[b] = transcript }
        points[largest] = transcript
        sampled += controller.accounting.sampledTokens
        return SweepOutcome(points: points, sampledShared: sampled)
    }

    /// An `ignore_end` sweep: `base` with each count in `counts`. The chain ignores the most ends; the point with
    /// count k forks when the chain samples its (k+1)-th end of thinking, and accepts it there.
    public static func ignoreCounts<S: ForkableSession>(_ counts: [Int], base: ForcingConfig, tokens: ForcingTokens,
                                                       promptEndsWithNewline: Bool, session: S) -> SweepOutcome? {
        guard let most = counts.max(), most >= 0 else { return nil }
        var waiting = Array(Set(counts)).sorted().dropLast()[...]
        var chainConfig = base
        chainConfig.ignoreEnd = most
        var controller = BudgetForcing(config: chainConfig, tokens: tokens, promptEndsWithNewline: promptEndsWithNewline)
        var session = session
        var transcript = ForcingTranscript()
        var points: [Int: ForcingTranscript] = [:]
        var sampled = 0
        loop: while true {
            let wasThinking = controller.phase == .thinking
            let directive = controller.next()
            switch directive {
            case .stop:
                transcript.accounting = controller.accounting
                break loop
            case .force(let forced):
                session.commit(forced)
                if wasThinking && controller.phase == .thinking { transcript.thinking += forced } else { transcript.answer += forced }
            case .sample(let suppressed):
                let token = session.sample(suppressing: suppressed)
                if controller.phase == .thinking, tokens.thinkingStops.contains(token),
                   let k = waiting.first, controller.accounting.ignoredEnds == k {
                    // The point with k ignores accepts this end: branch before the chain ignores it.
                    let sampledBefore = controller.accounting.sampledTokens
                    var fork = controller.withIgnoreEnd(k)
                    var forkSession = session.fork()
                    var forkTranscript = transcript
                    _ = fork.consume(token)  // an end of thinking is never kept
                    forkTranscript.accounting = fork.accounting
                    while ForcingDriver.step(&fork, &forkSession, &forkTranscript) {}
                    points[k] = forkTranscript
                    // The end token itself was sampled once, by the chain.
                    sampled += forkTranscript.accounting.sampledTokens - sampledBefore - 1
                    waiting = waiting.dropFirst()
                }
                let phaseBefore = controller.phase
                if controller.consume(token) {
                    session.commit([token])
                    if phaseBefore == .thinking { transcript.thinking.append(token) } else { transcript.answer.append(token) }
                }
            }
            transcript.accounting = controller.accounting
        }
        // Counts the chain never used (it ran out of ends or budget first) end exactly like the chain.
        for k in waiting { points[k] = transcript }
        points[most] = transcript
        sampled += controller.accounting.sampledTokens
        return SweepOutcome(points: points, sampledShared: sampled)
    }
}

extension ForcingDriver {
    /// Runs a forked controller and session to completion from a copy of the chain's transcript.
    static func runFork<S: ForcingSession>(_ controller: BudgetForcing, _ session: S,
                                           _ transcript: ForcingTranscript) -> ForcingTranscript {
        var controller = controller
        var session = session
        var transcript = transcript
        while step(&controller, &session, &transcript) {}
        return transcript
    }
}
