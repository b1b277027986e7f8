import Foundation
import S1Engine
import S1Method
import S1Store

/// `evaluate-shared`: a budget-forcing sweep whose points differ only in `max_thinking_tokens` or only in
/// `ignore_end`, decoded as one chain per question with every point forked from it (EnginePrefixSharing).
/// Each point's samples equal running that point alone with this step's seed, bitwise. Writes
/// `samples/<point id>.jsonl` per point and `sharing.json`: tokens decoded shared against the sum of the points
/// run separately, and against the largest point alone.
struct SharedEvaluationStep: StepExecutor {
    let kind = ExperimentPlanner.Kind.evaluateShared
    let usesComputeBackend = true

    struct Parameters: Decodable {
        struct Member: Decodable { let id: String; let label: String; let point: EvaluateStep.Parameters.Point }
        let template: TemplateStrings
        let max_answer_tokens: Int
        let max_thinking_tokens: Int
        let temperature: Double
        let benchmark: EvaluateStep.Parameters.Benchmark
        let vary: String
        let points: [Member]
    }

    func run(_ context: StepContext) throws {
        let parameters = try context.parameters(as: Parameters.self)
        guard let first = parameters.points.first?.point else {
            throw StepFailure(step: context.step.name, message: "a shared sweep needs at least one point")
        }
        let setup = try EvaluationSetup(context, template: parameters.template, benchmark: parameters.benchmark)
        let (tokenizer, format, tokens, grader, questions, generator) =
            (setup.tokenizer, setup.format, setup.tokens, setup.grader, setup.questions, setup.generator)

        // The swept value of each point; everything else comes from the first point (the planner checked that
        // the points agree on it).
        let byBudget = parameters.vary == "max_thinking_tokens"
        func value(_ point: EvaluateStep.Parameters.Point) -> Int {
            byBudget ? point.max_thinking_tokens ?? parameters.max_thinking_tokens : point.ignore_end ?? 0
        }
        let extensionText = first.extension.map { $0 == "none" ? "" : $0 } ?? "Wait"
        let base = ForcingConfig(
            maxThinkingTokens: first.max_thinking_tokens ?? parameters.max_thinking_tokens,
            minThinkingTokens: first.min_thinking_tokens ?? 0, ignoreEnd: byBudget ? 0 : first.ignore_end ?? 0,
            extensionTokens: tokenizer.encode(extensionText).map(Int.init), maxAnswerTokens: parameters.max_answer_tokens)
        let values = parameters.points.map { value($0.point) }
        let largest = values.max() ?? 0

        context.progress.begin(total: Double(questions.count), unit: "questions")
        // Every question's chain and forks decode in shared batches; each point is still what it is alone.
        let prompts = questions.indices.map { index in
            SweepPrompt(id: UInt64(index), prompt: format.thinkingPrompt(question: questions[index].question),
                        sampling: SamplingParameters(temperature: parameters.temperature, seed: CounterRNG.derive(context.seed, UInt64(index))))
        }
        let outcomes = byBudget
            ? try EnginePrefixSharing.budgets(generator: generator, prompts: prompts, base: base, tokens: tokens,
                                              promptEndsWithNewline: true, budgets: values)
            : try EnginePrefixSharing.ignoreCounts(generator: generator, prompts: prompts, base: base, tokens: tokens,
                                                   promptEndsWithNewline: true, counts: values)
        var lines = [[String]](repeating: [], count: parameters.points.count)
        var decodedShared = 0, decodedSeparate = 0, decodedLargest = 0
        for (index, record) in questions.enumerated() {
            let outcome = outcomes[index]
            let prompt = prompts[index].prompt
            let promptHash = String(ContentHasher.digest(of: Data(prompt.flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) })).hex.prefix(16))
            decodedShared += outcome.decodedShared
            decodedSeparate += values.compactMap { outcome.results[$0]?.decodedTokens }.reduce(0, +)
            decodedLargest += outcome.results[largest]?.decodedTokens ?? 0
            for (slot, member) in parameters.points.enumerated() {
                guard let result = outcome.results[values[slot]], let policy = outcome.policies[values[slot]] else {
                    throw StepFailure(step: context.step.name, message: "the shared sweep produced no result for \(member.label)")
                }
                let transcript = ForcingTranscript(result: result, policy: policy)
                let verdict = grader.grade(response: tokenizer.decode(transcript.tokens.map(Int32.init)),
                                           gold: record.solution, options: record.options ?? [])
                var sample = SampleRecord(questionID: String(index), point: member.label, promptHash: promptHash,
                                          transcript: transcript, verdict: verdict, target: record.solution,
                                          decodedTokens: result.decodedTokens)
                if index < EvaluationSetup.tracedSamples {
                    sample.trace = setup.trace(of: result, template: parameters.template, extensionText: extensionText)
                }
                lines[slot].append(String(decoding: try JSONLine.encoder.encode(sample), as: UTF8.self))
            }
            context.progress.advance()
        }
        for (slot, member) in parameters.points.enumerated() {
            try context.writeOutput("samples/\(member.id).jsonl", Data((lines[slot].joined(separator: "\n") + "\n").utf8))
        }
        let sharing: [String: Any] = [
            "points": parameters.points.count, "vary": parameters.vary,
            "decoded_shared": decodedShared, "decoded_separate": decodedSeparate, "decoded_largest_point": decodedLargest,
        ]
        try context.writeOutput("sharing.json", try JSONSerialization.data(withJSONObject: sharing, options: [.sortedKeys]))
        context.log(String(format: "%d points over %d questions: decoded %d tokens shared vs %d separately (%.2f× the largest point alone)",
                           parameters.points.count, questions.count, decodedShared, decodedSeparate,
                           Double(decodedShared) / Double(max(decodedLargest, 1))))
    }
}
