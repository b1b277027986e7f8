import Foundation
import XCTest
import S1Method
import S1Report

final class MethodBlocksTests: XCTestCase {
    private func summary(_ id: String, max: Int, tokens: Double, accuracy: Double, ci: (Double, Double)) throws -> PointSummary {
        let json = """
        {"point": "\(id)", "requested": {"max": \(max)}, "samples": 200, "accuracy": \(accuracy),
         "accuracy_ci95": {"lower": \(ci.0), "upper": \(ci.1), "level": 0.95}, "mean_thinking_tokens": \(tokens),
         "decoded_tokens": 1000, "within_range": true, "samples_within_range": 100, "forced_stops": 3,
         "ignored_ends": 0, "mean_tries": 1}
        """
        return try JSONDecoder().decode(PointSummary.self, from: Data(json.utf8))
    }

    func testSweepBecomesALog2SeriesSortedByThinkingTokens() throws {
        let sweep = [try summary("b512", max: 512, tokens: 400, accuracy: 55, ci: (48, 62)),
                     try summary("b64", max: 64, tokens: 60, accuracy: 30, ci: (24, 36.5))]
        let chart = LineChart.accuracyVsThinkingTokens(title: "budget", sweeps: [("forcing", sweep)])
        XCTAssertEqual(chart.xScale, .log2)
        XCTAssertEqual(chart.series[0].points, [ChartPoint(x: 60, y: 30, ciLow: 24, ciHigh: 36.5),
                                                ChartPoint(x: 400, y: 55, ciLow: 48, ciHigh: 62)])
        let table = ReportTable.sweepPoints(sweep)
        XCTAssertEqual(table.rows[0], ["b512", "—", "512", "200", "400", "55", "48 – 62", "yes", "3", "0"])
        XCTAssertEqual(Set(table.rows.map(\.count)), [table.header.count])
    }

    func testTable3RowsFromScalingSummaries() {
        // Two points: (100 tokens, 20%), (200 tokens, 40%), no requested range.
        // Control 100%; slope 20 points per doubling, 200 points per 1,000 tokens; Performance 40%.
        let summary = TestTimeScaling.summary([ComputePoint(thinkingTokens: 100, accuracy: 20),
                                               ComputePoint(thinkingTokens: 200, accuracy: 40)])
        let empty = TestTimeScaling.summary([])
        let table = ReportTable.testTimeScaling([("BF", summary), ("none", empty)])
        XCTAssertEqual(table.rows[0], ["BF", "2", "100", "20", "200", "40"])
        XCTAssertEqual(table.rows[1], ["none", "0", "—", "—", "—", "—"])
        XCTAssertEqual(table.resolvedAlignments, [.left, .right, .right, .right, .right, .right])
    }

    func testDecodingCostShowsSharedAgainstAlone() throws {
        func record(_ decoded: Int) -> SampleRecord {
            SampleRecord(questionID: "0", point: "p", promptHash: "h", thinkingTokens: 10, answerTokens: 2,
                         decodedTokens: decoded, forcedStops: 0, ignoredEnds: 0, tries: 1, target: "1",
                         extractedAnswer: "1", correct: true)
        }
        let points = try [30, 70].map { decoded in
            try XCTUnwrap(PointSummary(point: "p\(decoded)", requested: ThinkingRange(max: 64), records: [record(decoded)],
                                       seed: 1, resamples: 10))
        }
        let shared = MethodResult(benchmark: "t", sweep: "budget", points: points, decodedTokensShared: 80)
        let alone = MethodResult(benchmark: "t", sweep: "tcc", points: points)
        let table = ReportTable.decodingCost([("t/budget", shared), ("t/tcc", alone)])
        XCTAssertEqual(table.rows[0], ["t/budget", "100", "80", "0.8"])
        XCTAssertEqual(table.rows[1], ["t/tcc", "100", "—", "—"])
    }
}
