import Foundation
import S1Engine
import S1Method
import S1Store

/// `attempts`: a base model answers every pool question directly (greedy); each answer is graded, giving the
/// difficulty annotations that selection drops solved questions by. Writes `attempts.jsonl`.
struct AttemptsStep: StepExecutor {
    let kind = ExperimentPlanner.Kind.attempts
    let usesComputeBackend = true

    struct Parameters: Decodable {
        let model: String
        let template: TemplateStrings
        let max_answer_tokens: Int
    }

    func run(_ context: StepContext) throws {
        let parameters = try context.parameters(as: Parameters.self)
        let model = try ModelFiles.load(context)
        let tokenizer = try ModelFiles.tokenizer(context)
        let format = ChatFormat(template: parameters.template, tokenizer: tokenizer)
        let pool = try PoolJSONL.decode(try Data(contentsOf: try context.input("pool")), source: "pool.jsonl")
        let answerEnd = try EvaluationSetup.singleToken(parameters.template.answer_end, tokenizer, step: context.step.name)
        let generator = try Generator(model: model, maxBatchSize: 64, backend: context.backend())
        context.progress.begin(total: Double(pool.count), unit: "questions")
        var lines: [String] = []
        var solved = 0
        for chunk in stride(from: 0, to: pool.count, by: 64) {
            let records = Array(pool[chunk..<min(pool.count, chunk + 64)])
            let results = try generator.generate(requests: records.enumerated().map { offset, record in
                GenerationRequest(id: UInt64(chunk + offset), promptTokens: format.prompt(question: record.question),
                                  policy: StopPolicy(maxNewTokens: parameters.max_answer_tokens, stopTokens: [answerEnd]))
            })
            for (record, result) in zip(records, results) {
                let response = tokenizer.decode(result.tokens)
                let verdict = ResponseGrader(kind: record.syntheticGraderKind ?? .math)
                    .grade(response: response, gold: record.solution, options: record.options ?? [])
                if verdict.correct { solved += 1 }
                lines.append(try JSONLine.encode(["question": record.question, "answer": verdict.predicted.text,
                                                  "correct": verdict.correct]))
            }
            context.progress.advance(by: Double(records.count))
        }
        try context.writeOutput("attempts.jsonl", Data((lines.joined(separator: "\n") + "\n").utf8))
        context.log("\(parameters.model) solved \(solved) of \(pool.count) pool questions directly")
    }
}

/// `evaluate`: one sweep point on one benchmark: no forcing, budget forcing (maximum / ignore the end), prompt
/// control (TCC, SCC, CCC, optionally with forcing), rejection sampling or majority voting. Writes `samples.jsonl`.
struct EvaluateStep: StepExecutor {
    let kind = ExperimentPlanner.Kind.evaluate
    let usesComputeBackend = true

    struct Parameters: Decodable {
        struct Benchmark: Decodable { let name: String; let size: Int?; let grader: String }
        struct Point: Decodable {
            let method: String
            let max_thinking_tokens: Int?
            let ignore_end: Int?
            let `extension`: String?
            let min_thinking_tokens: Int?
            let tokens: Int?, steps: Int?
            let `class`: String?
            let with_forcing: Bool?
            let temperature: Double?
            let max_tries: Int?
            let samples: Int?
            /// Majority voting's model: `sft`, or a base model's name.
            let model: String?
        }
        let template: TemplateStrings
        let max_answer_tokens: Int
        let max_thinking_tokens: Int
        let temperature: Double
        let benchmark: Benchmark
        let point: Point
    }

