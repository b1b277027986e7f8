import Foundation
import XCTest
import S1Method

/// `DataBenchmarks` at a small size; the full 59K × 1K measurement is `make bench` (`s1 bench data`).
final class PoolBenchmarkTests: XCTestCase {
    func testDataBenchmarksRunAndFindThePlantedOverlaps() throws {
        let result = try DataBenchmarks.run(poolSize: 3_000, benchmarkSize: 100)
        XCTAssertEqual(result.contaminated, (result.poolSize + 99) / 100)  // every 100th pool text embeds 12 words
        XCTAssertEqual(result.selected, min(1000, result.poolSize / 2))
    }
}
