// From graded samples to results.json: one call for the Runner's `metrics` step, so the grouping of points into
// methods (benchmark × sweep) lives in one place.

/// The graded samples of one sweep point, with what it asked for.
public struct PointInput: Sendable {
    public var config: TaskConfig
    public var requested: ThinkingRange
    public var records: [SampleRecord]
    /// Seed of this point's bootstrap (derive it from the run's seed tree and the point id).
    public var bootstrapSeed: UInt64

    public init(config: TaskConfig, requested: ThinkingRange, records: [SampleRecord], bootstrapSeed: UInt64) {
        self.config = config
        self.requested = requested
        self.records = records
        self.bootstrapSeed = bootstrapSeed
    }
}

public enum ResultsAssembler {
    /// Aggregates every point, groups points by benchmark and sweep into methods (Control / Scaling /
    /// Performance), and lays them out as results.json. Points without samples are left out. `sharedDecodedTokens`
    /// gives, per "<benchmark>/<sweep>", the decoded tokens a prefix-sharing execution actually spent.
    public static func assemble(_ points: [PointInput], sharedDecodedTokens: [String: Int] = [:],
                                resamples: Int = 2000) -> ResultsDocument {
        var results: [String: PointSummary] = [:]
        var configs: [String: TaskConfig] = [:]
        var samples: [String: [SampleRecord]] = [:]
        var byMethod: [String: (benchmark: String, sweep: String, points: [PointSummary])] = [:]
        var methodOrder: [String] = []
        for input in points {
            let c = input.config
            guard let summary = PointSummary(point: c.point, requested: input.requested, records: input.records,
                                             seed: input.bootstrapSeed, resamples: resamples) else { continue }
            let task = ResultsDocument.taskName(benchmark: c.benchmark, sweep: c.sweep, point: c.point)
            results[task] = summary
            configs[task] = c
            samples[task] = input.records
            let method = "\(c.benchmark)/\(c.sweep)"
            if byMethod[method] == nil {
                byMethod[method] = (c.benchmark, c.sweep, [])
                methodOrder.append(method)
            }
            byMethod[method]!.points.append(summary)
        }
        var methods: [String: MethodResult] = [:]
        for key in methodOrder {
            let m = byMethod[key]!
            methods[key] = MethodResult(benchmark: m.benchmark, sweep: m.sweep, points: m.points,
                                        decodedTokensShared: sharedDecodedTokens[key])
        }
        return ResultsDocument(results: results, configs: configs, methods: methods, samples: samples)
    }
}
