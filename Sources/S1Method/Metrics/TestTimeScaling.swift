// Control, Scaling and Performance of docs/METHOD.md §5 (paper section 3.2), over the compute points a method produces.

import Foundation

/// One compute point of a method on a benchmark: its average thinking tokens and its accuracy.
public struct ComputePoint: Codable, Equatable, Sendable {
    /// Average thinking tokens at this point (the paper's `a`).
    public var thinkingTokens: Double
    /// Accuracy in percentage points, 0–100 (the paper's `f(a)`).
    public var accuracy: Double
    /// What the point asked for.
    public var requested: ThinkingRange

    public init(thinkingTokens: Double, accuracy: Double, requested: ThinkingRange = ThinkingRange()) {
        self.thinkingTokens = thinkingTokens
        self.accuracy = accuracy
        self.requested = requested
    }
}

/// The x axis Scaling's slopes are taken on. The paper leaves the unit of `a` unstated, so we report both.
public enum ScalingUnit: String, Codable, Sendable, CaseIterable {
    /// Accuracy points per 1,000 thinking tokens: x = a / 1000.
    case perThousandTokens = "accuracy_points_per_1000_thinking_tokens"
    /// Accuracy points per doubling of thinking tokens: x = log2(a).
    case perDoubling = "accuracy_points_per_doubling_of_thinking_tokens"
}

/// The paper's three test-time-scaling metrics.
public enum TestTimeScaling {
    /// Control = (1/|A|) Σ 1[a_min ≤ a ≤ a_max], as a percentage; nil for no points.
    public static func control(_ points: [ComputePoint]) -> Double? {
        guard !points.isEmpty else { return nil }
        let inside = points.filter { $0.requested.contains($0.thinkingTokens) }.count
        return 100 * Double(inside) / Double(points.count)
    }

    /// Scaling = (1 / C(|A|, 2)) Σ_{a<b} (f(b) − f(a)) / (b − a), the average pairwise slope, in `unit`.
    ///
    /// A is a set, so two points with the same `a` are one compute amount: such pairs have no slope and are left
    /// out of both the sum and the count. Nil when fewer than one pair remains, or (per doubling) when a point has
    /// `a ≤ 0`, which has no log2.
    public static func scaling(_ points: [ComputePoint], unit: ScalingUnit) -> Double? {
        var xs: [Double] = []
        for p in points {
            switch unit {
            case .perThousandTokens: xs.append(p.thinkingTokens / 1000)
            case .perDoubling:
                guard p.thinkingTokens > 0 else { return nil }
                xs.append(Foundation.log2(p.thinkingTokens))
            }
        }
        var sum = 0.0
        var pairs = 0
        for i in 0..<points.count {
            for j in (i + 1)..<points.count where xs[i] != xs[j] {
                // Order each pair so that a < b; the slope is symmetric anyway.
                sum += (points[j].accuracy - points[i].accuracy) / (xs[j] - xs[i])
                pairs += 1
            }
        }
        return pairs == 0 ? nil : sum / Double(pairs)
    }

    /// Performance = max_a f(a); nil for no points.
    public static func performance(_ points: [ComputePoint]) -> Double? {
        points.map(\.accuracy).max()
    }

    /// All three, with Scaling in both units.
    public static func summary(_ points: [ComputePoint]) -> ScalingSummary {
        ScalingSummary(points: points.count, control: control(points),
                       scalingPerThousandTokens: scaling(points, unit: .perThousandTokens),
                       scalingPerDoubling: scaling(points, unit: .perDoubling),
                       performance: performance(points))
    }
}

/// Control / Scaling / Performance of one method on one benchmark.
public struct ScalingSummary: Codable, Equatable, Sendable {
    /// |A|.
    public var points: Int
    /// Percentage of points whose average thinking tokens respect the requested range.
    public var control: Double?
    /// Accuracy points per 1,000 thinking tokens (`ScalingUnit.perThousandTokens`).
    public var scalingPerThousandTokens: Double?
    /// Accuracy points per doubling of thinking tokens (`ScalingUnit.perDoubling`).
    public var scalingPerDoubling: Double?
    /// Best accuracy over the points, percentage points.
    public var performance: Double?

    enum CodingKeys: String, CodingKey {
        case points, control, performance
        case scalingPerThousandTokens = "scaling_per_1000_thinking_tokens"
        case scalingPerDoubling = "scaling_per_doubling"
    }
}
