// What a prefix-sharing budget sweep costs against its largest point, at thinking lengths like the paper's.
import Foundation
import S1Engine

/// `s1 bench sweep-sharing`: a budget sweep on a random s1-mini-shaped model (byte tokenizer, 0.9M parameters),
/// shared and point by point. The untrained model rarely stops thinking, so each chain runs to its budget, as the
/// paper's long chains do; each fork then adds only its forced "Final Answer:" and an answer. The s1-mini run's own
/// numbers (chains of ~100 tokens, forks of ~20) are in its `results.json`.
public enum SweepSharingBenchmark {
    public static func run(budgets: [Int], prompts: Int, promptTokens: Int = 64, maxAnswerTokens: Int = 32) throws -> String {
        let budgets = budgets.sorted()
        guard let largest = budgets.last, prompts > 0 else { return "{}" }
        let tokenizer = ByteTokenizer()
        let config = Qwen2Config(hiddenSize: 128, intermediateSize: 384, numHiddenLayers: 4, numAttentionHeads: 4,
                                 numKeyValueHeads: 2, vocabSize: tokenizer.vocabularySize, ropeTheta: 10_000,
                                 tieWordEmbeddings: true, maxPositionEmbeddings: promptTokens + largest + maxAnswerTokens + 64)
        let generator = Generator(model: try Qwen2Model.initialised(config: config, seed: 1), maxBatchSize: 64)
        let tokens = try ForcingTokens(template: .qwen25, encode: { tokenizer.encode($0).map(Int.init) },
                                       decode: { tokenizer.decode([Int32($0)]) })
        let sweepPrompts = (0..<prompts).map { index -> SweepPrompt in
            var rng = CounterRNG(key: CounterRNG.derive(7, UInt64(index)))
            let text = (0..<promptTokens).map { _ in Int32(97 + rng.nextIndex(below: 26)) }
            return SweepPrompt(id: UInt64(index), prompt: tokenizer.encode("<|im_start|>think\n") + text + [10],
                               sampling: .greedy)
        }
        let start = DispatchTime.now().uptimeNanoseconds
        let outcomes = try EnginePrefixSharing.budgets(
            generator: generator, prompts: sweepPrompts,
            base: ForcingConfig(maxThinkingTokens: largest, maxAnswerTokens: maxAnswerTokens), tokens: tokens,
            promptEndsWithNewline: true, budgets: budgets)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let shared = outcomes.reduce(0) { $0 + $1.decodedShared }
        let separate = outcomes.reduce(0) { $0 + $1.decodedSeparate }
        let largestAlone = outcomes.reduce(0) { $0 + ($1.results[largest]?.decodedTokens ?? 0) }
        let thinking = outcomes.reduce(0) { $0 + ($1.policies[largest]?.controller.accounting.thinkingTokens ?? 0) }
        return "{\"bench\":\"sweep-sharing\",\"budgets\":\(budgets),\"prompts\":\(prompts),"
            + "\"mean_thinking_tokens_largest\":\(Double(thinking) / Double(prompts)),"
            + "\"decoded_shared\":\(shared),\"decoded_largest_point\":\(largestAlone),\"decoded_separate\":\(separate),"
            + String(format: "\"shared_over_largest\":%.3f,\"shared_over_separate\":%.3f,\"seconds\":%.1f}",
                     Double(shared) / Double(max(largestAlone, 1)), Double(shared) / Double(max(separate, 1)), seconds)
    }
}
