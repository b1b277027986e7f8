// The selection step's summary for the report: counts per stage and rule, domains, lengths, correctness.
import Foundation

/// Records remaining after one stage.
public struct StageCount: Codable, Equatable, Sendable {
    public var stage: String
    public var records: Int
}

/// Order statistics of trace lengths in tokens (nearest-rank percentiles).
public struct LengthDistribution: Codable, Equatable, Sendable {
    public var count: Int
    public var min: Int
    public var p25: Int
    public var median: Int
    public var p75: Int
    public var max: Int
    public var mean: Double

    public init(_ values: [Int]) {
        let sorted = values.sorted()
        count = sorted.count
        func rank(_ q: Double) -> Int {
            guard !sorted.isEmpty else { return 0 }
            let r = Int((q * Double(sorted.count)).rounded(.up))
            return sorted[Swift.max(0, Swift.min(sorted.count - 1, r - 1))]
        }
        min = sorted.first ?? 0
        max = sorted.last ?? 0
        p25 = rank(0.25)
        median = rank(0.5)
        p75 = rank(0.75)
        mean = sorted.isEmpty ? 0 : Double(sorted.reduce(0, +)) / Double(sorted.count)
    }
}

/// What selection did, for the report. Encoded with sorted keys (`encoded()`), so equal runs give equal bytes.
public struct SelectionSummary: Codable, Equatable, Sendable {
    public var selector: Selector
    public var variant: DiversityVariant
    public var seed: UInt64
    public var target: Int
    /// In order: input, decontamination, quality, difficulty, then the selector's final stage.
    public var stages: [StageCount]
    /// Records dropped per rule (`decontamination`, `quality.empty_question`, `difficulty.solved_by:M`, …).
    public var droppedByRule: [String: Int]
    /// Records kept by the difficulty stage although a listed base model had no annotation on them.
    public var unannotatedForDifficulty: Int
    public var preselected: Int
    /// Selected records per domain.
    public var domainHistogram: [String: Int]
    /// Trace lengths of the selected records.
    public var traceTokens: LengthDistribution
    /// Fraction of selected records whose teacher answer is correct, among those annotated (nil if none are).
    public var teacherCorrectRate: Double?

    /// Sorted-key JSON.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}
