// Prefix-sharing sweeps on the engine. Budget sweep: one chain per question with the largest budget, paused at each
// smaller budget while still thinking, snapshotted and forked with that budget; chain and forks then decode
// together in one batch. Every point equals running it alone, bitwise, because sampling noise is keyed by
// (seed, request, position) and decoding is batch-invariant (tests compare against separate runs).

import S1Engine

/// The points of one engine budget sweep.
public struct EngineSweepOutcome: Sendable {
    /// Result per budget.
    public var results: [Int: GenerationResult]
    /// Final policy state per budget (for the forcing accounting).
    public var policies: [Int: BudgetForcingPolicy]
    /// Tokens the engine decoded for the whole sweep (chain plus forks after their fork points).
    public var decodedShared: Int

    /// Tokens the points would have decoded run one by one.
    public var decodedSeparate: Int { results.values.map(\.decodedTokens).reduce(0, +) }
}

/// One prompt of a batched sweep.
public struct SweepPrompt: Sendable {
    public var id: UInt64
    public var prompt: [Int32]
    public var sampling: SamplingParameters

    public init(id: UInt64, prompt: [Int32], sampling: SamplingParameters) {
        self.id = id
        self.prompt = prompt
        self.sampling = sampling
    }
}

public enum EnginePrefixSharing {
    /// Runs `base` at every budget in `budgets` for one prompt. Throws `ForcingError.sharingNeedsNoIgnores` when
    /// `base.ignoreEnd > 0` (the ignore rule depends on the budget; run such points separately).
    public static func budgets(generator: Generator, id: UInt64, prompt: [Int32], sampling: SamplingParameters,
                               base: ForcingConfig, tokens: ForcingTokens, promptEndsWithNewline: Bool,
                               budgets: [Int]) throws -> EngineSweepOutcome {
        try self.budgets(generator: generator, prompts: [SweepPrompt(id: id, prompt: prompt, sampling: sampling)], base: base,
                         tokens: tokens, promptEndsWithNewline: promptEndsWithNewline, budgets: budgets)[0]
    }

    /// The budget sweep for many prompts at once: every chain decodes in the same batches, and every point of
    /// every prompt is still bitwise what it would be alone (decoding is batch-invariant).
    public static func budgets(generator: Generator, prompts: [SweepPrompt], base: ForcingConfig, tokens: ForcingTokens,
                               promptEndsWithNewline: Bool, budgets: [Int]) throws -> [EngineSweepOutcome] {
        guard base.ignoreEnd == 0 else { throw ForcingError.sharingNeedsNoIgnores }
        return try sweep(generator: generator, prompts: prompts, values: budgets, base: base, tokens: tokens,
                         promptEndsWithNewline: promptEndsWithNewline, chainValue: \.maxThinkingTokens, reached: { controller, budget in
            controller.isBetweenThinkingSteps && controller.accounting.thinkingTokens >= budget
        }, forkPolicy: { policy, budget in policy.withMaxThinkingTokens(budget) })
    }

    /// Runs `base` at every ignore count in `counts` (the "Wait" sweep) for one prompt. The chain ignores the most
    /// ends; the point with count k forks right after the chain appended its k-th extension (k = 0: at the start),
    /// because the engine's hook cannot pause between sampling a token and reviewing it. The fork therefore
    /// recomputes the round up to its accepted end, but never the rounds before.
    public static func ignoreCounts(generator: Generator, id: UInt64, prompt: [Int32], sampling: SamplingParameters,
                                    base: ForcingConfig, tokens: ForcingTokens, promptEndsWithNewline: Bool,
                                    counts: [Int]) throws -> EngineSweepOutcome {
        try ignoreCounts(generator: generator, prompts: [SweepPrompt(id: id, prompt: prompt, sampling: sampling)], base: base,
                         tokens: tokens, promptEndsWithNewline: promptEndsWithNewline, counts: counts)[0]
    }

    /// The ignore-count sweep for many prompts at once (see the budget sweep).
    public static func ignoreCounts(generator: Generator, prompts: [SweepPrompt], base: ForcingConfig, tokens: ForcingTokens,
                                    promptEndsWithNewline: Bool, counts: [Int]) throws -> [EngineSweepOutcome] {
        try sweep(generator: generator, prompts: prompts, values: counts, base: base, tokens: tokens,
                  promptEndsWithNewline: promptEndsWithNewline, chainValue: \.ignoreEnd, reached: { controller, count in
            controller.isBetweenThinkingSteps && controller.accounting.ignoredEnds >= count
        }, forkPolicy: { policy, count in policy.withIgnoreEnd(count) })
    }

    /// The shared machinery: one chain per prompt at the largest value; for each smaller value (ascending) the
    /// chains run until they reach it and are forked there with that value, or end first (then the point is the
    /// chain's own result); finally chains and forks decode together.
    private static func sweep(generator: Generator, prompts: [SweepPrompt], values: [Int], base: ForcingConfig,
                              tokens: ForcingTokens, promptEndsWithNewline: Bool,
                              chainValue: WritableKeyPath<ForcingConfig, Int>,
                              reached: @escaping (BudgetForcing, Int) -> Bool,
                              forkPolicy: (BudgetForcingPolicy, Int) -> BudgetForcingPolicy) throws -> [EngineSweepOutcome] {
        let ordered = Array(Set(values)).sorted()
        guard let top = ordered.last else {
            return prompts.map { _ in EngineSweepOutcome(results: [:], policies: [:], decodedShared: 0) }
        }
        var chainConfig = base
        chainConfig[keyPath: chainValue] = top
        let chains = try prompts.map {
            let policy = try BudgetForcingPolicy(controller: BudgetForcing(config: chainConfig, tokens: tokens,
                                                                            promptEndsWithNewline: promptEndsWithNewline))
            return try generator.start(GenerationRequest(id: $0.id, promptTokens: $0.prompt, policy: policy, sampling: $0.sampling))
        }
        var forks = [[(value: Int, sequence: DecodingSequence, decodedAtFork: Int)]](repeating: [], count: prompts.count)
        var sameAsChain = [[Int]](repeating: [], count: prompts.count)
        for value in ordered.dropLast() {
            try generator.run(chains) { s in
                guard let c = (s.policy as? BudgetForcingPolicy)?.controller else { return false }
                return reached(c, value)
            }
            for (i, chain) in chains.enumerated() {
                guard chain.state == .paused, let policy = chain.policy as? BudgetForcingPolicy else {
                    // The chain stopped before reaching this value: the point ends exactly where the chain ends.
                    sameAsChain[i].append(value)
                    continue
                }
                forks[i].append((value, try generator.fork(chain.snapshot(), policy: forkPolicy(policy, value)), chain.decodedTokens))
            }
        }
        try generator.run(chains + forks.flatMap { $0.map(\.sequence) })
        return chains.indices.map { i in
            var results: [Int: GenerationResult] = [:]
            var policies: [Int: BudgetForcingPolicy] = [:]
            var decoded = chains[i].decodedTokens
            for value in sameAsChain[i] + [top] {
                results[value] = chains[i].result
                policies[value] = chains[i].policy as? BudgetForcingPolicy
            }
            for fork in forks[i] {
                results[fork.value] = fork.sequence.result
                policies[fork.value] = fork.sequence.policy as? BudgetForcingPolicy
                decoded += fork.sequence.decodedTokens - fork.decodedAtFork
            }
            return EngineSweepOutcome(results: results, policies: policies, decodedShared: decoded)
        }
    }
}
