// The comparison of an experiment's variants (`variants:`): the ablation tables of the paper (Table 2's data
// choices, Table 8's block sizes) as one row per configuration.
import Foundation
import S1Engine

/// One configuration's training data, truncation and results, for the side-by-side table.
public struct VariantRow: Codable, Equatable, Sendable {
    /// `base` for the file as written, else the variant's name.
    public var variant: String
    /// The variant's `set` items (empty for the base).
    public var overrides: [String]
    /// Records selected for fine-tuning (nil when the plan has no selection step).
    public var selected: Int?
    /// Mean teacher-trace length of the selected records, in tokens.
    public var meanTraceTokens: Double?
    /// What the block size cut (Table 8); nil without a training step.
    public var truncation: TruncationStats?
    /// Per method (`<benchmark>/<sweep>`): Control / Scaling / Performance.
    public var methods: [String: ScalingSummary]
    /// Per benchmark: the no-forcing baseline's point, whose thinking length is the model's own choice.
    public var unforced: [String: PointSummary]

    public init(variant: String, overrides: [String], selection: SelectionSummary?, training: TrainingResult?,
                results: ResultsDocument?) {
        self.variant = variant
        self.overrides = overrides
        selected = selection?.stages.last?.records
        meanTraceTokens = selection.map(\.traceTokens.mean)
        truncation = training?.truncation
        methods = results?.methods.mapValues(\.metrics) ?? [:]
        var unforced: [String: PointSummary] = [:]
        for (task, config) in results?.configs ?? [:] where config.sweep == ResultsDocument.unforcedSweep {
            unforced[config.benchmark] = results?.results[task]
        }
        self.unforced = unforced
    }
}

/// `variants.json`: every configuration of the experiment, the base first, then the variants in file order.
public struct VariantComparison: Codable, Equatable, Sendable {
    public var rows: [VariantRow]

    public init(rows: [VariantRow]) {
        self.rows = rows
    }

    /// Sorted-key JSON, so equal comparisons give equal bytes.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}
