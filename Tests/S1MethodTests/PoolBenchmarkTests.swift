import Foundation
import XCTest
import S1Method

/// `DataBenchmarks` at a small size in the suite; the full 59K × 1K run with `S1_DATA_BENCH=1`.
final class PoolBenchmarkTests: XCTestCase {
    func testDataBenchmarksRunAndFindThePlantedOverlaps() throws {
        let full = ProcessInfo.processInfo.environment["S1_DATA_BENCH"] == "1"
        let result = full ? try DataBenchmarks.run() : try DataBenchmarks.run(poolSize: 3_000, benchmarkSize: 100)
        print(result)
        XCTAssertEqual(result.contaminated, (result.poolSize + 99) / 100)  // every 100th pool text embeds 12 words
        XCTAssertEqual(result.selected, min(1000, result.poolSize / 2))
        if full { XCTAssertLessThan(result.decontaminationSeconds, 10) }
    }
}