    func run(_ context: StepContext) throws {
        let parameters = try context.parameters(as: Parameters.self)
        let point = parameters.point
        // A point of a shared sweep: its samples were decoded by the sweep's `evaluate-shared` step.
        if let shared = context.inputs["shared"] {
            try context.writeOutput("samples.jsonl", try Data(contentsOf: shared))
            context.log("\(context.step.pointLabel ?? point.method): forked from the sweep's shared chain")
            return
        }
        let setup = try EvaluationSetup(context, template: parameters.template, benchmark: parameters.benchmark)
        let (tokenizer, format, tokens, grader, questions, generator) =
            (setup.tokenizer, setup.format, setup.tokens, setup.grader, setup.questions, setup.generator)
        let label = context.step.pointLabel ?? point.method

        // What the point changes: the question text (prompt control) and the forcing configuration.
        var control: PromptControl?
        if point.method == "prompt_control" {
            if let n = point.tokens { control = .tokens(n) } else if let n = point.steps { control = .steps(n) }
            else { control = point.class == "short" ? .short : .long }
        }
        let budget: Int
        switch point.method {
        case "forcing": budget = point.max_thinking_tokens ?? parameters.max_thinking_tokens
        case "prompt_control" where point.with_forcing == true: budget = point.tokens ?? parameters.max_thinking_tokens
        case "rejection_sampling": budget = point.max_thinking_tokens ?? parameters.max_thinking_tokens
        default: budget = parameters.max_thinking_tokens
        }
        let extensionText = point.extension.map { $0 == "none" ? "" : $0 } ?? "Wait"
        let config = ForcingConfig(
            maxThinkingTokens: budget, minThinkingTokens: point.min_thinking_tokens ?? 0,
            ignoreEnd: point.ignore_end ?? 0, extensionTokens: tokenizer.encode(extensionText).map(Int.init),
            maxAnswerTokens: parameters.max_answer_tokens,
            maxThinkingSteps: point.method == "prompt_control" && point.with_forcing == true ? point.steps : nil)

        context.progress.begin(total: Double(questions.count), unit: "questions")
        // Plain and forced generation decode every question of the point in one batch: decoding is batch-invariant,
        // so each question's tokens are what it would get alone.
        var batched: [Int: (ForcingTranscript, Int, GenerationResult)] = [:]
        if point.method != "rejection_sampling" && point.method != "majority" {
            for chunk in stride(from: 0, to: questions.count, by: 64) {
                var sequences: [DecodingSequence] = []
                for index in chunk..<min(questions.count, chunk + 64) {
                    let question = control.map { PromptControlTemplate().question(questions[index].question, control: $0) }
                        ?? questions[index].question
                    let policy = try BudgetForcingPolicy(controller: BudgetForcing(config: config, tokens: tokens, promptEndsWithNewline: true))
                    sequences.append(try generator.start(GenerationRequest(
                        id: UInt64(index), promptTokens: format.thinkingPrompt(question: question), policy: policy,
                        sampling: SamplingParameters(temperature: parameters.temperature, seed: CounterRNG.derive(context.seed, UInt64(index))))))
                }
                try generator.run(sequences)
                for (offset, sequence) in sequences.enumerated() {
                    batched[chunk + offset] = (ForcingTranscript(result: sequence.result!, policy: sequence.policy as! BudgetForcingPolicy),
                                               sequence.decodedTokens, sequence.result!)
                }
            }
        }
        // Rejection sampling: try i of every question still rejected decodes in one batch (same tries as alone).
        var rejection: [(outcome: RejectionOutcome, decodedTokens: Int)] = []
        if point.method == "rejection_sampling" {
            rejection = try EngineRejectionSampling.runBatch(
                generator: generator,
                questions: questions.indices.map { index in
                    EngineRejectionSampling.Question(id: UInt64(index), prompt: format.thinkingPrompt(question: questions[index].question),
                                                     seed: CounterRNG.derive(context.seed, UInt64(index)))
                },
                temperature: point.temperature ?? 1, tokens: tokens, promptEndsWithNewline: true,
                maxThinkingTokens: budget, maxAnswerTokens: parameters.max_answer_tokens, maxTries: point.max_tries ?? 1024)
        }
        // Majority voting: every sample of every question in one batched run (each sample has its own seed). A base
        // model is asked as the attempts step asks it, for a direct answer (it never learned the thinking format),
        // and its test-time compute is the tokens of its answers; the fine-tuned model thinks as in every sweep.
        var votes: [[(answer: String, thinkingTokens: Int, decodedTokens: Int)]] = []
        let direct = point.method == "majority" && point.model.map { $0 != "sft" } ?? false
        if point.method == "majority" {
            let count = point.samples ?? 1
            let answerEnd = try EvaluationSetup.singleToken(parameters.template.answer_end, tokenizer, step: context.step.name)
            var sequences: [DecodingSequence] = []
            for (index, record) in questions.enumerated() {
                let seed = CounterRNG.derive(context.seed, UInt64(index))
                for sampleIndex in 0..<count {
                    let sampling = SamplingParameters(temperature: point.temperature ?? 1, seed: CounterRNG.derive(seed, UInt64(sampleIndex)))
                    if direct {
                        sequences.append(try generator.start(GenerationRequest(
                            id: UInt64(index), promptTokens: format.prompt(question: record.question),
                            policy: StopPolicy(maxNewTokens: parameters.max_answer_tokens, stopTokens: [answerEnd]), sampling: sampling)))
                    } else {
                        let policy = try BudgetForcingPolicy(controller: BudgetForcing(config: config, tokens: tokens, promptEndsWithNewline: true))
                        sequences.append(try generator.start(GenerationRequest(
                            id: UInt64(index), promptTokens: format.thinkingPrompt(question: record.question), policy: policy,
                            sampling: sampling)))
                    }
                }
            }
            try generator.run(sequences)
            votes = questions.indices.map { index in
                sequences[(index * count)..<((index + 1) * count)].map { sequence in
                    let result = sequence.result!
                    if direct {
                        return (grader.extractor.extract(tokenizer.decode(result.tokens)).text, result.tokens.count, sequence.decodedTokens)
                    }
                    let transcript = ForcingTranscript(result: result, policy: sequence.policy as! BudgetForcingPolicy)
                    return (grader.extractor.extract(tokenizer.decode(transcript.tokens.map(Int32.init))).text,
                            transcript.accounting.thinkingTokens, sequence.decodedTokens)
                }
            }
        }
        var lines: [String] = []
        for (index, record) in questions.enumerated() {
            let question = control.map { PromptControlTemplate().question(record.question, control: $0) } ?? record.question
            let prompt = direct ? format.prompt(question: question) : format.thinkingPrompt(question: question)
            let promptHash = String(ContentHasher.digest(of: Data(prompt.flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) })).hex.prefix(16))
            var sample: SampleRecord
            switch point.method {
            case "rejection_sampling":
                let (outcome, decoded) = rejection[index]
                let verdict = grader.grade(response: tokenizer.decode(outcome.transcript.tokens.map(Int32.init)),
                                           gold: record.solution, options: record.options ?? [])
                sample = SampleRecord(questionID: String(index), point: label, promptHash: promptHash,
                                      transcript: outcome.transcript, verdict: verdict, target: record.solution,
                                      tries: outcome.tries, decodedTokens: decoded)
            case "majority":
                let count = point.samples ?? 1
                let answers = votes[index].map(\.answer)
                let thinking = votes[index].reduce(0) { $0 + $1.thinkingTokens }
                let decoded = votes[index].reduce(0) { $0 + $1.decodedTokens }
                let vote = MajorityVote.vote(answers: answers, gold: grader.extractor.extract(record.solution).text,
                                             grader: grader.grader, options: record.options ?? [])
                sample = SampleRecord(questionID: String(index), point: label, promptHash: promptHash,
                                      thinkingTokens: thinking, answerTokens: 0, decodedTokens: decoded, forcedStops: 0,
                                      ignoredEnds: 0, tries: count, target: record.solution,
                                      extractedAnswer: vote.majorityAnswer ?? "", correct: vote.majorityCorrect)
            default:
                let (transcript, used, result) = batched[index]!
                let verdict = grader.grade(response: tokenizer.decode(transcript.tokens.map(Int32.init)),
                                           gold: record.solution, options: record.options ?? [])
                sample = SampleRecord(questionID: String(index), point: label, promptHash: promptHash,
                                      transcript: transcript, verdict: verdict, target: record.solution, decodedTokens: used)
                if index < EvaluationSetup.tracedSamples {
                    sample.trace = setup.trace(of: result, template: parameters.template, extensionText: extensionText)
                }
            }
            lines.append(String(decoding: try JSONLine.encoder.encode(sample), as: UTF8.self))
            context.progress.advance()
        }
        try context.writeOutput("samples.jsonl", Data((lines.joined(separator: "\n") + "\n").utf8))
        context.log("\(label): \(lines.count) questions of \(parameters.benchmark.name)")
    }
}

