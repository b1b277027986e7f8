import Foundation
import S1Engine
import S1Method
import S1Spec

/// `synthetic-pool`: the synthetic task family's two splits, with teacher traces: `pool.jsonl` (train) and
/// `test.jsonl` (the held-out benchmark).
struct SyntheticPoolStep: StepExecutor {
    let kind = ExperimentPlanner.Kind.syntheticPool

    struct Parameters: Decodable {
        struct Pool: Decodable {
            struct Range: Decodable { let min: Int; let max: Int }
            struct Teacher: Decodable { let error_rate: Double; let self_correction_rate: Double }
            let domains: [String]
            let size: Int
            let test_size: Int
            let difficulty: Range
            let teacher: Teacher
        }
        let pool: Pool
    }

    func run(_ context: StepContext) throws {
        let pool = try context.parameters(as: Parameters.self).pool
        let domains = try pool.domains == ["all"] ? TaskDomain.allCases : pool.domains.map { name in
            guard let domain = TaskDomain(rawValue: name) else {
                throw StepFailure(step: context.step.name, message: "data.pool.domains names an unknown domain '\(name)'; "
                    + "known: all, \(TaskDomain.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return domain
        }
        guard pool.difficulty.min <= pool.difficulty.max else {
            throw StepFailure(step: context.step.name, message: "data.pool.difficulty.min exceeds max")
        }
        let config = SyntheticTaskConfig(
            domains: domains, difficulties: pool.difficulty.min...pool.difficulty.max,
            teacher: TeacherConfig(errorRate: pool.teacher.error_rate, correctionRate: pool.teacher.self_correction_rate))
        context.progress.begin(total: Double(pool.size + pool.test_size), unit: "records")
        let train = try SyntheticTasks.generate(split: .train, count: pool.size, seed: context.seed, config: config)
        context.progress.advance(by: Double(pool.size))
        let test = try SyntheticTasks.generate(split: .test, count: pool.test_size, seed: context.seed, config: config)
        context.progress.advance(by: Double(pool.test_size))
        try context.writeOutput("pool.jsonl", try PoolJSONL.encode(train))
        try context.writeOutput("test.jsonl", try PoolJSONL.encode(test))
        let correct = train.filter { $0.teacherCorrect == true }.count
        context.log("generated \(train.count) pool records (\(correct) teacher-correct) and \(test.count) test records")
    }
}

/// `import-pool`: an s1K-style JSONL pool, checked record by record and written back in canonical form.
struct ImportPoolStep: StepExecutor {
    let kind = ExperimentPlanner.Kind.importPool

    struct Parameters: Decodable {
        struct Pool: Decodable { let jsonl: String; let size: Int? }
        let pool: Pool
    }

    func run(_ context: StepContext) throws {
        let parameters = try context.parameters(as: Parameters.self).pool
        let url = try context.input("pool")
        var records = try PoolJSONL.decode(try Data(contentsOf: url), source: parameters.jsonl)
        if let size = parameters.size { records = Array(records.prefix(size)) }
        try context.writeOutput("pool.jsonl", try PoolJSONL.encode(records))
        context.log("imported \(records.count) records from \(parameters.jsonl)")
    }
}

/// `import-benchmark`: benchmark questions from JSONL, one `{"question", "solution", "options"?}` object a line
/// (`solution` holds the gold answer, or a worked solution whose last `\boxed{}` is the answer). Written in the pool
/// schema, so evaluation reads every benchmark the same way.
struct ImportBenchmarkStep: StepExecutor {
    let kind = ExperimentPlanner.Kind.importBenchmark

    struct Parameters: Decodable {
        struct Benchmark: Decodable { let name: String; let jsonl: String; let size: Int? }
        let benchmark: Benchmark
    }

    func run(_ context: StepContext) throws {
        let benchmark = try context.parameters(as: Parameters.self).benchmark
        let text = try String(contentsOf: try context.input("benchmark"), encoding: .utf8)
        var records: [PoolRecord] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.allSatisfy(\.isWhitespace) { continue }
            if let size = benchmark.size, records.count >= size { break }
            let location = "\(benchmark.jsonl):\(index + 1)"
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw StepFailure(step: context.step.name, message: "\(location): expected one JSON object per line")
            }
            guard let question = object["question"] as? String, !question.isEmpty else {
                throw StepFailure(step: context.step.name, message: "\(location): field 'question' must be a non-empty string")
            }
            guard let solution = object["solution"] as? String ?? (object["answer"] as? String) else {
                throw StepFailure(step: context.step.name,
                                  message: "\(location): field 'solution' (or 'answer') must be a string holding the gold answer")
            }
            var record = PoolRecord(question: question, solution: solution, sourceType: benchmark.name,
                                    metadata: "", thinkingTrajectories: [], attempt: solution)
            if let options = object["options"] {
                guard let list = options as? [String] else {
                    throw StepFailure(step: context.step.name, message: "\(location): field 'options' must be a list of strings")
                }
                record.options = list
            }
            records.append(record)
        }
        try context.writeOutput("benchmark.jsonl", try PoolJSONL.encode(records))
        context.log("imported \(records.count) questions of \(benchmark.name)")
    }
}

