import XCTest
import S1Method

final class ForcingTests: XCTestCase {
    func testMaximumForcesNewlineDelimiterAndFinalAnswerWhenBudgetSpent() {
        let t = runForcing(ForcingConfig(maxThinkingTokens: 5, maxAnswerTokens: 10), model: ScriptedModel(thinkLength: 20))
        XCTAssertEqual(t.thinking, [3, 1, 4, 1, 5])
        // "\n" (thinking did not end with one) + "<|im_start|>answer" + "\nFinal Answer:" then the answer.
        XCTAssertEqual(Array(t.answer.prefix(6)), [Tok.newline, Tok.imStart, Tok.answer, Tok.newline, Tok.final, Tok.answerColon])
        XCTAssertEqual(t.answer.last, Tok.imEnd)
        XCTAssertEqual(t.accounting.thinkingTokens, 5)
        XCTAssertEqual(t.accounting.forcedStops, 1)
        XCTAssertEqual(t.accounting.ignoredEnds, 0)
        XCTAssertEqual(t.accounting.answerTokens, 3)
        XCTAssertEqual(t.accounting.sampledTokens, 8)
        XCTAssertEqual(t.accounting.forcedTokens, 6)
    }

    func testNoExtraNewlineWhenThinkingEndsWithOne() {
        let t = runForcing(ForcingConfig(maxThinkingTokens: 9, maxAnswerTokens: 10), model: ScriptedModel(thinkLength: 20))
        XCTAssertEqual(t.thinking.last, Tok.newline)
        XCTAssertEqual(Array(t.answer.prefix(5)), [Tok.imStart, Tok.answer, Tok.newline, Tok.final, Tok.answerColon])
        // Budget 0: the prompt decides.
        let zero = runForcing(ForcingConfig(maxThinkingTokens: 0, maxAnswerTokens: 10), model: ScriptedModel(thinkLength: 20),
                              promptEndsWithNewline: true)
        XCTAssertEqual(zero.thinking, [])
        XCTAssertEqual(zero.answer.first, Tok.imStart)
    }

    func testNaturalStopAppendsOnlyTheDelimiter() {
        let t = runForcing(ForcingConfig(maxThinkingTokens: 100, maxAnswerTokens: 10), model: ScriptedModel(thinkLength: 6))
        XCTAssertEqual(t.thinking, [3, 1, 4, 1, 5, 9])
        XCTAssertEqual(t.answer, [Tok.imStart, Tok.answer, 7, 8, Tok.imEnd])  // the sampled <|im_start|> is replaced
        XCTAssertEqual(t.accounting.forcedStops, 0)
        XCTAssertEqual(t.accounting.sampledTokens, 6 + 1 + 3)
    }

    func testIgnoreEndAppendsTheExtensionNTimesAndSuppressesTheNextEnd() {
        let wait = ForcingConfig(maxThinkingTokens: 1000, ignoreEnd: 3, extensionTokens: [Tok.wait], maxAnswerTokens: 10)
        let t = runForcing(wait, model: ScriptedModel(thinkLength: 4))
        XCTAssertEqual(t.thinking.filter { $0 == Tok.wait }.count, 3)
        XCTAssertEqual(t.accounting.ignoredEnds, 3)
        XCTAssertEqual(t.accounting.thinkingTokens, 4 * 4 + 3)
        XCTAssertEqual(t.thinking.count, t.accounting.thinkingTokens)
        XCTAssertEqual(Array(t.answer.prefix(2)), [Tok.imStart, Tok.answer])
        // A model that wants to stop right after every extension is not allowed to (min_tokens = 1).
        var controller = BudgetForcing(config: ForcingConfig(maxThinkingTokens: 50, ignoreEnd: 2, extensionTokens: [Tok.hmm],
                                                             maxAnswerTokens: 4), tokens: Tok.tokens, promptEndsWithNewline: false)
        var session = ScriptedModel(thinkLength: 0)
        var transcript = ForcingTranscript()
        var sawSuppressed = 0
        var lastWasExtension = false
        while true {
            let before = controller
            var probe = before
            let directive = probe.next()
            if lastWasExtension, case .sample(let s) = directive {
                XCTAssertEqual(s, Tok.tokens.thinkingStops)
                sawSuppressed += 1
            }
            if case .force(let f) = directive { lastWasExtension = f == [Tok.hmm] } else if case .sample = directive { lastWasExtension = false }
            if !ForcingDriver.step(&controller, &session, &transcript) { break }
        }
        XCTAssertEqual(sawSuppressed, 2)
        // stop → Hmm (position 0); suppressed stop → digit at position 1; stop → Hmm (2); digit at 3; stop accepted.
        XCTAssertEqual(transcript.thinking, [Tok.hmm, 1, Tok.hmm, 1])
        XCTAssertEqual(transcript.accounting.ignoredEnds, 2)
        // "none": the end is dropped and thinking continues with nothing appended.
        let none = runForcing(ForcingConfig(maxThinkingTokens: 1000, ignoreEnd: 2, extensionTokens: [], maxAnswerTokens: 10),
                              model: ScriptedModel(thinkLength: 3))
        XCTAssertEqual(none.accounting.ignoredEnds, 2)
        XCTAssertEqual(none.thinking.count, none.accounting.thinkingTokens)
    }

