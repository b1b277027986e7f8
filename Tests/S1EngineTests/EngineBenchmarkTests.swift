import Foundation
import XCTest
import S1Engine

/// Throughput of one SFT training step on the s1-mini shape (DESIGN: hidden 128, 4 layers, 4 heads, 2 KV heads,
/// intermediate 384, byte vocabulary, tied). Runs only when S1_ENGINE_BENCH is set (scripts/bench-engine.sh),
/// because timings have no place in the ordinary test run; prints one JSON line for the script to compare.
final class EngineBenchmarkTests: XCTestCase {
    func testTrainingStepThroughput() throws {
        let environment = ProcessInfo.processInfo.environment
        guard environment["S1_ENGINE_BENCH"] != nil else { throw XCTSkip("set S1_ENGINE_BENCH=1 to run the engine benchmark") }
        let threads = Int(environment["S1_BENCH_THREADS"] ?? "1") ?? 1
        let batch = Int(environment["S1_BENCH_BATCH"] ?? "16") ?? 16
        let length = Int(environment["S1_BENCH_LENGTH"] ?? "128") ?? 128
        let steps = Int(environment["S1_BENCH_STEPS"] ?? "10") ?? 10
        EngineEnvironment.configure(blasThreads: threads)
        defer { EngineEnvironment.configure(blasThreads: 1) }
        let config = Qwen2Config(hiddenSize: 128, intermediateSize: 384, numHiddenLayers: 4, numAttentionHeads: 4,
                                 numKeyValueHeads: 2, vocabSize: 272, tieWordEmbeddings: true)
        let model = try Qwen2Model.initialised(config: config, seed: 1)
        var rng = CounterRNG(key: 2)
        let examples = (0..<(batch * (steps + 1))).map { _ in
            TrainingExample(tokens: (0..<length).map { _ in Int32(rng.nextIndex(below: 256)) },
                            lossMask: (0..<length).map { $0 > 0 })
        }
        let trainer = try SFTTrainer(model: model, config: TrainingConfig(epochs: 1, batchSize: batch, microBatchSize: batch,
                                                                          learningRate: 1e-3, blockSize: length),
                                     examples: examples, seed: 3)
        try trainer.run(stopAfterStep: 1)  // warm-up
        let start = DispatchTime.now().uptimeNanoseconds
        try trainer.run(stopAfterStep: 1 + steps)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let tokensPerSecond = Double(steps * batch * length) / seconds
        let env = EngineEnvironment.current()
        print("{\"engine\":\"s1-swift\",\"threads\":\(threads),\"batch\":\(batch),\"length\":\(length),\"steps\":\(steps),\"tokens_per_second\":\(tokensPerSecond),\"blas_core\":\"\(env.blasCoreName)\",\"parameters\":\(model.parameterCount)}")
    }
}
