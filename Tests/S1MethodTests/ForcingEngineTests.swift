import XCTest
import S1Engine
import S1Method

/// Budget forcing on a tiny random Qwen2 through the engine's decoding hook.
final class ForcingEngineTests: XCTestCase {
    static let tokenizer = ByteTokenizer()
    static let model: Qwen2Model = try! Qwen2Model.initialised(
        config: Qwen2Config(hiddenSize: 40, intermediateSize: 72, numHiddenLayers: 2, numAttentionHeads: 4,
                            numKeyValueHeads: 2, vocabSize: 259, maxPositionEmbeddings: 512),
        seed: 11, standardDeviation: 0.3)
    let prompt = ForcingEngineTests.tokenizer.encode("<|im_start|>user\nWhat is 17+25?<|im_end|>\n<|im_start|>assistant\n<|im_start|>think\n")
    let encode: (String) -> [Int] = { ForcingEngineTests.tokenizer.encode($0).map(Int.init) }

    /// The template's tokens, with thinking ending at a token the random model does sample (it never samples
    /// `<|im_start|>` on its own), so natural ends and ignored ends happen.
    func tokens(stop: Int) throws -> ForcingTokens {
        var t = try ForcingTokens(template: .qwen25, tokenizer: Self.tokenizer)
        t.thinkingStops = [stop]
        return t
    }

    func generate(_ config: ForcingConfig, tokens: ForcingTokens, sampling: SamplingParameters) throws -> (GenerationResult, BudgetForcingPolicy) {
        let generator = Generator(model: Self.model)
        let policy = try BudgetForcingPolicy(controller: BudgetForcing(config: config, tokens: tokens, promptEndsWithNewline: true))
        let s = try generator.start(GenerationRequest(id: 5, promptTokens: prompt, policy: policy, sampling: sampling))
        try generator.run([s])
        return (s.result!, s.policy as! BudgetForcingPolicy)
    }

    func frequentToken(sampling: SamplingParameters) throws -> Int {
        let free = try Generator(model: Self.model).generate(requests: [GenerationRequest(id: 5, promptTokens: prompt, policy: StopPolicy(maxNewTokens: 40), sampling: sampling)])[0].tokens
        // The most frequent token, earliest on ties: the model emits it several times.
        let counts = Dictionary(free.map { ($0, 1) }, uniquingKeysWith: +)
        return Int(free.first { counts[$0] == counts.values.max() }!)
    }

    func testForcedStringsLandWhereSpecified() throws {
        let t = try ForcingTokens(template: .qwen25, tokenizer: Self.tokenizer)
        for budget in [0, 1, 7, 20] {
            let (result, policy) = try generate(ForcingConfig(maxThinkingTokens: budget, maxAnswerTokens: 5), tokens: t, sampling: .greedy)
            let a = policy.controller.accounting
            XCTAssertEqual(a.thinkingTokens, budget)
            XCTAssertEqual(result.phaseCounts[0].total, budget)
            let thinking = Array(result.tokens.prefix(budget)).map(Int.init)
            let endsWithNewline = budget == 0 || thinking.last == encode("\n")[0]
            let forced = (endsWithNewline ? [] : encode("\n")) + encode("<|im_start|>answer") + encode("\nFinal Answer:")
            XCTAssertEqual(Array(result.tokens.map(Int.init)[budget..<(budget + forced.count)]), forced, "budget \(budget)")
            XCTAssertEqual(a.forcedStops, 1)
            XCTAssertLessThanOrEqual(a.answerTokens, 5)
            XCTAssertEqual(result.tokens.count, budget + forced.count + a.answerTokens)
        }
    }

