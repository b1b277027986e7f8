import Foundation

/// Linear warmup from 0 over `warmupSteps`, then cosine decay from `peak` to `minimum` at the last step, as
/// HF `get_cosine_schedule_with_warmup` (with a floor): the rate used for the 0-based step s is
///   s < W:  peak · s / W
///   else:   minimum + (peak − minimum) · ½(1 + cos(π · (s − W) / (total − W)))
public struct LearningRateSchedule: Codable, Equatable, Sendable {
    public let peak: Double
    public let minimum: Double
    public let warmupSteps: Int
    public let totalSteps: Int

    public init(peak: Double, minimum: Double = 0, warmupSteps: Int, totalSteps: Int) {
        self.peak = peak
        self.minimum = minimum
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
    }

    /// HF rounds the warmup up: ceil(0.05 · 315) = 16 steps in the paper.
    public init(config: TrainingConfig, totalSteps: Int) {
        self.init(peak: config.learningRate, minimum: config.minLearningRate,
                  warmupSteps: Int((config.warmupRatio * Double(totalSteps)).rounded(.up)), totalSteps: totalSteps)
    }

    public func rate(atStep step: Int) -> Double {
        if step < warmupSteps { return peak * Double(step) / Double(max(1, warmupSteps)) }
        let progress = Double(step - warmupSteps) / Double(max(1, totalSteps - warmupSteps))
        return minimum + (peak - minimum) * 0.5 * (1 + Foundation.cos(Double.pi * progress))
    }
}
