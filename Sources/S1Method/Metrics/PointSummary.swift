// Aggregates of one sweep point: accuracy with its bootstrap interval, thinking tokens, cost and Control.

/// The aggregate of one sweep point's samples.
public struct PointSummary: Codable, Equatable, Sendable {
    public var point: String
    public var requested: ThinkingRange
    public var samples: Int
    /// Accuracy, percentage points.
    public var accuracy: Double
    /// 95% seeded percentile-bootstrap interval of the accuracy, percentage points.
    public var accuracyInterval: ConfidenceInterval
    public var meanThinkingTokens: Double
    /// Sum over samples of decoded tokens (cost of running this point alone).
    public var decodedTokens: Int
    /// Control per point: 1 when the mean thinking tokens respect the requested range, else 0.
    public var withinRange: Bool
    /// Control per sample: percentage of samples whose own thinking tokens respect the range.
    public var samplesWithinRange: Double
    public var forcedStops: Int
    public var ignoredEnds: Int
    /// Mean generations per sample (rejection sampling's cost signal).
    public var meanTries: Double

    /// Aggregates `records` (all of one point). Nil for no records. `seed` roots the bootstrap.
    public init?(point: String, requested: ThinkingRange, records: [SampleRecord], seed: UInt64,
                 resamples: Int = 2000) {
        guard !records.isEmpty else { return nil }
        let n = Double(records.count)
        let outcomes = records.map { $0.correct ? 100.0 : 0.0 }
        self.point = point
        self.requested = requested
        self.samples = records.count
        self.accuracy = outcomes.reduce(0, +) / n
        self.accuracyInterval = Bootstrap.meanInterval(outcomes, seed: seed, resamples: max(1, resamples))!
        self.meanThinkingTokens = Double(records.map(\.thinkingTokens).reduce(0, +)) / n
        self.decodedTokens = records.map(\.decodedTokens).reduce(0, +)
        self.withinRange = requested.contains(meanThinkingTokens)
        self.samplesWithinRange = 100 * Double(records.filter { requested.contains(Double($0.thinkingTokens)) }.count) / n
        self.forcedStops = records.map(\.forcedStops).reduce(0, +)
        self.ignoredEnds = records.map(\.ignoredEnds).reduce(0, +)
        self.meanTries = Double(records.map(\.tries).reduce(0, +)) / n
    }

    /// This point as one of the paper's compute points.
    public var computePoint: ComputePoint {
        ComputePoint(thinkingTokens: meanThinkingTokens, accuracy: accuracy, requested: requested)
    }

    enum CodingKeys: String, CodingKey {
        case point, requested, samples, accuracy
        case accuracyInterval = "accuracy_ci95"
        case meanThinkingTokens = "mean_thinking_tokens"
        case decodedTokens = "decoded_tokens"
        case withinRange = "within_range"
        case samplesWithinRange = "samples_within_range"
        case forcedStops = "forced_stops"
        case ignoredEnds = "ignored_ends"
        case meanTries = "mean_tries"
    }
}
