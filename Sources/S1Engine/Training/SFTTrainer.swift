import Dispatch
import Foundation

/// One optimiser step's report, for the runner's progress display.
public struct TrainingProgress: Sendable {
    /// 1-based step just completed, of `totalSteps`.
    public let step: Int
    public let totalSteps: Int
    public let epoch: Int
    /// Mean loss over the step's selected tokens.
    public let loss: Double
    public let learningRate: Double
    /// Global gradient norm before clipping.
    public let gradientNorm: Double
    /// Tokens (including masked ones, excluding padding) processed per wall-clock second in this run so far.
    public let tokensPerSecond: Double
    public let elapsedSeconds: Double
    public let etaSeconds: Double
}

/// What a training run produced, besides the weights (which are in the model). Wall-clock figures are left
/// out on purpose: the result is hashed and must be the same on every rerun.
public struct TrainingResult: Codable, Equatable, Sendable {
    /// Mean loss of every step, in order.
    public var lossCurve: [Double]
    public var learningRateCurve: [Double]
    public var gradientNormCurve: [Double]
    public var truncation: TruncationStats
    public var totalSteps: Int
    /// Tokens trained on (after truncation, without padding), summed over steps.
    public var tokensSeen: Int
}

/// Supervised fine-tuning of a `Qwen2Model`: masked next-token cross-entropy, AdamW, warmup + cosine schedule,
/// global-norm clipping, micro-batches accumulated into `batchSize`, and epoch shuffles from the seed.
///
/// The data order of epoch e is `CounterRNG(derive(seed, e)).shuffle(0..<n)`: a pure function of (seed, e), so
/// a checkpoint needs only the step index to resume the data stream, and resuming is bitwise identical to
/// training without interruption.
public final class SFTTrainer {
    public let model: Qwen2Model
    public let config: TrainingConfig
    /// The examples after truncation to `blockSize`.
    public let examples: [TrainingExample]
    public let seed: UInt64
    public let truncation: TruncationStats
    public let totalSteps: Int
    public let stepsPerEpoch: Int
    public let schedule: LearningRateSchedule
    public let optimizer: AdamW
    /// Optimiser steps completed.
    public private(set) var step = 0
    public private(set) var result: TrainingResult
    /// FNV-1a of the examples, stored in checkpoints so that a resume on different data is refused.
    public let dataFingerprint: String
    /// Where the gradients and optimiser arithmetic run (the host, or a GPU through its backend).
    private let device: any TrainingDevice
    private var epochOrderCache: (epoch: Int, order: [Int])?

    public init(model: Qwen2Model, config: TrainingConfig, examples: [TrainingExample], seed: UInt64,
                backend: any Backend = CPUBackend.shared) throws {
        let problems = config.problems()
        guard problems.isEmpty else { throw EngineError.invalidInput(reason: "training config: " + problems.joined(separator: "; ")) }
        guard !examples.isEmpty else { throw EngineError.invalidInput(reason: "no training examples") }
        for (i, example) in examples.enumerated() {
            guard !example.tokens.isEmpty, example.tokens.count == example.lossMask.count else {
                throw EngineError.invalidInput(reason: "example \(i): \(example.tokens.count) tokens but \(example.lossMask.count) loss-mask entries (must be equal and > 0)")
            }
            if let bad = example.tokens.firstIndex(where: { $0 < 0 || Int($0) >= model.config.vocabSize }) {
                throw EngineError.invalidInput(reason: "example \(i) position \(bad): token id \(example.tokens[bad]) outside the vocabulary 0..<\(model.config.vocabSize)")
            }
        }
        self.model = model
        self.config = config
        self.seed = seed
        (self.examples, truncation) = TruncationStats.truncate(examples, blockSize: config.blockSize)
        stepsPerEpoch = (examples.count + config.batchSize - 1) / config.batchSize
        totalSteps = config.totalSteps(exampleCount: examples.count)
        schedule = LearningRateSchedule(config: config, totalSteps: totalSteps)
        optimizer = AdamW(parameterCount: model.layout.count, beta1: config.beta1, beta2: config.beta2,
                          epsilon: config.epsilon, weightDecay: config.weightDecay)
        let longest = self.examples.map(\.tokens.count).max() ?? 1
        device = try backend.makeTrainingDevice(model: model, optimizer: optimizer,
                                                maxRows: min(config.microBatchSize, examples.count) * longest)
        result = TrainingResult(lossCurve: [], learningRateCurve: [], gradientNormCurve: [], truncation: truncation,
                                totalSteps: totalSteps, tokensSeen: 0)
        dataFingerprint = Self.fingerprint(self.examples)
    }

