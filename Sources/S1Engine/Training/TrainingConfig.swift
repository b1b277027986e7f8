/// Hyperparameters of supervised fine-tuning. Defaults are the s1 paper's (docs/METHOD.md §8): 5 epochs,
/// effective batch 16, peak lr 1e-5 with 5% linear warmup then cosine to 0, AdamW β = (0.9, 0.95), weight decay
/// 1e-4, block size 32,768. `gradientClipNorm` defaults to HF Trainer's `max_grad_norm` of 1.0.
public struct TrainingConfig: Codable, Equatable, Hashable, Sendable {
    public var epochs: Int = 5
    /// Sequences per optimiser step (the effective batch).
    public var batchSize: Int = 16
    /// Sequences per forward/backward; gradients of the micro-batches are accumulated into one step.
    public var microBatchSize: Int = 1
    public var learningRate: Double = 1e-5
    public var minLearningRate: Double = 0
    public var warmupRatio: Double = 0.05
    public var schedule: ScheduleKind = .cosine
    public var weightDecay: Double = 1e-4
    public var beta1: Double = 0.9
    public var beta2: Double = 0.95
    public var epsilon: Double = 1e-8
    /// Sequences longer than this are truncated (their tail tokens, and the loss on them, are dropped).
    public var blockSize: Int = 32_768
    /// Clip the global gradient norm to this value; nil disables clipping.
    public var gradientClipNorm: Double? = 1.0

    public init(epochs: Int = 5, batchSize: Int = 16, microBatchSize: Int = 1, learningRate: Double = 1e-5,
                minLearningRate: Double = 0, warmupRatio: Double = 0.05, schedule: ScheduleKind = .cosine,
                weightDecay: Double = 1e-4,
                beta1: Double = 0.9, beta2: Double = 0.95, epsilon: Double = 1e-8, blockSize: Int = 32_768,
                gradientClipNorm: Double? = 1.0) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.microBatchSize = microBatchSize
        self.learningRate = learningRate
        self.minLearningRate = minLearningRate
        self.warmupRatio = warmupRatio
        self.schedule = schedule
        self.weightDecay = weightDecay
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.blockSize = blockSize
        self.gradientClipNorm = gradientClipNorm
    }

    /// Optimiser steps for `exampleCount` examples: ceil(n / batch) per epoch (the last batch may be short),
    /// so 1,000 examples × 5 epochs at batch 16 give the paper's 315 steps.
    public func totalSteps(exampleCount: Int) -> Int {
        epochs * ((exampleCount + batchSize - 1) / batchSize)
    }

    /// Every reason this configuration cannot train, empty when it can.
    public func problems() -> [String] {
        var found: [String] = []
        if epochs < 1 { found.append("epochs must be ≥ 1, found \(epochs)") }
        if batchSize < 1 { found.append("batch_size must be ≥ 1, found \(batchSize)") }
        if microBatchSize < 1 { found.append("micro_batch_size must be ≥ 1, found \(microBatchSize)") }
        if !(learningRate >= 0) { found.append("lr must be ≥ 0, found \(learningRate)") }
        if !(minLearningRate >= 0 && minLearningRate <= learningRate) {
            found.append("min_lr must be in [0, lr], found \(minLearningRate)")
        }
        if !(warmupRatio >= 0 && warmupRatio <= 1) { found.append("warmup_ratio must be in [0, 1], found \(warmupRatio)") }
        if !(weightDecay >= 0) { found.append("weight_decay must be ≥ 0, found \(weightDecay)") }
        if !(beta1 >= 0 && beta1 < 1) { found.append("adam.beta1 must be in [0, 1), found \(beta1)") }
        if !(beta2 >= 0 && beta2 < 1) { found.append("adam.beta2 must be in [0, 1), found \(beta2)") }
        if !(epsilon > 0) { found.append("adam.eps must be > 0, found \(epsilon)") }
        if blockSize < 2 { found.append("block_size must be ≥ 2, found \(blockSize)") }
        if let clip = gradientClipNorm, !(clip > 0) { found.append("gradient clip norm must be > 0, found \(clip)") }
        return found
    }
}

/// One supervised example: a token sequence and which tokens the loss is computed on
/// (for SFT: the thinking trace and the answer, not the system prompt or the question).
public struct TrainingExample: Codable, Equatable, Hashable, Sendable {
    public var tokens: [Int32]
    /// lossMask[t]: token t is a prediction target (predicted from tokens 0..<t). lossMask[0] has no effect.
    public var lossMask: [Bool]

    public init(tokens: [Int32], lossMask: [Bool]) {
        self.tokens = tokens
        self.lossMask = lossMask
    }
}

/// What truncation to `block_size` removed (the paper's Table 8 columns).
public struct TruncationStats: Codable, Equatable, Hashable, Sendable {
    public var samples: Int
    public var samplesCut: Int
    /// Loss tokens (mask true at positions ≥ 1) before truncation.
    public var lossTokens: Int
    public var lossTokensLost: Int
    public var fractionOfSamplesCut: Double { samples == 0 ? 0 : Double(samplesCut) / Double(samples) }
    public var fractionOfLossTokensLost: Double { lossTokens == 0 ? 0 : Double(lossTokensLost) / Double(lossTokens) }

    /// Truncates every example to `blockSize` tokens and counts what was lost.
    public static func truncate(_ examples: [TrainingExample], blockSize: Int) -> ([TrainingExample], TruncationStats) {
        var stats = TruncationStats(samples: examples.count, samplesCut: 0, lossTokens: 0, lossTokensLost: 0)
        let kept = examples.map { example -> TrainingExample in
            let targets = example.lossMask.dropFirst()
            stats.lossTokens += targets.filter { $0 }.count
            guard example.tokens.count > blockSize else { return example }
            stats.samplesCut += 1
            stats.lossTokensLost += example.lossMask[blockSize...].filter { $0 }.count
            return TrainingExample(tokens: Array(example.tokens[..<blockSize]), lossMask: Array(example.lossMask[..<blockSize]))
        }
        return (kept, stats)
    }
}
