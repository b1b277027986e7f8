// Throughput of the data half (for `make bench`): pool generation, selection, decontamination.
// Wall-clock time is measured here only; nothing measured is hashed or written into a run.
import Foundation
import S1Engine

public enum DataBenchmarks {
    /// Measured numbers of one benchmark run.
    public struct Result: Codable, Equatable, Sendable, CustomStringConvertible {
        public var poolSize: Int
        public var benchmarkSize: Int
        public var generationSeconds: Double
        public var selectionSeconds: Double
        public var decontaminationSeconds: Double
        public var selected: Int
        public var contaminated: Int

        public var generationRecordsPerSecond: Double { Double(poolSize) / max(generationSeconds, 1e-9) }
        public var selectionRecordsPerSecond: Double { Double(poolSize) / max(selectionSeconds, 1e-9) }

        public var description: String {
            func f(_ x: Double) -> String { String(format: "%.3f", x) }
            return "data bench: pool \(poolSize) records generated in \(f(generationSeconds)) s "
                + "(\(Int(generationRecordsPerSecond)) records/s); selection of \(selected) in \(f(selectionSeconds)) s "
                + "(\(Int(selectionRecordsPerSecond)) records/s); decontamination of \(poolSize) long questions "
                + "against \(benchmarkSize) in \(f(decontaminationSeconds)) s (\(contaminated) planted overlaps found)"
        }
    }

    /// Generates a synthetic pool of `poolSize` (default: the paper's 59,029), selects 1,000 with Algorithm 1,
    /// and decontaminates `poolSize` s1K-length questions (~100 words) against `benchmarkSize` (default 1,000),
    /// of which every 100th pool question embeds a benchmark sentence.
    public static func run(poolSize: Int = 59_029, benchmarkSize: Int = 1_000, seed: UInt64 = 1234) throws -> Result {
        let clock = ContinuousClock()
        var pool: [PoolRecord] = []
        let generation = try clock.measure {
            pool = try SyntheticTasks.generate(split: .train, count: poolSize, seed: seed, config: SyntheticTaskConfig())
        }
        let config = SelectionConfig(target: min(1000, poolSize / 2),
                                     preselect: [PreselectClause(domains: ["fraction_choice"], minTraceTokens: 210)])
        var selected = 0
        let selection = try clock.measure {
            selected = try Selection.run(pool: pool, benchmark: [], config: config, seed: seed,
                                         tokenCount: { $0.utf8.count }).selected.count
        }
        let (longPool, benchmark) = longQuestions(poolSize: poolSize, benchmarkSize: benchmarkSize, seed: seed)
        var hits = 0
        let decontamination = clock.measure {
            hits = Decontamination.overlaps(pool: longPool, benchmark: benchmark, n: 8).count
        }
        return Result(poolSize: poolSize, benchmarkSize: benchmarkSize, generationSeconds: seconds(generation),
                      selectionSeconds: seconds(selection), decontaminationSeconds: seconds(decontamination),
                      selected: selected, contaminated: hits)
    }

    /// Random-word texts of about 100 words (s1K questions are a few hundred bytes to a few KB).
    static func longQuestions(poolSize: Int, benchmarkSize: Int, seed: UInt64) -> ([String], [String]) {
        var rng = CounterRNG(key: CounterRNG.derive(seed, 0xBE))
        func text(_ words: Int) -> String {
            (0..<words).map { _ in "w\(rng.nextIndex(below: 50_000))" }.joined(separator: " ")
        }
        let benchmark = (0..<benchmarkSize).map { _ in text(100) }
        let pool = (0..<poolSize).map { i -> String in
            i % 100 == 0 && !benchmark.isEmpty ? text(40) + " " + benchmark[i / 100 % benchmark.count].uppercased()
                .split(separator: " ").prefix(12).joined(separator: " ") + " " + text(40) : text(100)
        }
        return (pool, benchmark)
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}
