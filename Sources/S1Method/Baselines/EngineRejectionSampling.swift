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
        try runBatch(generator: generator, questions: [Question(id: id, prompt: prompt, seed: seed)], temperature: temperature,
                     topP: topP, tokens: tokens, promptEndsWithNewline: promptEndsWithNewline,
                     maxThinkingTokens: maxThinkingTokens, maxAnswerTokens: maxAnswerTokens, maxTries: maxTries)[0]
    }

    /// One question of a batched rejection-sampling run.
    public struct Question: Sendable {
        public var id: UInt64
        public var prompt: [Int32]
        public var seed: UInt64
        public init(id: UInt64, prompt: [Int32], seed: UInt64) {
            self.id = id
            self.prompt = prompt
            self.seed = seed
        }
    }

    /// `run` for many questions at once: try i of every question not yet accepted decodes in one batch. Each
    /// question's tries, seeds and outcome are exactly those of `run` on it alone (decoding is batch-invariant and
    /// sampling noise is keyed by seed, request and position); only the wall time changes.
    public static func runBatch(generator: Generator, questions: [Question], temperature: Double = 1, topP: Double = 1,
                                tokens: ForcingTokens, promptEndsWithNewline: Bool, maxThinkingTokens: Int,
                                maxAnswerTokens: Int, maxTries: Int) throws -> [(outcome: RejectionOutcome, decodedTokens: Int)] {
        let cap = max(1, maxTries)
        var outcomes = [RejectionOutcome?](repeating: nil, count: questions.count)
        var last = [ForcingTranscript](repeating: ForcingTranscript(), count: questions.count)
        var sampled = [Int](repeating: 0, count: questions.count), decoded = [Int](repeating: 0, count: questions.count)
        let config = RejectionSampling.tryConfig(maxThinkingTokens: maxThinkingTokens, maxAnswerTokens: maxAnswerTokens)
        for index in 0..<cap {
            let pending = questions.indices.filter { outcomes[$0] == nil }
            if pending.isEmpty { break }
            let sequences = try pending.map { q -> DecodingSequence in
                let policy = try BudgetForcingPolicy(controller: BudgetForcing(config: config, tokens: tokens,
                                                                                promptEndsWithNewline: promptEndsWithNewline))
                let sampling = SamplingParameters(temperature: temperature, topP: topP,
                                                  seed: CounterRNG.derive(questions[q].seed, UInt64(index)))
                return try generator.start(GenerationRequest(id: questions[q].id, promptTokens: questions[q].prompt,
                                                             policy: policy, sampling: sampling))
            }
            try generator.run(sequences)
            for (q, s) in zip(pending, sequences) {
                let transcript = ForcingTranscript(result: s.result!, policy: s.policy as! BudgetForcingPolicy)
                last[q] = transcript
                sampled[q] += transcript.accounting.sampledTokens
                decoded[q] += s.decodedTokens
                if transcript.accounting.forcedStops == 0 {
                    outcomes[q] = RejectionOutcome(transcript: transcript, tries: index + 1, accepted: true, sampledTokens: sampled[q])
                }
            }
        }
        return questions.indices.map { q in
            (outcomes[q] ?? RejectionOutcome(transcript: last[q], tries: cap, accepted: false, sampledTokens: sampled[q]), decoded[q])
        }
    }
}
