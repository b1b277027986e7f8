import XCTest
import S1Engine

final class TrainingTests: XCTestCase {
    static let tiny = Qwen2Config(hiddenSize: 16, intermediateSize: 32, numHiddenLayers: 2, numAttentionHeads: 2,
                                  numKeyValueHeads: 1, vocabSize: 24, tieWordEmbeddings: true)

    /// Sequences that count up from a random start (mod 20), with the loss on the second half: learnable.
    static func countingExamples(_ count: Int, key: UInt64 = 11) -> [TrainingExample] {
        var rng = CounterRNG(key: key)
        return (0..<count).map { _ in
            let length = 6 + rng.nextIndex(below: 7)
            let start = rng.nextIndex(below: 20)
            let tokens = (0..<length).map { Int32((start + $0) % 20) }
            return TrainingExample(tokens: tokens, lossMask: (0..<length).map { $0 >= length / 2 })
        }
    }

    func testScheduleIsThePapers() {
        let config = TrainingConfig()
        let steps = config.totalSteps(exampleCount: 1000)
        XCTAssertEqual(steps, 315)
        let schedule = LearningRateSchedule(config: config, totalSteps: steps)
        XCTAssertEqual(schedule.warmupSteps, 16)
        XCTAssertEqual(schedule.rate(atStep: 0), 0)
        XCTAssertEqual(schedule.rate(atStep: 8), 5e-6, accuracy: 1e-18)
        XCTAssertEqual(schedule.rate(atStep: 16), 1e-5, accuracy: 1e-18)
        // Half-way through the decay (step 16 + 299/2) the cosine is at half the peak.
        XCTAssertEqual(schedule.rate(atStep: 16) * 0.5, LearningRateSchedule(peak: 1e-5, warmupSteps: 16, totalSteps: 316).rate(atStep: 166), accuracy: 1e-18)
        XCTAssertEqual(schedule.rate(atStep: 315), 0, accuracy: 1e-20)
        for s in 16..<314 { XCTAssertGreaterThan(schedule.rate(atStep: s), schedule.rate(atStep: s + 1)) }
        let floored = LearningRateSchedule(peak: 1e-3, minimum: 1e-4, warmupSteps: 0, totalSteps: 10)
        XCTAssertEqual(floored.rate(atStep: 10), 1e-4, accuracy: 1e-15)
        let linear = LearningRateSchedule(kind: .linear, peak: 1e-3, warmupSteps: 2, totalSteps: 12)
        XCTAssertEqual(linear.rate(atStep: 1), 5e-4, accuracy: 1e-15)
        XCTAssertEqual(linear.rate(atStep: 7), 5e-4, accuracy: 1e-15)
        XCTAssertEqual(LearningRateSchedule(kind: .constant, peak: 1e-3, warmupSteps: 2, totalSteps: 12).rate(atStep: 11), 1e-3)
    }

    func testAdamWFirstStepMovesBySignAndDecaysOnlyWeights() throws {
        let model = try Qwen2Model.initialised(config: Self.tiny, seed: 1)
        let before = model.parameters.toArray()
        let gradients = FloatBuffer(count: model.layout.count)
        for i in 0..<gradients.count { gradients.pointer[i] = i % 3 == 0 ? -0.5 : 0.25 }
        let optimizer = AdamW(parameterCount: model.layout.count, beta1: 0.9, beta2: 0.95, epsilon: 1e-8, weightDecay: 0.1)
        optimizer.step(parameters: model.parameters, gradients: gradients, layout: model.layout, learningRate: 0.01)
        let after = model.parameters.toArray()
        // First bias-corrected step: m̂/√v̂ = sign(g), so p' = p·(1 − lr·wd·[decays]) − lr·sign(g).
        for slot in model.layout.slots {
            for i in slot.offset..<(slot.offset + slot.count) {
                let decayed = slot.decays ? before[i] * (1 - 0.01 * 0.1) : before[i]
                let expected = decayed - 0.01 * (i % 3 == 0 ? -1 : 1)
                XCTAssertEqual(after[i], expected, accuracy: 2e-6, slot.name)
            }
        }
    }

    func testGradientClippingByGlobalNorm() {
        let buffer = FloatBuffer(count: 2)
        buffer.copy(from: [3, 4])
        XCTAssertEqual(clipGradientNorm(buffer, maxNorm: 1), 5, accuracy: 1e-12)
        XCTAssertEqual(buffer.toArray()[0], 0.6, accuracy: 1e-6)
        XCTAssertEqual(buffer.toArray()[1], 0.8, accuracy: 1e-6)
        XCTAssertEqual(clipGradientNorm(buffer, maxNorm: 10), 1, accuracy: 1e-6)
        XCTAssertEqual(buffer.toArray()[1], 0.8, accuracy: 1e-6)  // under the limit: unchanged
    }

