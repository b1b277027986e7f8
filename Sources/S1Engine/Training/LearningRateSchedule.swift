import Foundation

/// The decay after warmup (the experiment's `train.schedule`).
public enum ScheduleKind: String, Codable, Sendable, CaseIterable {
    /// ½(1 + cos(π·progress)): the paper's.
    case cosine
    /// 1 − progress.
    case linear
    /// The peak rate throughout.
    case constant
}

/// Linear warmup from 0 over `warmupSteps`, then decay from `peak` to `minimum` at the last step, as HF
/// `get_cosine_schedule_with_warmup` (with a floor): the rate used for the 0-based step s is
///   s < W:  peak · s / W
///   else:   minimum + (peak − minimum) · f((s − W) / (total − W)),  f(p) = ½(1 + cos(πp)) for cosine
public struct LearningRateSchedule: Codable, Equatable, Sendable {
    public let kind: ScheduleKind
    public let peak: Double
    public let minimum: Double
    public let warmupSteps: Int
    public let totalSteps: Int

    public init(kind: ScheduleKind = .cosine, peak: Double, minimum: Double = 0, warmupSteps: Int, totalSteps: Int) {
        self.kind = kind
        self.peak = peak
        self.minimum = minimum
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
    }

    /// HF rounds the warmup up: ceil(0.05 · 315) = 16 steps in the paper.
    public init(config: TrainingConfig, totalSteps: Int) {
        self.init(kind: config.schedule, peak: config.learningRate, minimum: config.minLearningRate,
                  warmupSteps: Int((config.warmupRatio * Double(totalSteps)).rounded(.up)), totalSteps: totalSteps)
    }

    public func rate(atStep step: Int) -> Double {
        if step < warmupSteps { return peak * Double(step) / Double(max(1, warmupSteps)) }
        let progress = Double(step - warmupSteps) / Double(max(1, totalSteps - warmupSteps))
        let factor: Double
        switch kind {
        case .cosine: factor = 0.5 * (1 + Foundation.cos(Double.pi * progress))
        case .linear: factor = max(0, 1 - progress)
        case .constant: factor = 1
        }
        return minimum + (peak - minimum) * factor
    }
}
