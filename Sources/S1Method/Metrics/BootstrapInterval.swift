// Accuracy confidence intervals by the percentile bootstrap, with every resample drawn from the seed tree so
// that a rerun reproduces the interval to the bit.

import S1Engine

/// A two-sided confidence interval.
public struct ConfidenceInterval: Codable, Equatable, Sendable {
    public var lower: Double
    public var upper: Double
    /// Coverage, e.g. 0.95.
    public var level: Double

    public init(lower: Double, upper: Double, level: Double) {
        self.lower = lower
        self.upper = upper
        self.level = level
    }
}

/// Seeded percentile bootstrap for a mean of 0/1 outcomes (or any values).
public enum Bootstrap {
    /// The `level` interval of the mean of `values`, from `resamples` resamples with replacement.
    /// Quantiles interpolate linearly between order statistics (numpy's default), at q·(B−1).
    /// Resample r draws its indices from `CounterRNG(key: derive(seed, r))`, so the interval does not depend on
    /// the resample count's other members or on threads. Nil for no values.
    public static func meanInterval(_ values: [Double], seed: UInt64, resamples: Int = 2000,
                                    level: Double = 0.95) -> ConfidenceInterval? {
        guard !values.isEmpty, resamples > 0 else { return nil }
        var means: [Double] = []
        means.reserveCapacity(resamples)
        for r in 0..<resamples {
            var rng = CounterRNG(key: CounterRNG.derive(seed, UInt64(r)))
            var sum = 0.0
            for _ in 0..<values.count { sum += values[rng.nextIndex(below: values.count)] }
            means.append(sum / Double(values.count))
        }
        means.sort()
        let tail = (1 - level) / 2
        return ConfidenceInterval(lower: quantile(means, tail), upper: quantile(means, 1 - tail), level: level)
    }

    /// Linear-interpolation quantile of sorted values.
    public static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let position = q * Double(sorted.count - 1)
        let below = Int(position.rounded(.down))
        let above = min(below + 1, sorted.count - 1)
        let fraction = position - Double(below)
        return sorted[below] + (sorted[above] - sorted[below]) * fraction
    }
}