    func testTruncationCountsCutSamplesAndLostLossTokens() {
        let examples = [
            TrainingExample(tokens: [1, 2, 3, 4, 5, 6], lossMask: [false, false, true, true, true, true]),  // cut, 2 of 4 lost
            TrainingExample(tokens: [1, 2, 3], lossMask: [false, true, true]),                             // kept
            TrainingExample(tokens: [1, 2, 3, 4, 5], lossMask: [true, true, false, false, false]),         // cut, 0 lost
        ]
        let (kept, stats) = TruncationStats.truncate(examples, blockSize: 4)
        XCTAssertEqual(kept.map(\.tokens.count), [4, 3, 4])
        XCTAssertEqual(stats.samplesCut, 2)
        XCTAssertEqual(stats.lossTokens, 4 + 2 + 1)
        XCTAssertEqual(stats.lossTokensLost, 2)
        XCTAssertEqual(stats.fractionOfSamplesCut, 2.0 / 3.0)
        XCTAssertEqual(stats.fractionOfLossTokensLost, 2.0 / 7.0)
    }

    func testEpochOrderIsASeededPermutation() throws {
        let examples = Self.countingExamples(10)
        let config = TrainingConfig(epochs: 2, batchSize: 4)
        let a = try SFTTrainer(model: try Qwen2Model.initialised(config: Self.tiny, seed: 1), config: config, examples: examples, seed: 5)
        let b = try SFTTrainer(model: try Qwen2Model.initialised(config: Self.tiny, seed: 1), config: config, examples: examples, seed: 6)
        XCTAssertEqual(a.totalSteps, 6)
        XCTAssertEqual(a.epochOrder(0).sorted(), Array(0..<10))
        XCTAssertNotEqual(a.epochOrder(0), a.epochOrder(1))
        XCTAssertNotEqual(a.epochOrder(0), b.epochOrder(0))
        XCTAssertEqual((0..<3).flatMap { a.batch(atStep: $0) }, a.epochOrder(0))
        XCTAssertEqual(a.batch(atStep: 2).count, 2)  // the last batch of an epoch is short
    }

    func testTrainingReducesLossAndReportsProgress() throws {
        let model = try Qwen2Model.initialised(config: Self.tiny, seed: 3, standardDeviation: 0.1)
        let config = TrainingConfig(epochs: 40, batchSize: 8, microBatchSize: 4, learningRate: 1e-2, warmupRatio: 0.1, weightDecay: 0)
        let trainer = try SFTTrainer(model: model, config: config, examples: Self.countingExamples(32), seed: 1)
        var reports: [TrainingProgress] = []
        let result = try trainer.run(progress: { reports.append($0) })
        XCTAssertEqual(result.lossCurve.count, 160)
        XCTAssertEqual(reports.map(\.step), Array(1...160))
        XCTAssertEqual(reports.last?.etaSeconds, 0)
        XCTAssertGreaterThan(reports[0].tokensPerSecond, 0)
        let first = result.lossCurve[0], last = result.lossCurve.suffix(4).reduce(0, +) / 4
        XCTAssertGreaterThan(first, 2.5)  // ≈ ln 24 at initialisation
        XCTAssertLessThan(last, 0.1 * first, "loss curve \(result.lossCurve)")
    }

    func testMicroBatchingGivesTheFullBatchGradient() throws {
        let examples = Self.countingExamples(8)
        var parameters: [[Float]] = []
        for micro in [1, 3, 8] {
            let model = try Qwen2Model.initialised(config: Self.tiny, seed: 4)
            let trainer = try SFTTrainer(model: model, config: TrainingConfig(epochs: 1, batchSize: 8, microBatchSize: micro,
                                                                             learningRate: 1e-3, warmupRatio: 0),
                                         examples: examples, seed: 2)
            try trainer.run()
            parameters.append(model.parameters.toArray())
        }
        // Same math, different summation order and GEMM shapes: equal to rounding, not bitwise.
        XCTAssertLessThan(EngineFixtures.maxAbsDifference(parameters[0], parameters[1]), 1e-6)
        XCTAssertLessThan(EngineFixtures.maxAbsDifference(parameters[0], parameters[2]), 1e-6)
    }

