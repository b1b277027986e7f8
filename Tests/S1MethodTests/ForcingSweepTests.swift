import XCTest
import S1Method

final class ForcingSweepTests: XCTestCase {
    func testBudgetSweepSharesThePrefixAndEqualsSeparateRuns() throws {
        let budgets = [0, 3, 5, 8, 13, 100]
        for seed: UInt64? in [nil, 1, 2, 3] {
            for length in [2, 10, 40] {
                let model = ScriptedModel(thinkLength: length, seed: seed)
                let base = ForcingConfig(maxThinkingTokens: 0, maxAnswerTokens: 6)
                let shared = try XCTUnwrap(PrefixSharingSweep.budgets(budgets, base: base, tokens: Tok.tokens,
                                                                       promptEndsWithNewline: false, session: model))
                for b in budgets {
                    var alone = base
                    alone.maxThinkingTokens = b
                    XCTAssertEqual(shared.points[b], runForcing(alone, model: model), "budget \(b) seed \(String(describing: seed)) length \(length)")
                }
                XCTAssertLessThan(shared.sampledShared, shared.sampledSeparate)
            }
        }
        // Finishing the current step past the budget shares the prefix too.
        for length in [6, 40] {
            let model = ScriptedModel(thinkLength: length, stepEvery: 4)
            let base = ForcingConfig(maxThinkingTokens: 0, maxAnswerTokens: 3, cut: .finishStep(maxExtraTokens: 2))
            let shared = try XCTUnwrap(PrefixSharingSweep.budgets(budgets, base: base, tokens: Tok.tokens,
                                                                   promptEndsWithNewline: false, session: model))
            for b in budgets {
                var alone = base
                alone.maxThinkingTokens = b
                XCTAssertEqual(shared.points[b], runForcing(alone, model: model), "finish-step budget \(b) length \(length)")
            }
        }
        // The largest point's chain costs its own tokens plus one answer per other point.
        let model = ScriptedModel(thinkLength: 200)
        let outcome = try XCTUnwrap(PrefixSharingSweep.budgets([16, 32, 64, 128], base: ForcingConfig(maxThinkingTokens: 0, maxAnswerTokens: 3),
                                                                tokens: Tok.tokens, promptEndsWithNewline: false, session: model))
        XCTAssertEqual(outcome.sampledShared, 128 + 3 + 3 * 3)
        XCTAssertEqual(outcome.sampledSeparate, 16 + 32 + 64 + 128 + 4 * 3)
        // The goal: a K-point sweep costs at most 1.3× its largest point alone.
        let largestAlone = runForcing(ForcingConfig(maxThinkingTokens: 128, maxAnswerTokens: 3), model: model).accounting.sampledTokens
        XCTAssertLessThanOrEqual(Double(outcome.sampledShared), 1.3 * Double(largestAlone))
        XCTAssertNil(PrefixSharingSweep.budgets([1, 2], base: ForcingConfig(maxThinkingTokens: 0, ignoreEnd: 1, maxAnswerTokens: 3),
                                                tokens: Tok.tokens, promptEndsWithNewline: false, session: model))
    }

    func testIgnoreSweepSharesThePrefixAndEqualsSeparateRuns() throws {
        let counts = [0, 1, 2, 4, 6]
        for seed: UInt64? in [nil, 7, 8] {
            for (length, budget) in [(5, 1000), (5, 20), (1, 9), (30, 25)] {
                for ext in [[Tok.wait], [], [Tok.wait, Tok.hmm]] {
                    let model = ScriptedModel(thinkLength: length, seed: seed)
                    let base = ForcingConfig(maxThinkingTokens: budget, extensionTokens: ext, maxAnswerTokens: 4)
                    let shared = try XCTUnwrap(PrefixSharingSweep.ignoreCounts(counts, base: base, tokens: Tok.tokens,
                                                                                promptEndsWithNewline: false, session: model))
                    for k in counts {
                        var alone = base
                        alone.ignoreEnd = k
                        XCTAssertEqual(shared.points[k], runForcing(alone, model: model),
                                       "ignore \(k) length \(length) budget \(budget) ext \(ext) seed \(String(describing: seed))")
                    }
                    XCTAssertLessThanOrEqual(shared.sampledShared, shared.sampledSeparate)
                }
            }
        }
        // Hand count: thinkLength 5, ample budget, answers of 3 sampled tokens. The chain (6 ignores) samples
        // 7 rounds × (5 + 1 end) + 3; each of the 4 other points forks at its end and samples 3 answer tokens.
        let outcome = try XCTUnwrap(PrefixSharingSweep.ignoreCounts(counts, base: ForcingConfig(maxThinkingTokens: 1000, extensionTokens: [Tok.wait], maxAnswerTokens: 4),
                                                                    tokens: Tok.tokens, promptEndsWithNewline: false,
                                                                    session: ScriptedModel(thinkLength: 5)))
        XCTAssertEqual(outcome.sampledShared, 7 * 6 + 3 + 4 * 3)
    }
}