/// `metrics`: every point's samples → accuracy with a bootstrap interval, thinking tokens, and per sweep the
/// paper's Control / Scaling / Performance. Writes `results.json` (lm-evaluation-harness layout where it fits).
struct MetricsStep: StepExecutor {
    let kind = ExperimentPlanner.Kind.metrics

    struct Parameters: Decodable {
        struct Evaluate: Decodable {
            struct Benchmark: Decodable { let name: String; let grader: String }
            let benchmarks: [Benchmark]
            let max_thinking_tokens: Int
        }
        struct Point: Decodable {
            let step: String, sweep: String, label: String, benchmark: String
            let point: [String: JSONScalar]
        }
        let evaluate: Evaluate
        let points: [Point]
    }

    func run(_ context: StepContext) throws {
        let parameters = try context.parameters(as: Parameters.self)
        var inputs: [PointInput] = []
        for (index, point) in parameters.points.enumerated() {
            let text = try String(contentsOf: try context.input(point.step), encoding: .utf8)
            let records = try text.split(separator: "\n").map { try JSONDecoder().decode(SampleRecord.self, from: Data($0.utf8)) }
            let grader = parameters.evaluate.benchmarks.first { $0.name == point.benchmark }?.grader ?? "exact"
            // The requested range: a forced or requested maximum where the point sets one, none otherwise.
            let maximum = point.point["max_thinking_tokens"]?.integer ?? point.point["tokens"]?.integer
            inputs.append(PointInput(
                config: TaskConfig(benchmark: point.benchmark, sweep: point.sweep, point: point.label,
                                   grader: try GraderKind.named(grader),
                                   parameters: point.point.mapValues(\.text),
                                   budgetSemantics: point.point["method"]?.text == "forcing" ? BudgetSemantics.remainingPerRound.rawValue : nil),
                requested: ThinkingRange(max: maximum), records: records,
                bootstrapSeed: CounterRNG.derive(context.seed, UInt64(index))))
        }
        // Shared sweeps report what their chains and forks decoded: "sharing/<benchmark>/<sweep>" → sharing.json.
        var shared: [String: Int] = [:]
        for name in context.inputs.keys.sorted() where name.hasPrefix("sharing/") {
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: try context.input(name))) as? [String: Any]
            if let decoded = (object?["decoded_shared"] as? NSNumber)?.intValue {
                shared[String(name.dropFirst("sharing/".count))] = decoded
            }
        }
        let document = ResultsAssembler.assemble(inputs, sharedDecodedTokens: shared)
        try context.writeOutput("results.json", try document.encoded())
        context.log("\(inputs.count) points, \(document.methods.count) methods")
    }
}