    func testIgnoredEndsProduceExtensionStringsWithinBudget() throws {
        for sampling in [SamplingParameters.greedy, SamplingParameters(temperature: 1, topP: 0.95, seed: 3)] {
            let t = try tokens(stop: try frequentToken(sampling: sampling))
            let wait = encode("Wait")
            for ignore in [0, 1, 2, 4] {
                let config = ForcingConfig(maxThinkingTokens: 60, ignoreEnd: ignore, extensionTokens: wait, maxAnswerTokens: 4)
                let (result, policy) = try generate(config, tokens: t, sampling: sampling)
                let a = policy.controller.accounting
                let thinking = Array(result.tokens.prefix(a.thinkingTokens)).map(Int.init)
                XCTAssertLessThanOrEqual(a.thinkingTokens, 60)
                XCTAssertEqual(result.phaseCounts[0].total, a.thinkingTokens)
                XCTAssertEqual(result.phaseCounts[0].forced, wait.count * a.ignoredEnds)
                // Each ignored end left exactly one "Wait" in the thinking.
                let occurrences = (0...(max(0, thinking.count - wait.count))).filter { Array(thinking.dropFirst($0).prefix(wait.count)) == wait }.count
                XCTAssertEqual(occurrences, a.ignoredEnds, "ignore \(ignore)")
                XCTAssertLessThanOrEqual(a.ignoredEnds, ignore)
                XCTAssertFalse(thinking.contains(Array(t.thinkingStops)[0]), "an end of thinking never stays in the thinking")
            }
            // With a long budget the mechanism engages on the real engine: at least one end is ignored, never more
            // than asked. (How many ends a random model emits after "Wait" depends on its weights; the exact count
            // of ignores is pinned by the scripted-model tests in ForcingTests.)
            let (_, p4) = try generate(ForcingConfig(maxThinkingTokens: 200, ignoreEnd: 2, extensionTokens: wait, maxAnswerTokens: 4), tokens: t, sampling: sampling)
            XCTAssertTrue((1...2).contains(p4.controller.accounting.ignoredEnds), "\(p4.controller.accounting.ignoredEnds)")
        }
    }

    /// The empty extension ("none"): an ignored end is dropped and the position sampled again without it, so the
    /// thinking holds no delimiter and no extension tokens, and the ignores are counted.
    func testEmptyExtensionDropsTheEndAndSamplesAgain() throws {
        for sampling in [SamplingParameters.greedy, SamplingParameters(temperature: 1, topP: 0.95, seed: 4)] {
            let t = try tokens(stop: try frequentToken(sampling: sampling))
            let stop = Int32(Array(t.thinkingStops)[0])
            let config = ForcingConfig(maxThinkingTokens: 200, ignoreEnd: 2, extensionTokens: [], maxAnswerTokens: 4)
            let (result, policy) = try generate(config, tokens: t, sampling: sampling)
            let accounting = policy.controller.accounting
            XCTAssertEqual(accounting.ignoredEnds, 2, "the frequent stop token comes back, so both ignores are used")
            let thinking = Array(result.tokens.prefix(accounting.thinkingTokens))
            XCTAssertFalse(thinking.contains(stop), "an ignored end never stays in the thinking")
            // Deterministic: the same again.
            let (again, _) = try generate(config, tokens: t, sampling: sampling)
            XCTAssertEqual(again, result)
            // Without ignores the thinking ends at the first stop, earlier than with them.
            let (plain, plainPolicy) = try generate(ForcingConfig(maxThinkingTokens: 200, maxAnswerTokens: 4), tokens: t, sampling: sampling)
            XCTAssertLessThan(plainPolicy.controller.accounting.thinkingTokens, accounting.thinkingTokens, "\(plain.tokens)")
        }
    }

