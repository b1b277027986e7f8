// results.json: the layout of lm-evaluation-harness's results file where it fits — `results` (metrics per task),
// `configs` (what each task ran), `versions`, per-sample logs — plus the test-time-scaling metrics per method.
// Tasks are named "<benchmark>/<sweep>/<point>", the way lm-eval names subtasks, so its tooling can read them.

import Foundation

/// The configuration of one evaluated task (one sweep point on one benchmark).
public struct TaskConfig: Codable, Equatable, Sendable {
    public var benchmark: String
    public var sweep: String
    public var point: String
    public var grader: GraderKind
    /// The point's parameters as resolved strings (e.g. "max_thinking_tokens": "64"), sorted on output.
    public var parameters: [String: String]
    /// Which remaining-budget semantics forcing used (`BudgetSemantics.rawValue`), when forcing was applied.
    public var budgetSemantics: String?

    public init(benchmark: String, sweep: String, point: String, grader: GraderKind, parameters: [String: String],
                budgetSemantics: String? = nil) {
        self.benchmark = benchmark
        self.sweep = sweep
        self.point = point
        self.grader = grader
        self.parameters = parameters
        self.budgetSemantics = budgetSemantics
    }

    enum CodingKeys: String, CodingKey {
        case benchmark, sweep, point, grader, parameters
        case budgetSemantics = "budget_semantics"
    }
}

/// One method (sweep) on one benchmark: its points' metrics and the decoded-token cost of shared execution.
public struct MethodResult: Codable, Equatable, Sendable {
    public var benchmark: String
    public var sweep: String
    public var metrics: ScalingSummary
    /// Sum of the points' decoded tokens: the cost had every point run alone.
    public var decodedTokensSeparate: Int
    /// Decoded tokens actually spent when points shared prefixes (nil when they did not).
    public var decodedTokensShared: Int?
    /// The unit statement that every report repeats (the paper leaves it open).
    public var scalingUnits: [String]

    public init(benchmark: String, sweep: String, points: [PointSummary], decodedTokensShared: Int? = nil) {
        self.benchmark = benchmark
        self.sweep = sweep
        self.metrics = TestTimeScaling.summary(points.map(\.computePoint))
        self.decodedTokensSeparate = points.map(\.decodedTokens).reduce(0, +)
        self.decodedTokensShared = decodedTokensShared
        self.scalingUnits = ScalingUnit.allCases.map(\.rawValue)
    }

    enum CodingKeys: String, CodingKey {
        case benchmark, sweep, metrics
        case decodedTokensSeparate = "decoded_tokens_separate"
        case decodedTokensShared = "decoded_tokens_shared"
        case scalingUnits = "scaling_units"
    }
}

/// The whole results.json.
public struct ResultsDocument: Codable, Equatable, Sendable {
    /// Per task ("<benchmark>/<sweep>/<point>"): the point's aggregates.
    public var results: [String: PointSummary]
    /// Per task: what ran.
    public var configs: [String: TaskConfig]
    /// Per task: the version of the task/grading code that produced it.
    public var versions: [String: Int]
    /// Per "<benchmark>/<sweep>": Control / Scaling / Performance.
    public var methods: [String: MethodResult]
    /// Per task: the sample logs, ordered by question id.
    public var samples: [String: [SampleRecord]]
    /// Per task: sample counts, as lm-eval's `n-samples` (`original` = `effective`: no limit is applied here).
    public var nSamples: [String: SampleCount]

    /// lm-eval's `n-samples` entry.
    public struct SampleCount: Codable, Equatable, Sendable {
        public var original: Int
        public var effective: Int

        public init(original: Int, effective: Int) {
            self.original = original
            self.effective = effective
        }
    }

    /// The sweep name the no-forcing baseline is planned and recorded under.
    public static let unforcedSweep = "no-forcing"

    /// Version of this layout and of the grading rules; bump when either changes meaning.
    public static let formatVersion = 1

    public init(results: [String: PointSummary], configs: [String: TaskConfig], methods: [String: MethodResult],
                samples: [String: [SampleRecord]]) {
        self.results = results
        self.configs = configs
        self.versions = results.keys.reduce(into: [:]) { $0[$1] = Self.formatVersion }
        self.methods = methods
        self.samples = samples.mapValues { $0.sorted { ($0.questionID, $0.point) < ($1.questionID, $1.point) } }
        self.nSamples = results.mapValues { SampleCount(original: $0.samples, effective: $0.samples) }
    }

    enum CodingKeys: String, CodingKey {
        case results, configs, versions, methods, samples
        case nSamples = "n-samples"
    }

    /// The task name of a point.
    public static func taskName(benchmark: String, sweep: String, point: String) -> String {
        "\(benchmark)/\(sweep)/\(point)"
    }

    /// Canonical JSON bytes: sorted keys, shortest round-trip floats, no escaped slashes, trailing newline.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(0x0A)
        return data
    }
}
