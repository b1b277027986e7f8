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

public enum EnginePrefixSharing {
    /// Runs `base` at every budget in `budgets` for one prompt. Throws `ForcingError.sharingNeedsNoIgnores` when
    /// `base.ignoreEnd > 0` (the ignore rule depends on the budget; run such points separately).
    public static func budgets(generator: Generator, id: UInt64, prompt: [Int32], sampling: SamplingParameters,
                           base: ForcingConfig, tokens: ForcingTokens, promptEndsWithNewline: Bool,
                           budgets: [Int]) throws -> EngineSweepOutcome {
        guard base.ignoreEnd == 0 else { throw ForcingError.sharingNeedsNoIgnores }
        let ordered = Array(Set(budgets)).sorted()
        guard let largest = ordered.last else { return EngineSweepOutcome(results: [:], policies: [:], decodedShared: 0) }
        var chainConfig = base
        chainConfig.maxThinkingTokens = largest
        let chainPolicy = try BudgetForcingPolicy(controller: BudgetForcing(config: chainConfig, tokens: tokens,
                                                                             promptEndsWithNewline: promptEndsWithNewline))
        let chain = try generator.start(GenerationRequest(id: id, promptTokens: prompt, policy: chainPolicy, sampling: sampling))
        var forks: [(budget: Int, sequence: DecodingSequence, decodedAtFork: Int)] = []
        var sameAsChain: [Int] = []
        for budget in ordered.dropLast() {
            try generator.run([chain]) { s in
                guard let c = (s.policy as? BudgetForcingPolicy)?.controller else { return false }
                return c.isBetweenThinkingSteps && c.accounting.thinkingTokens >= budget
            }
            guard chain.state == .paused, let policy = chain.policy as? BudgetForcingPolicy else {
                // The chain ended thinking before this budget: the point stops exactly where the chain stops.
                sameAsChain.append(budget)
                continue
            }
            let snapshot = try chain.snapshot()
            forks.append((budget, try generator.fork(snapshot, policy: policy.withMaxThinkingTokens(budget)), chain.decodedTokens))
        }
        try generator.run([chain] + forks.map(\.sequence))
        var results: [Int: GenerationResult] = [:]
        var policies: [Int: BudgetForcingPolicy] = [:]
        var decoded = chain.decodedTokens
        for budget in sameAsChain + [largest] {
            results[budget] = chain.result
            policies[budget] = chain.policy as? BudgetForcingPolicy
        }
        for fork in forks {
            results[fork.budget] = fork.sequence.result
            policies[fork.budget] = fork.sequence.policy as? BudgetForcingPolicy
            decoded += fork.sequence.decodedTokens - fork.decodedAtFork
        }
        return EngineSweepOutcome(results: results, policies: policies, decodedShared: decoded)
    }

    /// Runs `base` at every ignore count in `counts` (the "Wait" sweep) for one prompt. The chain ignores the most
    /// ends; the point with count k forks right after the chain appended its k-th extension (k = 0: at the start),
    /// because the engine's hook cannot pause between sampling a token and reviewing it. The fork therefore
    /// recomputes the round up to its accepted end, but never the rounds before.
    public static func ignoreCounts(generator: Generator, id: UInt64, prompt: [Int32], sampling: SamplingParameters,
                                    base: ForcingConfig, tokens: ForcingTokens, promptEndsWithNewline: Bool,
                                    counts: [Int]) throws -> EngineSweepOutcome {
        let ordered = Array(Set(counts)).sorted()
        guard let most = ordered.last else { return EngineSweepOutcome(results: [:], policies: [:], decodedShared: 0) }
        var chainConfig = base
        chainConfig.ignoreEnd = most
        let chainPolicy = try BudgetForcingPolicy(controller: BudgetForcing(config: chainConfig, tokens: tokens,
                                                                             promptEndsWithNewline: promptEndsWithNewline))
        let chain = try generator.start(GenerationRequest(id: id, promptTokens: prompt, policy: chainPolicy, sampling: sampling))
        var forks: [(count: Int, sequence: DecodingSequence, decodedAtFork: Int)] = []
        var sameAsChain: [Int] = []
        for count in ordered.dropLast() {
            try generator.run([chain]) { s in
                guard let c = (s.policy as? BudgetForcingPolicy)?.controller else { return false }
                return c.isBetweenThinkingSteps && c.accounting.ignoredEnds >= count
            }
            guard chain.state == .paused, let policy = chain.policy as? BudgetForcingPolicy else {
                // The chain left thinking with fewer ignores: this point ends exactly like the chain.
                sameAsChain.append(count)
                continue
            }
            forks.append((count, try generator.fork(chain.snapshot(), policy: policy.withIgnoreEnd(count)), chain.decodedTokens))
        }
        try generator.run([chain] + forks.map(\.sequence))
        var results: [Int: GenerationResult] = [:]
        var policies: [Int: BudgetForcingPolicy] = [:]
        var decoded = chain.decodedTokens
        for count in sameAsChain + [most] {
            results[count] = chain.result
            policies[count] = chain.policy as? BudgetForcingPolicy
        }
        for fork in forks {
            results[fork.count] = fork.sequence.result
            policies[fork.count] = fork.sequence.policy as? BudgetForcingPolicy
            decoded += fork.sequence.decodedTokens - fork.decodedAtFork
        }
        return EngineSweepOutcome(results: results, policies: policies, decodedShared: decoded)
    }
}