    func testEngineBudgetSweepEqualsSeparateRunsBitwise() throws {
        for sampling in [SamplingParameters.greedy, SamplingParameters(temperature: 1, topP: 0.95, seed: 9)] {
            for stop in [nil, try frequentToken(sampling: sampling)] {
                let t = try stop.map { try tokens(stop: $0) } ?? ForcingTokens(template: .qwen25, tokenizer: Self.tokenizer)
                let base = ForcingConfig(maxThinkingTokens: 0, maxAnswerTokens: 6)
                let budgets = [0, 4, 9, 16, 32]
                let outcome = try EnginePrefixSharing.budgets(generator: Generator(model: Self.model), id: 5, prompt: prompt,
                                                        sampling: sampling, base: base, tokens: t,
                                                        promptEndsWithNewline: true, budgets: budgets)
                for b in budgets {
                    var alone = base
                    alone.maxThinkingTokens = b
                    let (result, policy) = try generate(alone, tokens: t, sampling: sampling)
                    XCTAssertEqual(outcome.results[b], result, "budget \(b) stop \(String(describing: stop)) T=\(sampling.temperature)")
                    XCTAssertEqual(outcome.policies[b]?.controller.accounting, policy.controller.accounting)
                }
                XCTAssertLessThan(outcome.decodedShared, outcome.decodedSeparate)
                print("engine budget sweep \(budgets) T=\(sampling.temperature) stop=\(String(describing: stop)): decoded shared \(outcome.decodedShared), separate \(outcome.decodedSeparate), largest alone \(outcome.results[32]!.decodedTokens)")
            }
        }
    }

    func testEngineIgnoreSweepEqualsSeparateRunsBitwise() throws {
        let wait = encode("Wait")
        for sampling in [SamplingParameters.greedy, SamplingParameters(temperature: 1, topP: 0.95, seed: 4)] {
            let t = try tokens(stop: try frequentToken(sampling: sampling))
            for budget in [40, 200] {
                let base = ForcingConfig(maxThinkingTokens: budget, extensionTokens: wait, maxAnswerTokens: 5)
                let counts = [0, 1, 2, 4, 6]
                let outcome = try EnginePrefixSharing.ignoreCounts(generator: Generator(model: Self.model), id: 5, prompt: prompt,
                                                                 sampling: sampling, base: base, tokens: t,
                                                                 promptEndsWithNewline: true, counts: counts)
                for k in counts {
                    var alone = base
                    alone.ignoreEnd = k
                    let (result, policy) = try generate(alone, tokens: t, sampling: sampling)
                    XCTAssertEqual(outcome.results[k], result, "ignore \(k) budget \(budget) T=\(sampling.temperature)")
                    XCTAssertEqual(outcome.policies[k]?.controller.accounting, policy.controller.accounting)
                }
                XCTAssertLessThan(outcome.decodedShared, outcome.decodedSeparate)
                print("engine ignore sweep \(counts) budget \(budget) T=\(sampling.temperature): decoded shared \(outcome.decodedShared), separate \(outcome.decodedSeparate), largest alone \(outcome.results[6]!.decodedTokens)")
                if budget == 200 {
                    // The sweep really branches: the chain ignored several ends.
                    XCTAssertGreaterThanOrEqual(outcome.policies[6]?.controller.accounting.ignoredEnds ?? 0, 2)
                }
            }
        }
    }

    func testBatchedSweepsOverManyPromptsEqualEachPromptAlone() throws {
        let sampling = SamplingParameters(temperature: 1, topP: 0.95, seed: 9)
        let t = try tokens(stop: try frequentToken(sampling: sampling))
        let prompts = ["What is 17+25?", "What is 3*4?", "Sort 3 1 2."].enumerated().map {
            SweepPrompt(id: UInt64($0.offset), prompt: Self.tokenizer.encode("<|im_start|>user\n\($0.element)<|im_end|>\n<|im_start|>assistant\n<|im_start|>think\n"),
                        sampling: SamplingParameters(temperature: 1, topP: 0.95, seed: 9 + UInt64($0.offset)))
        }
        let budgets = [0, 4, 9, 16, 32]
        let base = ForcingConfig(maxThinkingTokens: 0, maxAnswerTokens: 6)
        let batched = try EnginePrefixSharing.budgets(generator: Generator(model: Self.model, maxBatchSize: 4), prompts: prompts,
                                                      base: base, tokens: t, promptEndsWithNewline: true, budgets: budgets)
        let waits = ForcingConfig(maxThinkingTokens: 40, extensionTokens: encode("Wait"), maxAnswerTokens: 5)
        let counts = [0, 1, 2, 4]
        let batchedWaits = try EnginePrefixSharing.ignoreCounts(generator: Generator(model: Self.model, maxBatchSize: 4), prompts: prompts,
                                                                base: waits, tokens: t, promptEndsWithNewline: true, counts: counts)
        for (i, p) in prompts.enumerated() {
            let alone = try EnginePrefixSharing.budgets(generator: Generator(model: Self.model), id: p.id, prompt: p.prompt,
                                                        sampling: p.sampling, base: base, tokens: t, promptEndsWithNewline: true, budgets: budgets)
            XCTAssertEqual(batched[i].results, alone.results, "prompt \(i)")
            XCTAssertEqual(batched[i].decodedShared, alone.decodedShared)
            let aloneWaits = try EnginePrefixSharing.ignoreCounts(generator: Generator(model: Self.model), id: p.id, prompt: p.prompt,
                                                                  sampling: p.sampling, base: waits, tokens: t, promptEndsWithNewline: true, counts: counts)
            XCTAssertEqual(batchedWaits[i].results, aloneWaits.results, "prompt \(i)")
        }
    }