    func testThinkingNeverExceedsBudgetAndAccountingIsConsistent() {
        for budget in 0...24 {
            for ignore in 0...4 {
                for ext in [[], [Tok.wait], [Tok.wait, Tok.hmm]] {
                    for length in 0...7 {
                        let config = ForcingConfig(maxThinkingTokens: budget, ignoreEnd: ignore, extensionTokens: ext, maxAnswerTokens: 5)
                        let t = runForcing(config, model: ScriptedModel(thinkLength: length))
                        let label = "budget \(budget) ignore \(ignore) ext \(ext) length \(length)"
                        XCTAssertLessThanOrEqual(t.accounting.thinkingTokens, budget, label)
                        XCTAssertEqual(t.thinking.count, t.accounting.thinkingTokens, label)
                        XCTAssertLessThanOrEqual(t.accounting.ignoredEnds, ignore, label)
                        if !ext.isEmpty { XCTAssertEqual(t.thinking.filter { $0 == Tok.wait }.count, t.accounting.ignoredEnds, label) }
                        XCTAssertFalse(t.thinking.contains(Tok.imStart), label)
                        XCTAssertEqual(t.accounting.forcedStops == 1, t.answer.starts(with: [Tok.newline, Tok.imStart]) || t.answer.starts(with: [Tok.imStart, Tok.answer, Tok.newline, Tok.final]), label)
                        XCTAssertLessThanOrEqual(t.accounting.answerTokens, 5, label)
                    }
                }
            }
        }
    }

    func testMinimumThinkingSuppressesTheEnd() {
        let t = runForcing(ForcingConfig(maxThinkingTokens: 100, minThinkingTokens: 10, maxAnswerTokens: 10),
                           model: ScriptedModel(thinkLength: 3))
        XCTAssertEqual(t.accounting.thinkingTokens, 10)
        XCTAssertEqual(t.accounting.forcedStops, 0)
        XCTAssertEqual(Array(t.answer.prefix(2)), [Tok.imStart, Tok.answer])
    }

    func testAnswerCapAndStepBudgetAndAbandon() {
        let capped = runForcing(ForcingConfig(maxThinkingTokens: 4, maxAnswerTokens: 1), model: ScriptedModel(thinkLength: 20))
        XCTAssertEqual(capped.accounting.answerTokens, 1)
        XCTAssertNotEqual(capped.answer.last, Tok.imEnd)
        let steps = runForcing(ForcingConfig(maxThinkingTokens: 100, maxAnswerTokens: 5, maxThinkingSteps: 2),
                               model: ScriptedModel(thinkLength: 50, stepEvery: 4))
        XCTAssertEqual(steps.accounting.thinkingSteps, 2)
        XCTAssertEqual(steps.thinking.count, 8)  // delimiters at positions 3 and 7
        XCTAssertEqual(steps.accounting.forcedStops, 1)
        let abandoned = runForcing(RejectionSampling.tryConfig(maxThinkingTokens: 5, maxAnswerTokens: 5), model: ScriptedModel(thinkLength: 20))
        XCTAssertEqual(abandoned.answer, [])
        XCTAssertEqual(abandoned.accounting.forcedStops, 1)
    }