/// A scalar from the spec's point block (numbers, strings, booleans), for labels and parameters.
enum JSONScalar: Decodable {
    case number(Double), text(String), flag(Bool)

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Bool.self) { self = .flag(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else { self = .text(try container.decode(String.self)) }
    }

    var integer: Int? { if case .number(let value) = self { return Int(value) } else { return nil } }

    var text: String {
        switch self {
        case .number(let value): return value == value.rounded() ? String(Int(value)) : "\(value)"
        case .text(let value): return value
        case .flag(let value): return String(value)
        }
    }
}

/// What every evaluation kind loads: the model on the experiment's backend, its tokenizer and chat format, the
/// forcing tokens of the template, the benchmark's grader and its questions (the first `size`).
struct EvaluationSetup {
    let tokenizer: any TextTokenizer
    let format: ChatFormat
    let tokens: ForcingTokens
    let grader: ResponseGrader
    let questions: [PoolRecord]
    let generator: Generator

    init(_ context: StepContext, template: TemplateStrings, benchmark: EvaluateStep.Parameters.Benchmark) throws {
        let model = try ModelFiles.load(context)
        tokenizer = try ModelFiles.tokenizer(context)
        format = ChatFormat(template: template, tokenizer: tokenizer)
        tokens = try Self.forcingTokens(template, tokenizer)
        grader = ResponseGrader(kind: try GraderKind.named(benchmark.grader))
        let all = try PoolJSONL.decode(try Data(contentsOf: try context.input("benchmark")), source: "benchmark")
        questions = benchmark.size.map { Array(all.prefix($0)) } ?? all
        generator = try Generator(model: model, maxBatchSize: 64, backend: context.backend())
    }

    /// Samples per point whose generation is kept as spans for the report.
    static let tracedSamples = 3

    /// The generation as spans: sampled text, and the strings budget forcing appended.
    func trace(of result: GenerationResult, template: TemplateStrings, extensionText: String) -> [TraceSpan] {
        TraceSpan.spans(tokens: result.tokens, forced: result.forced, tokenizer: tokenizer,
                        finalAnswer: template.final_answer, extensionText: extensionText)
    }

    static func singleToken(_ text: String, _ tokenizer: any TextTokenizer, step: String) throws -> Int32 {
        let ids = tokenizer.encode(text)
        guard ids.count == 1 else {
            throw StepFailure(step: step, message: "template string '\(text)' must be one token of the model's tokenizer, found \(ids.count)")
        }
        return ids[0]
    }

    static func forcingTokens(_ template: TemplateStrings, _ tokenizer: any TextTokenizer) throws -> ForcingTokens {
        let strings = ForcingTemplate(thinkStart: template.think_start + "\n", endOfThinking: template.think_end,
                                      forcedAnswerPrefix: "\n" + template.final_answer, answerEnd: template.answer_end)
        return try ForcingTokens(template: strings, tokenizer: tokenizer)
    }
}

/// One JSON object per line with sorted keys.
enum JSONLine {
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    static func encode(_ object: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
    }
}
