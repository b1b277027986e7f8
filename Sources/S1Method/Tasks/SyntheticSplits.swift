// The train (pool) and test (benchmark) splits of the synthetic task family, from one seed.
import S1Engine

/// Which side of the hash partition of the question space a record belongs to.
public enum TaskSplit: String, Codable, Sendable, CaseIterable {
    /// The selection pool.
    case train
    /// The benchmark.
    case test

    var label: UInt64 { self == .train ? 1 : 2 }

    /// The split a question belongs to. Disjointness holds by construction: a question's split is a pure
    /// function of its text, so the same question can never be generated into both.
    public static func of(question: String, testPermille: Int) -> TaskSplit {
        CounterRNG.draw(key: fnv1a64(question), counter: 0) % 1000 < UInt64(testPermille) ? .test : .train
    }
}

/// What to generate.
public struct SyntheticTaskConfig: Codable, Equatable, Sendable {
    public var domains: [TaskDomain]
    /// Difficulty levels drawn uniformly.
    public var difficulties: ClosedRange<Int>
    public var teacher: TeacherConfig
    /// Per mille of the question space reserved for `test`. Small, since the benchmark is small.
    public var testPermille: Int

    public init(domains: [TaskDomain] = TaskDomain.allCases, difficulties: ClosedRange<Int> = 1...TaskDomain.maxDifficulty,
                teacher: TeacherConfig = TeacherConfig(), testPermille: Int = 100) {
        self.domains = domains
        self.difficulties = difficulties
        self.teacher = teacher
        self.testPermille = testPermille
    }
}

public enum SyntheticTasks {
    /// `count` distinct records of `split`, each with a teacher trace, from `seed`.
    ///
    /// Record `i` draws from its own stream `derive(seed, split, i)`, redrawing (same stream) when its
    /// question belongs to the other split or was already generated; so the result depends only on the seed and
    /// configuration. `base_results` and `trace_tokens` are left for the attempts step and selection.
    public static func generate(split: TaskSplit, count: Int, seed: UInt64, config: SyntheticTaskConfig) throws -> [PoolRecord] {
        guard !config.domains.isEmpty else { throw TaskError.noDomains }
        let valid = 1...TaskDomain.maxDifficulty
        guard valid.contains(config.difficulties.lowerBound), valid.contains(config.difficulties.upperBound) else {
            throw TaskError.badDifficulty(found: config.difficulties, valid: valid)
        }
        try config.teacher.validate()
        guard (0...1000).contains(config.testPermille) else {
            throw TaskError.badFraction(name: "test_permille / 1000", found: Double(config.testPermille) / 1000)
        }
        let domains = config.domains.sorted()
        let generators = domains.map(\.generator)
        var seen = Set<String>()
        var records: [PoolRecord] = []
        records.reserveCapacity(count)
        let maxTries = 1000
        for i in 0..<count {
            var rng = CounterRNG(key: CounterRNG.derive(seed, split.label, UInt64(i)))
            var problem: TaskProblem? = nil
            for _ in 0..<maxTries {
                let which = rng.nextIndex(below: generators.count)
                let difficulty = rng.int(in: config.difficulties)
                let candidate = generators[which].problem(difficulty: difficulty, rng: &rng)
                if TaskSplit.of(question: candidate.question, testPermille: config.testPermille) == split,
                   !seen.contains(candidate.question) {
                    problem = candidate
                    break
                }
            }
            guard let problem else {
                throw TaskError.questionSpaceExhausted(split: split.rawValue, generated: records.count, requested: count)
            }
            seen.insert(problem.question)
            let trace = Teacher.trace(for: problem, config: config.teacher, rng: &rng)
            records.append(record(problem, trace))
        }
        return records
    }

    static func record(_ problem: TaskProblem, _ trace: TeacherTrace) -> PoolRecord {
        PoolRecord(question: problem.question, solution: problem.answer, cotType: "math",
                   sourceType: "synthetic/\(problem.domain.rawValue)",
                   metadata: "{\"difficulty\":\(problem.difficulty),\"self_corrected\":\(trace.selfCorrected)}",
                   thinkingTrajectories: [trace.text], attempt: trace.answer, domain: problem.domain.rawValue,
                   teacherCorrect: trace.correct, options: problem.options.isEmpty ? nil : problem.options)
    }
}

/// FNV-1a, 64-bit: a fixed, platform-independent string hash (Swift's `Hasher` is seeded per process).
@inline(__always)
func fnv1a64<S: Sequence>(_ bytes: S) -> UInt64 where S.Element == UInt8 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
    return h
}

func fnv1a64(_ text: String) -> UInt64 { fnv1a64(text.utf8) }