    func testFinishStepCutLetsTheCurrentStepEnd() {
        // Step delimiters at positions 3, 7, 11, …; budget 5 falls inside the second step.
        let model = ScriptedModel(thinkLength: 50, stepEvery: 4)
        let exact = runForcing(ForcingConfig(maxThinkingTokens: 5, maxAnswerTokens: 3), model: model)
        XCTAssertEqual(exact.accounting.thinkingTokens, 5)
        let finish = runForcing(ForcingConfig(maxThinkingTokens: 5, maxAnswerTokens: 3, cut: .finishStep(maxExtraTokens: 10)), model: model)
        XCTAssertEqual(finish.accounting.thinkingTokens, 8)
        XCTAssertEqual(finish.thinking.last, Tok.step)
        XCTAssertEqual(finish.accounting.overrunTokens, 3)
        XCTAssertEqual(finish.accounting.forcedStops, 1)
        let capped = runForcing(ForcingConfig(maxThinkingTokens: 5, maxAnswerTokens: 3, cut: .finishStep(maxExtraTokens: 1)), model: model)
        XCTAssertEqual(capped.accounting.thinkingTokens, 6)
        XCTAssertEqual(capped.accounting.overrunTokens, 1)
        // A budget on a step boundary cuts at once.
        let boundary = runForcing(ForcingConfig(maxThinkingTokens: 4, maxAnswerTokens: 3, cut: .finishStep(maxExtraTokens: 10)), model: model)
        XCTAssertEqual(boundary.accounting.thinkingTokens, 4)
        XCTAssertEqual(boundary.accounting.overrunTokens, 0)
    }

    func testTemplateEncodingAndSingleTokenStops() throws {
        let vocabulary = ["<|im_start|>": 20, "<|im_end|>": 22, "answer": 21, "\n": 10, "Final": 23, " Answer:": 24,
                          "<|im_start|>step": 40]
        // Greedy longest match over the toy vocabulary; unknown characters map to 99.
        let encode: (String) -> [Int] = { text in
            var out: [Int] = []
            var rest = Substring(text)
            while !rest.isEmpty {
                if let (piece, id) = vocabulary.filter({ rest.hasPrefix($0.key) }).max(by: { $0.key.count < $1.key.count }) {
                    out.append(id)
                    rest = rest.dropFirst(piece.count)
                } else {
                    out.append(99)
                    rest = rest.dropFirst()
                }
            }
            return out
        }
        let decode: @Sendable (Int) -> String = { $0 == 10 ? "\n" : "x" }
        let tokens = try ForcingTokens(template: .qwen25, encode: encode, decode: decode)
        XCTAssertEqual(tokens.endOfThinking, [20, 21])
        XCTAssertEqual(tokens.forcedAnswerPrefix, [10, 23, 24])
        XCTAssertEqual(tokens.thinkingStops, [20, 22])
        XCTAssertEqual(tokens.answerStops, [22])
        XCTAssertEqual(tokens.stepDelimiters, [40])
        var bad = ForcingTemplate.qwen25
        bad.answerEnd = "</answer>"
        XCTAssertThrowsError(try ForcingTokens(template: bad, encode: encode, decode: decode)) { error in
            XCTAssertTrue("\(error)".contains("template.answer_end"))
        }
    }
}

final class ForcingRecordTests: XCTestCase {
    func testExtensionNamesAndSampleRecordFromTranscript() {
        XCTAssertEqual(ExtensionString.named("none"), .noString)
        XCTAssertEqual(ExtensionString.named("wait"), .wait)
        XCTAssertEqual(ExtensionString.named("Alternatively")?.rawValue, "Alternatively")
        XCTAssertNil(ExtensionString.named("Whoa"))
        let t = runForcing(ForcingConfig(maxThinkingTokens: 5, maxAnswerTokens: 10), model: ScriptedModel(thinkLength: 20))
        let verdict = ResponseGrader(kind: .integer).grade(response: "Final Answer: 12", gold: "12")
        let r = SampleRecord(questionID: "q1", point: "b5", promptHash: "abc", transcript: t, verdict: verdict, target: "12")
        XCTAssertEqual(r.thinkingTokens, 5)
        XCTAssertEqual(r.forcedStops, 1)
        XCTAssertEqual(r.decodedTokens, t.accounting.sampledTokens)
        XCTAssertEqual(r.extractedAnswer, "12")
        XCTAssertTrue(r.correct)
    }
}
