import Foundation
import XCTest
import S1Method

final class MetricsTests: XCTestCase {
    func testControlCountsPointsInsideRequestedRange() {
        let cap = ThinkingRange(max: 100)
        let points = [ComputePoint(thinkingTokens: 50, accuracy: 0, requested: cap),
                      ComputePoint(thinkingTokens: 100, accuracy: 0, requested: cap),
                      ComputePoint(thinkingTokens: 150, accuracy: 0, requested: cap)]
        XCTAssertEqual(TestTimeScaling.control(points)!, 200.0 / 3, accuracy: 1e-12)
        let band = ThinkingRange(min: 60, max: 120)
        XCTAssertEqual(TestTimeScaling.control(points.map { ComputePoint(thinkingTokens: $0.thinkingTokens, accuracy: 0, requested: band) })!,
                       100.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(TestTimeScaling.control([ComputePoint(thinkingTokens: 1e9, accuracy: 0)]), 100)
        XCTAssertNil(TestTimeScaling.control([]))
    }

    func testScalingIsAveragePairwiseSlopeInBothUnits() {
        // Hand computation. Per 1,000 tokens, x = 1, 2, 4: slopes 20/1, 30/3, 10/2 → (20 + 10 + 5)/3.
        // Per doubling, x = log2 a differs by 1, 2, 1: slopes 20, 15, 10 → 15.
        let curve = [ComputePoint(thinkingTokens: 1000, accuracy: 10),
                     ComputePoint(thinkingTokens: 2000, accuracy: 30),
                     ComputePoint(thinkingTokens: 4000, accuracy: 40)]
        XCTAssertEqual(TestTimeScaling.scaling(curve, unit: .perThousandTokens)!, 35.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(TestTimeScaling.scaling(curve, unit: .perDoubling)!, 15, accuracy: 1e-12)
        // Order of points does not matter.
        XCTAssertEqual(TestTimeScaling.scaling(curve.reversed(), unit: .perDoubling)!, 15, accuracy: 1e-12)
        // A falling curve (like the paper's rejection sampling) scales negatively: −10 points over 500 tokens.
        let falling = [ComputePoint(thinkingTokens: 500, accuracy: 60), ComputePoint(thinkingTokens: 1000, accuracy: 50)]
        XCTAssertEqual(TestTimeScaling.scaling(falling, unit: .perThousandTokens)!, -20, accuracy: 1e-12)
        XCTAssertEqual(TestTimeScaling.scaling(falling, unit: .perDoubling)!, -10, accuracy: 1e-12)
        // Flat curve, single point, equal compute amounts, zero tokens on a log axis.
        XCTAssertEqual(TestTimeScaling.scaling([ComputePoint(thinkingTokens: 1, accuracy: 5),
                                                ComputePoint(thinkingTokens: 9, accuracy: 5)], unit: .perThousandTokens), 0)
        XCTAssertNil(TestTimeScaling.scaling([ComputePoint(thinkingTokens: 1, accuracy: 5)], unit: .perThousandTokens))
        XCTAssertNil(TestTimeScaling.scaling([ComputePoint(thinkingTokens: 7, accuracy: 5),
                                              ComputePoint(thinkingTokens: 7, accuracy: 9)], unit: .perThousandTokens))
        let withSame = curve + [ComputePoint(thinkingTokens: 2000, accuracy: 35)]
        // Pairs: the 3 above plus (1000,2000→35): 25, (2000→35,4000): 2.5; the equal-a pair is left out → 5 pairs.
        XCTAssertEqual(TestTimeScaling.scaling(withSame, unit: .perThousandTokens)!, (20 + 10 + 5 + 25 + 2.5) / 5, accuracy: 1e-12)
        XCTAssertNil(TestTimeScaling.scaling([ComputePoint(thinkingTokens: 0, accuracy: 0), ComputePoint(thinkingTokens: 8, accuracy: 50)],
                                             unit: .perDoubling))
    }

    func testPerformanceAndSummary() {
        let cap = ThinkingRange(max: 1500)
        let curve = [ComputePoint(thinkingTokens: 1000, accuracy: 10, requested: cap),
                     ComputePoint(thinkingTokens: 2000, accuracy: 30, requested: cap)]
        let s = TestTimeScaling.summary(curve)
        XCTAssertEqual(s, ScalingSummaryExpectation.make(points: 2, control: 50, perK: 20, perDoubling: 20, performance: 30))
    }

    func testBootstrapInterval() throws {
        XCTAssertEqual(Bootstrap.quantile([0, 1, 2, 3, 4], 0.25), 1)
        XCTAssertEqual(Bootstrap.quantile([0, 1, 2, 3, 4], 0.1), 0.4, accuracy: 1e-12)
        let all = try XCTUnwrap(Bootstrap.meanInterval(Array(repeating: 1, count: 30), seed: 1))
        XCTAssertEqual(all, ConfidenceInterval(lower: 1, upper: 1, level: 0.95))
        // 100 coin flips with 50 heads: the normal approximation gives 0.5 ± 1.96·0.05 = [0.402, 0.598].
        let half = (0..<100).map { Double($0 % 2) }
        let ci = try XCTUnwrap(Bootstrap.meanInterval(half, seed: 42))
        XCTAssertEqual(ci.lower, 0.402, accuracy: 0.02)
        XCTAssertEqual(ci.upper, 0.598, accuracy: 0.02)
        XCTAssertEqual(Bootstrap.meanInterval(half, seed: 42), ci, "same seed, same interval")
        // Means of 0/1 values sit on a lattice, so the seed shows on real-valued data.
        let spread = (0..<37).map { Double(($0 * $0) % 11) / 3 }
        XCTAssertNotEqual(Bootstrap.meanInterval(spread, seed: 43), Bootstrap.meanInterval(spread, seed: 44), "the seed matters")
        XCTAssertNil(Bootstrap.meanInterval([], seed: 1))
    }

    func record(_ q: String, thinking: Int, correct: Bool, decoded: Int = 10, forced: Int = 0, ignored: Int = 0,
                tries: Int = 1) -> SampleRecord {
        SampleRecord(questionID: q, point: "p64", promptHash: "h" + q, thinkingTokens: thinking, answerTokens: 3,
                     decodedTokens: decoded, forcedStops: forced, ignoredEnds: ignored, tries: tries, target: "1",
                     extractedAnswer: correct ? "1" : "2", correct: correct)
    }

    func testPointSummaryByHand() throws {
        let records = [record("a", thinking: 10, correct: true, decoded: 13),
                       record("b", thinking: 20, correct: false, decoded: 23, forced: 1),
                       record("c", thinking: 60, correct: true, decoded: 63, ignored: 2, tries: 4)]
        let s = try XCTUnwrap(PointSummary(point: "p64", requested: ThinkingRange(max: 32), records: records, seed: 7))
        XCTAssertEqual(s.accuracy, 200.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(s.meanThinkingTokens, 30)
        XCTAssertTrue(s.withinRange)  // the mean, 30, respects the cap of 32 ...
        XCTAssertEqual(s.samplesWithinRange, 200.0 / 3, accuracy: 1e-12)  // ... but one sample of three does not
        XCTAssertEqual(s.decodedTokens, 99)
        XCTAssertEqual(s.forcedStops, 1)
        XCTAssertEqual(s.ignoredEnds, 2)
        XCTAssertEqual(s.meanTries, 2)
        XCTAssertLessThanOrEqual(s.accuracyInterval.lower, s.accuracy)
        XCTAssertGreaterThanOrEqual(s.accuracyInterval.upper, s.accuracy)
        XCTAssertNil(PointSummary(point: "x", requested: ThinkingRange(), records: [], seed: 7))
    }

    func testResultsDocumentLayoutAndDeterminism() throws {
        let records = [record("b", thinking: 20, correct: false), record("a", thinking: 10, correct: true)]
        let point = try XCTUnwrap(PointSummary(point: "p64", requested: ThinkingRange(max: 64), records: records, seed: 1))
        let longer = [record("a", thinking: 90, correct: true), record("b", thinking: 100, correct: true)]
        let point2 = try XCTUnwrap(PointSummary(point: "p128", requested: ThinkingRange(max: 128), records: longer, seed: 1))
        let task = ResultsDocument.taskName(benchmark: "mini", sweep: "budget", point: "p64")
        let doc = ResultsDocument(
            results: [task: point],
            configs: [task: TaskConfig(benchmark: "mini", sweep: "budget", point: "p64", grader: .integer,
                                       parameters: ["max_thinking_tokens": "64"], budgetSemantics: "remaining_budget_per_round")],
            methods: ["mini/budget": MethodResult(benchmark: "mini", sweep: "budget", points: [point, point2], decodedTokensShared: 15)],
            samples: [task: records])
        let data = try doc.encoded()
        XCTAssertEqual(try doc.encoded(), data)
        let text = String(decoding: data, as: UTF8.self)
        for key in ["\"results\"", "\"configs\"", "\"versions\"", "\"samples\"", "\"doc_id\"", "\"prompt_hash\"",
                    "\"accuracy_ci95\"", "\"scaling_per_doubling\"", "\"budget_semantics\"", "\"n-samples\""] {
            XCTAssertTrue(text.contains(key), key)
        }
        XCTAssertEqual(doc.samples[task]!.map(\.questionID), ["a", "b"], "samples sorted by question")
        XCTAssertLessThan(text.range(of: "\"configs\"")!.lowerBound, text.range(of: "\"methods\"")!.lowerBound)
        XCTAssertTrue(text.contains("\"accuracy\" : 50"), "floats shortest round-trip")
        XCTAssertEqual(try JSONDecoder().decode(ResultsDocument.self, from: data), doc)
        XCTAssertEqual(doc.versions, [task: ResultsDocument.formatVersion])
    }
}

/// Builds the expected summary through the decoder, since ScalingSummary's fields are computed, not initialised.
enum ScalingSummaryExpectation {
    static func make(points: Int, control: Double, perK: Double, perDoubling: Double, performance: Double) -> ScalingSummary {
        let json = "{\"points\":\(points),\"control\":\(control),\"scaling_per_1000_thinking_tokens\":\(perK),"
            + "\"scaling_per_doubling\":\(perDoubling),\"performance\":\(performance)}"
        return try! JSONDecoder().decode(ScalingSummary.self, from: Data(json.utf8))
    }
}

final class MetricsAssemblyTests: XCTestCase {
    func sample(_ q: Int, point: String, thinking: Int, correct: Bool) -> SampleRecord {
        SampleRecord(questionID: "q\(q)", point: point, promptHash: "h", thinkingTokens: thinking, answerTokens: 2,
                     decodedTokens: thinking + 3, forcedStops: 0, ignoredEnds: 0, target: "1",
                     extractedAnswer: correct ? "1" : "0", correct: correct)
    }

    func testAssemblyGroupsPointsIntoMethodsWithHandComputedMetrics() throws {
        // Budget sweep, two points of 4 questions: 1000 tokens → 25%, 2000 tokens → 75%.
        // Scaling per 1,000 tokens: (75 − 25) / 1 = 50; per doubling: 50 / 1 = 50. Control: 2000 > cap 1500 → 50%.
        func point(_ id: String, cap: Int, thinking: Int, correct: [Bool]) -> PointInput {
            PointInput(config: TaskConfig(benchmark: "mini", sweep: "budget", point: id, grader: .integer,
                                          parameters: ["max_thinking_tokens": String(cap)]),
                       requested: ThinkingRange(max: cap),
                       records: correct.enumerated().map { sample($0.offset, point: id, thinking: thinking, correct: $0.element) },
                       bootstrapSeed: 9)
        }
        let rs = PointInput(config: TaskConfig(benchmark: "mini", sweep: "rs", point: "r1", grader: .integer, parameters: [:]),
                            requested: ThinkingRange(max: 10), records: [sample(0, point: "r1", thinking: 5, correct: true)],
                            bootstrapSeed: 1)
        let empty = PointInput(config: TaskConfig(benchmark: "mini", sweep: "rs", point: "r2", grader: .integer, parameters: [:]),
                               requested: ThinkingRange(), records: [], bootstrapSeed: 1)
        let doc = ResultsAssembler.assemble([point("b1000", cap: 1000, thinking: 1000, correct: [true, false, false, false]),
                                             point("b1500", cap: 1500, thinking: 2000, correct: [true, true, true, false]),
                                             rs, empty],
                                            sharedDecodedTokens: ["mini/budget": 3100])
        XCTAssertEqual(doc.results.keys.sorted(), ["mini/budget/b1000", "mini/budget/b1500", "mini/rs/r1"])
        let budget = try XCTUnwrap(doc.methods["mini/budget"])
        XCTAssertEqual(budget.metrics.points, 2)
        XCTAssertEqual(budget.metrics.control, 50)
        XCTAssertEqual(budget.metrics.scalingPerThousandTokens!, 50, accuracy: 1e-12)
        XCTAssertEqual(budget.metrics.scalingPerDoubling!, 50, accuracy: 1e-12)
        XCTAssertEqual(budget.metrics.performance, 75)
        XCTAssertEqual(budget.decodedTokensSeparate, 4 * 1003 + 4 * 2003)
        XCTAssertEqual(budget.decodedTokensShared, 3100)
        XCTAssertEqual(doc.methods["mini/rs"]?.metrics.performance, 100)
        XCTAssertNil(doc.methods["mini/rs"]?.metrics.scalingPerThousandTokens)
        XCTAssertEqual(doc.nSamples["mini/budget/b1000"], ResultsDocument.SampleCount(original: 4, effective: 4))
    }
}
