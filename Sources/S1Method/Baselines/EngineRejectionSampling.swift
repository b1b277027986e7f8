// Rejection sampling on the engine: try i samples at temperature 1 with its own seed from the seed tree, under a
// policy that abandons the try as soon as the thinking budget is spent.

import S1Engine

extension ForcingTranscript {
    /// The transcript of an engine generation run under `BudgetForcingPolicy` (phase 0 = thinking).
    public init(result: GenerationResult, policy: BudgetForcingPolicy) {
        self.init()
        let thinking = result.phaseCounts.first?.total ?? 0
        self.thinking = result.tokens.prefix(thinking).map(Int.init)
        self.answer = result.tokens.dropFirst(thinking).map(Int.init)
        self.accounting = policy.controller.accounting
    }
}

public enum EngineRejectionSampling {
    /// Samples `prompt` until a try ends thinking by itself within `maxThinkingTokens`, at most `maxTries` times.
    /// Try i uses `SamplingParameters(temperature:topP:seed: CounterRNG.derive(seed, i))`. Returns the outcome and the
    /// engine's decoded tokens over all tries.
    public static func run(generator: Generator, id: UInt64, prompt: [Int32], seed: UInt64, temperature: Double = 1,
                           topP: Double = 1, tokens: ForcingTokens, promptEndsWithNewline: Bool, maxThinkingTokens: Int,
                           maxAnswerTokens: Int, maxTries: Int) throws -> (outcome: RejectionOutcome, decodedTokens: Int) {
        var decoded = 0
        let outcome = try RejectionSampling.run(maxTries: maxTries) { index -> ForcingTranscript in
            let config = RejectionSampling.tryConfig(maxThinkingTokens: maxThinkingTokens, maxAnswerTokens: maxAnswerTokens)
            let policy = try BudgetForcingPolicy(controller: BudgetForcing(config: config, tokens: tokens,
                                                                            promptEndsWithNewline: promptEndsWithNewline))
            let sampling = SamplingParameters(temperature: temperature, topP: topP,
                                              seed: CounterRNG.derive(seed, UInt64(index)))
            let s = try generator.start(GenerationRequest(id: id, promptTokens: prompt, policy: policy, sampling: sampling))
            try generator.run([s])
            decoded += s.decodedTokens
            return ForcingTranscript(result: s.result!, policy: s.policy as! BudgetForcingPolicy)
        }
        return (outcome, decoded)
    }
}