/// `select`: decontamination → quality → difficulty → diversity (Algorithm 1), or an ablation selector.
/// Writes `selected.jsonl` and `summary.json` (the funnel, per-domain histogram, trace lengths).
struct SelectStep: StepExecutor {
    let kind = ExperimentPlanner.Kind.select

    struct Parameters: Decodable {
        struct Select: Decodable {
            struct Quality: Decodable { let drop_patterns: [String]; let drop_api_errors: Bool }
            struct Difficulty: Decodable { let solved_by: [String]? }
            struct Preselect: Decodable { let sources: [String]; let min_trace_tokens: Int; let teacher_correct: Bool }
            struct Diversity: Decodable {
                let size: Int
                let variant: String
                let notebook_uniform_until: Int
                let preselect: [Preselect]
            }
            struct Decontaminate: Decodable { let ngram: Int; let against: [String] }
            let quality: Quality
            let difficulty: Difficulty?
            let diversity: Diversity
            let decontaminate: Decontaminate?
        }
        let select: Select
    }

    func run(_ context: StepContext) throws {
        let select = try context.parameters(as: Parameters.self).select
        var pool = try PoolJSONL.decode(try Data(contentsOf: try context.input("pool")), source: "pool.jsonl")

        // Difficulty annotations: each base model's attempts, by question.
        for name in context.inputs.keys.sorted() where name.hasPrefix("attempts/") {
            let model = String(name.dropFirst("attempts/".count))
            let attempts = try AttemptsFile.read(try context.input(name))
            for index in pool.indices {
                guard let correct = attempts[pool[index].question] else { continue }
                pool[index].baseResults = (pool[index].baseResults ?? [:]).merging([model: correct]) { _, new in new }
            }
        }
        var benchmarkQuestions: [String] = []
        for name in context.inputs.keys.sorted() where name.hasPrefix("benchmark/") {
            let records = try PoolJSONL.decode(try Data(contentsOf: try context.input(name)), source: name)
            benchmarkQuestions += records.map(\.question)
        }

        let (selector, variant): (Selector, DiversityVariant)
        switch select.diversity.variant {
        case "paper": (selector, variant) = (.s1, .paper)
        case "notebook": (selector, variant) = (.s1, .notebook)
        default:
            guard let ablation = Selector(rawValue: select.diversity.variant) else {
                throw StepFailure(step: context.step.name, message: "unknown selection variant '\(select.diversity.variant)'")
            }
            (selector, variant) = (ablation, .paper)
        }
        var errorMarkers = QualityRules().errorMarkers
        if !select.quality.drop_api_errors { errorMarkers = [] }
        let config = SelectionConfig(
            selector: selector, target: select.diversity.size, variant: variant,
            quality: QualityRules(dropPatterns: select.quality.drop_patterns, errorMarkers: errorMarkers),
            difficulty: DifficultyRules(solvedBy: select.difficulty?.solved_by ?? []),
            preselect: select.diversity.preselect.map {
                PreselectClause(domains: $0.sources, teacherCorrect: $0.teacher_correct,
                                minTraceTokens: $0.min_trace_tokens > 0 ? $0.min_trace_tokens : nil)
            },
            ngram: select.decontaminate?.ngram ?? 8,
            notebookUniformUntil: select.diversity.notebook_uniform_until)
        // Trace lengths in tokens of the model being fine-tuned: its tokenizer.json (a checkpoint), else the
        // byte-level tokenizer of the models pretrained here, one token per UTF-8 byte.
        let tokenCount: (String) -> Int
        if let file = context.inputs["tokenizer"] {
            let tokenizer = try TokenizerInspection.loadTokenizer(file.path)
            tokenCount = { tokenizer.encode($0).count }
        } else {
            tokenCount = { $0.utf8.count }
        }
        let result = try Selection.run(pool: pool, benchmark: benchmarkQuestions, config: config, seed: context.seed,
                                       tokenCount: tokenCount)
        try context.writeOutput("selected.jsonl", try PoolJSONL.encode(result.selected))
        try context.writeOutput("summary.json", try result.summary.encoded())
        context.log("selected \(result.selected.count) of \(pool.count); \(result.contaminated.count) dropped as contaminated")
    }
}

/// The `attempts.jsonl` format: one `{"question": …, "correct": true|false, …}` per line.
enum AttemptsFile {
    static func read(_ url: URL) throws -> [String: Bool] {
        var correct: [String: Bool] = [:]
        let text = try String(contentsOf: url, encoding: .utf8)
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let question = object["question"] as? String, let isCorrect = object["correct"] as? Bool else {
                throw StepFailure(step: "select", message: "\(url.lastPathComponent):\(number + 1): expected {\"question\": string, \"correct\": bool}")
            }
            correct[question] = isCorrect
        }
        return correct
    }
}
