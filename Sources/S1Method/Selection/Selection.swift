// The selection step as one pure function: decontaminate → quality → difficulty → selector.
import S1Engine

/// The outcome of selection.
public struct SelectionResult: Equatable, Sendable {
    /// The selected records in selection order, with `trace_tokens` filled in.
    public var selected: [PoolRecord]
    /// Pool records dropped for overlapping the benchmark (index into the input pool, benchmark index).
    public var contaminated: [ContaminationHit]
    public var summary: SelectionSummary
}

public enum Selection {
    /// Runs selection on `pool` against `benchmark` questions.
    ///
    /// - Parameters:
    ///   - tokenCount: tokens of a text under the experiment's tokenizer (trace lengths).
    ///   - seed: the step's seed from the runner's seed tree; all draws derive from it.
    /// The ablation selectors (`random`, `diverse`, `longest`, `full`) work on the quality-filtered pool,
    /// without the difficulty filter or preselection, as the paper's Table 2 baselines do.
    public static func run(pool: [PoolRecord], benchmark: [String], config: SelectionConfig, seed: UInt64,
                           tokenCount: (String) -> Int) throws -> SelectionResult {
        guard config.target > 0 else { throw SelectionError.badTarget(config.target) }
        guard config.ngram > 0 else { throw SelectionError.badNgram(config.ngram) }
        var stages = [StageCount(stage: "input", records: pool.count)]
        var dropped: [String: Int] = [:]

        let contaminated = Decontamination.overlaps(pool: pool.map(\.question), benchmark: benchmark, n: config.ngram)
        let contaminatedSet = Set(contaminated.map(\.poolIndex))
        var records = pool.indices.filter { !contaminatedSet.contains($0) }.map { pool[$0] }
        dropped["decontamination"] = contaminated.count
        stages.append(StageCount(stage: "decontamination", records: records.count))

        records = records.filter { record in
            guard let rule = QualityFilter.brokenRule(record, rules: config.quality) else { return true }
            dropped[rule, default: 0] += 1
            return false
        }
        stages.append(StageCount(stage: "quality", records: records.count))
        for i in records.indices { records[i].traceTokens = tokenCount(records[i].thinking) }

        var unannotated = 0, preselectedCount = 0
        let chosen: [PoolRecord]
        switch config.selector {
        case .s1:
            records = records.filter { record in
                if let rule = DifficultyFilter.brokenRule(record, rules: config.difficulty) {
                    dropped[rule, default: 0] += 1
                    return false
                }
                if DifficultyFilter.isUnannotated(record, rules: config.difficulty) { unannotated += 1 }
                return true
            }
            stages.append(StageCount(stage: "difficulty", records: records.count))
            let preselected = records.indices.filter { i in config.preselect.contains { $0.matches(records[i]) } }
            guard preselected.count <= config.target else {
                throw SelectionError.preselectionExceedsTarget(preselected: preselected.count, target: config.target)
            }
            guard records.count >= config.target else {
                throw SelectionError.poolTooSmall(available: records.count, target: config.target, stage: "difficulty")
            }
            preselectedCount = preselected.count
            let picks = Algorithm1.select(domains: records.map(\.selectionDomain), lengths: records.map { $0.traceTokens ?? 0 },
                                          preselected: preselected, target: config.target, variant: config.variant,
                                          seed: seed, uniformUntil: config.notebookUniformUntil)
            chosen = picks.map { records[$0] }
        case .random, .diverse, .longest:
            guard records.count >= config.target else {
                throw SelectionError.poolTooSmall(available: records.count, target: config.target, stage: "quality")
            }
            chosen = ablation(config.selector, records: records, target: config.target, seed: seed)
        case .full:
            chosen = records
        }
        stages.append(StageCount(stage: "selected", records: chosen.count))

        var histogram: [String: Int] = [:]
        for record in chosen { histogram[record.selectionDomain, default: 0] += 1 }
        let graded = chosen.compactMap(\.teacherCorrect)
        let summary = SelectionSummary(
            selector: config.selector, variant: config.variant, seed: seed, target: config.target, stages: stages,
            droppedByRule: dropped, unannotatedForDifficulty: unannotated, preselected: preselectedCount,
            domainHistogram: histogram, traceTokens: LengthDistribution(chosen.map { $0.traceTokens ?? 0 }),
            teacherCorrectRate: graded.isEmpty ? nil : Double(graded.filter { $0 }.count) / Double(graded.count))
        return SelectionResult(selected: chosen, contaminated: contaminated, summary: summary)
    }

    static func ablation(_ selector: Selector, records: [PoolRecord], target: Int, seed: UInt64) -> [PoolRecord] {
        switch selector {
        case .random:
            var rng = CounterRNG(key: CounterRNG.derive(seed, 0x4A))
            var order = Array(records.indices)
            rng.shuffle(&order)
            return order.prefix(target).map { records[$0] }
        case .diverse:
            return Algorithm1.uniformOverDomains(domains: records.map(\.selectionDomain), target: target, seed: seed)
                .map { records[$0] }
        case .longest:
            let order = records.indices.sorted {
                let (a, b) = (records[$0].traceTokens ?? 0, records[$1].traceTokens ?? 0)
                return a != b ? a > b : $0 < $1
            }
            return order.prefix(target).map { records[$0] }
        case .s1, .full:
            return records
        }
    }
}