    static func fingerprint(_ examples: [TrainingExample]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ value: UInt64) {
            for shift in stride(from: 0, to: 64, by: 8) {
                hash = (hash ^ ((value >> UInt64(shift)) & 0xff)) &* 0x0000_0100_0000_01b3
            }
        }
        for example in examples {
            mix(UInt64(example.tokens.count))
            for (token, mask) in zip(example.tokens, example.lossMask) { mix(UInt64(UInt32(bitPattern: token)) << 1 | (mask ? 1 : 0)) }
        }
        return String(hash, radix: 16)
    }

    /// Example indices of epoch `epoch`, in training order.
    public func epochOrder(_ epoch: Int) -> [Int] {
        if let cached = epochOrderCache, cached.epoch == epoch { return cached.order }
        var order = Array(0..<examples.count)
        var rng = CounterRNG(key: CounterRNG.derive(seed, 0x5F7_0E9_0C4, UInt64(epoch)))
        rng.shuffle(&order)
        epochOrderCache = (epoch, order)
        return order
    }

    /// Example indices of 0-based optimiser step `step`.
    public func batch(atStep step: Int) -> [Int] {
        let epoch = step / stepsPerEpoch, index = step % stepsPerEpoch
        let order = epochOrder(epoch)
        return Array(order[(index * config.batchSize)..<min((index + 1) * config.batchSize, order.count)])
    }

    /// Trains until `totalSteps` (or until `stopAfterStep` steps are complete), calling `progress` after every
    /// step and writing a checkpoint every `checkpointEvery` steps into `checkpointDirectory/step-NNNNNN`.
    @discardableResult
    public func run(progress: (TrainingProgress) -> Void = { _ in }, checkpointEvery: Int? = nil,
                    checkpointDirectory: URL? = nil, stopAfterStep: Int? = nil) throws -> TrainingResult {
        let last = min(totalSteps, stopAfterStep ?? totalSteps)
        let started = DispatchTime.now().uptimeNanoseconds
        var tokensThisRun = 0
        let firstStep = step
        while step < last {
            let (loss, norm, tokens) = try trainStep()
            tokensThisRun += tokens
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            let done = step - firstStep
            progress(TrainingProgress(step: step, totalSteps: totalSteps, epoch: (step - 1) / stepsPerEpoch, loss: loss,
                                      learningRate: result.learningRateCurve.last ?? 0, gradientNorm: norm,
                                      tokensPerSecond: elapsed > 0 ? Double(tokensThisRun) / elapsed : 0,
                                      elapsedSeconds: elapsed,
                                      etaSeconds: done > 0 ? elapsed / Double(done) * Double(totalSteps - step) : 0))
            if let every = checkpointEvery, every > 0, let directory = checkpointDirectory, step % every == 0 || step == totalSteps {
                try device.synchronizeToHost()
                try saveCheckpoint(to: directory.appendingPathComponent(String(format: "step-%06d", step)))
            }
        }
        try device.synchronizeToHost()
        return result
    }

    /// After a checkpoint was read into the host model and optimiser: continue from it.
    func restoreProgress(step: Int, result: TrainingResult) throws {
        self.step = step
        self.result = result
        try device.synchronizeFromHost()
    }

    /// One optimiser step over the effective batch; returns (mean loss, gradient norm, tokens).
    func trainStep() throws -> (Double, Double, Int) {
        let members = batch(atStep: step).map { examples[$0] }
        let selected = members.reduce(0) { $0 + $1.lossMask.dropFirst().filter { $0 }.count }
        // Mean over every selected token of the effective batch, whatever the micro-batch split.
        let gradScale: Float = selected > 0 ? 1 / Float(selected) : 0
        try device.zeroGradients()
        var lossSum = 0.0
        var tokens = 0
        var start = 0
        while start < members.count {
            let micro = members[start..<min(start + config.microBatchSize, members.count)]
            start += config.microBatchSize
            let T = micro.map(\.tokens.count).max()!
            let B = micro.count
            // Right padding with token 0 and no target: causal attention keeps real positions unaffected.
            var input = [Int32](repeating: 0, count: B * T)
            var targets = [Int32](repeating: -1, count: B * T)
            for (b, example) in micro.enumerated() {
                let n = example.tokens.count
                tokens += n
                for t in 0..<n {
                    input[b * T + t] = example.tokens[t]
                    if t + 1 < n, example.lossMask[t + 1] { targets[b * T + t] = example.tokens[t + 1] }
                }
            }
            lossSum += try device.accumulateGradients(tokens: input, targets: targets, batch: B, length: T, gradScale: gradScale)
        }
        let rate = schedule.rate(atStep: step)
        let norm = try device.clipAndStep(maxNorm: config.gradientClipNorm, learningRate: rate)
        step += 1
        let loss = selected > 0 ? lossSum / Double(selected) : 0
        result.lossCurve.append(loss)
        result.learningRateCurve.append(rate)
        result.gradientNormCurve.append(norm)
        result.tokensSeen += tokens
        return (loss, norm, tokens)
    }
}