    func testResumeFromCheckpointIsBitwiseIdentical() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("s1-resume-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let examples = Self.countingExamples(12)
        let config = TrainingConfig(epochs: 2, batchSize: 4, microBatchSize: 2, learningRate: 5e-3, warmupRatio: 0.2, weightDecay: 0.01)

        let straightModel = try Qwen2Model.initialised(config: Self.tiny, seed: 9)
        let straight = try SFTTrainer(model: straightModel, config: config, examples: examples, seed: 77)
        let straightResult = try straight.run()

        let firstModel = try Qwen2Model.initialised(config: Self.tiny, seed: 9)
        let first = try SFTTrainer(model: firstModel, config: config, examples: examples, seed: 77)
        try first.run(checkpointEvery: 2, checkpointDirectory: scratch, stopAfterStep: 4)
        XCTAssertEqual(first.step, 4)
        let checkpoint = scratch.appendingPathComponent("step-000004")
        XCTAssertEqual(SFTTrainer.latestCheckpoint(in: scratch)?.lastPathComponent, "step-000004")
        XCTAssertNil(SFTTrainer.latestCheckpoint(in: scratch.appendingPathComponent("absent")))
        XCTAssertTrue(FileManager.default.fileExists(atPath: scratch.appendingPathComponent("step-000002/trainer_state.json").path))

        // A fresh process: a model with different weights, restored from the checkpoint.
        let resumedModel = try Qwen2Model.initialised(config: Self.tiny, seed: 1234)
        let resumed = try SFTTrainer(model: resumedModel, config: config, examples: examples, seed: 77)
        try resumed.restore(from: checkpoint)
        let resumedResult = try resumed.run()
        XCTAssertEqual(resumedModel.parameters.toArray().map(\.bitPattern), straightModel.parameters.toArray().map(\.bitPattern))
        XCTAssertEqual(resumed.optimizer.firstMoment.toArray().map(\.bitPattern), straight.optimizer.firstMoment.toArray().map(\.bitPattern))
        XCTAssertEqual(resumedResult, straightResult)

        // A trainer that already trained past a checkpoint, rewound to it, ends on the same bits too.
        try first.restore(from: scratch.appendingPathComponent("step-000002"))
        XCTAssertEqual(first.step, 2)
        try first.run()
        XCTAssertEqual(firstModel.parameters.toArray().map(\.bitPattern), straightModel.parameters.toArray().map(\.bitPattern))

        // Resuming with another seed is refused.
        let other = try SFTTrainer(model: try Qwen2Model.initialised(config: Self.tiny, seed: 9), config: config, examples: examples, seed: 78)
        XCTAssertThrowsError(try other.restore(from: checkpoint))
    }

    func testRunsAreBitwiseDeterministic() throws {
        let expected = try EngineFixtures.expected("qwen2-tied")
        let model = try Qwen2Model.load(directory: EngineFixtures.checkpoint("qwen2-tied"))
        XCTAssertEqual(try model.logits(tokens: expected.inputIds).map(\.bitPattern),
                       try model.logits(tokens: expected.inputIds).map(\.bitPattern))
        let g1 = try model.lossAndGradients(tokens: expected.inputIds, lossMask: expected.lossMask)
        let g2 = try model.lossAndGradients(tokens: expected.inputIds, lossMask: expected.lossMask)
        XCTAssertEqual(g1.gradients.map(\.bitPattern), g2.gradients.map(\.bitPattern))
        XCTAssertEqual(g1.loss.bitPattern, g2.loss.bitPattern)

        var weights: [[UInt32]] = []
        for _ in 0..<2 {
            let m = try Qwen2Model.initialised(config: Self.tiny, seed: 21)
            let trainer = try SFTTrainer(model: m, config: TrainingConfig(epochs: 1, batchSize: 4, microBatchSize: 2, learningRate: 1e-2),
                                         examples: Self.countingExamples(8), seed: 3)
            try trainer.run()
            weights.append(m.parameters.toArray().map(\.bitPattern))
        }
        XCTAssertEqual(weights[0], weights[1])
    }

    func testInvalidTrainingInputIsATypedError() throws {
        let model = try Qwen2Model.initialised(config: Self.tiny, seed: 1)
        XCTAssertThrowsError(try SFTTrainer(model: model, config: TrainingConfig(), examples: [TrainingExample(tokens: [1, 99], lossMask: [false, true])], seed: 0))
        XCTAssertThrowsError(try SFTTrainer(model: model, config: TrainingConfig(), examples: [TrainingExample(tokens: [1, 2], lossMask: [true])], seed: 0))
        XCTAssertThrowsError(try SFTTrainer(model: model, config: TrainingConfig(batchSize: 0), examples: Self.countingExamples(2), seed: 0)) { error in
            guard case .invalidInput(let reason)? = error as? EngineError else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("batch_size"))
        }
    }
}