    func testBatchedRejectionSamplingEqualsEachQuestionAlone() throws {
        let t = try tokens(stop: try frequentToken(sampling: SamplingParameters(temperature: 1, topP: 1, seed: 1)))
        let prompts = ["What is 17+25?", "What is 3*4?", "Sort 3 1 2.", "Count the r in strawberry."].map {
            Self.tokenizer.encode("<|im_start|>user\n\($0)<|im_end|>\n<|im_start|>assistant\n<|im_start|>think\n")
        }
        for budget in [6, 40] {
            let questions = prompts.enumerated().map {
                EngineRejectionSampling.Question(id: UInt64($0.offset), prompt: $0.element, seed: 100 + UInt64($0.offset))
            }
            let batched = try EngineRejectionSampling.runBatch(
                generator: Generator(model: Self.model), questions: questions, tokens: t, promptEndsWithNewline: true,
                maxThinkingTokens: budget, maxAnswerTokens: 4, maxTries: 6)
            var triesSeen = Set<Int>()
            for (question, result) in zip(questions, batched) {
                let alone = try EngineRejectionSampling.run(
                    generator: Generator(model: Self.model), id: question.id, prompt: question.prompt, seed: question.seed,
                    tokens: t, promptEndsWithNewline: true, maxThinkingTokens: budget, maxAnswerTokens: 4, maxTries: 6)
                XCTAssertEqual(result.outcome, alone.outcome, "budget \(budget) question \(question.id)")
                XCTAssertEqual(result.decodedTokens, alone.decodedTokens)
                triesSeen.insert(result.outcome.tries)
            }
            if budget == 6 { XCTAssertGreaterThan(triesSeen.max() ?? 0, 1, "some question needed several tries") }
        }
    }

    func testEngineRejectionSamplingRecordsTriesAndStopsAtItsCap() throws {
        let t = try tokens(stop: try frequentToken(sampling: SamplingParameters(temperature: 1, topP: 1, seed: 1)))
        func rs(_ budget: Int, cap: Int) throws -> RejectionOutcome {
            try EngineRejectionSampling.run(generator: Generator(model: Self.model), id: 5, prompt: prompt, seed: 77,
                                            tokens: t, promptEndsWithNewline: true, maxThinkingTokens: budget,
                                            maxAnswerTokens: 4, maxTries: cap).outcome
        }
        let generous = try rs(200, cap: 50)
        XCTAssertTrue(generous.accepted)
        XCTAssertLessThanOrEqual(generous.transcript.accounting.thinkingTokens, 200)
        XCTAssertEqual(generous.transcript.accounting.forcedStops, 0)
        XCTAssertEqual(generous.transcript.answer.prefix(t.endOfThinking.count).map { $0 }, t.endOfThinking)
                // A budget of 0 never fits (the end of thinking cannot come before the budget is spent).
        let tight = try rs(0, cap: 5)
        XCTAssertFalse(tight.accepted)
        XCTAssertEqual(tight.tries, 5)
        XCTAssertEqual(tight.transcript.answer, [])
        XCTAssertEqual(try rs(200, cap: 50), generous, "seeded: the same tries again")
        XCTAssertEqual(try rs(1, cap: 5), try rs(1, cap: 5))
    }
}
