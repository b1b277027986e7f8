import XCTest
import S1Report

final class TickTests: XCTestCase {
    func testLinearTicksOnHandComputedRanges() {
        // span 1 / 5 = 0.2 → step 0.2
        XCTAssertEqual(AxisTicks.linear(min: 0, max: 1, targetCount: 5).values, [0, 0.2, 0.4, 0.6, 0.8, 1])
        // span 94 / 5 = 18.8 → step 20, widened to 0...100
        XCTAssertEqual(AxisTicks.linear(min: 3, max: 97, targetCount: 5).values, [0, 20, 40, 60, 80, 100])
        // span 1.19 / 4 = 0.2975 → 0.25 is too small, step 0.5, widened to -0.5...1
        XCTAssertEqual(AxisTicks.linear(min: -0.37, max: 0.82, targetCount: 4).values, [-0.5, 0, 0.5, 1])
        // span 0.2 / 4 = 0.05 → step 0.05; decimal multiples are exact (0.15, not 0.15000000000000002)
        XCTAssertEqual(AxisTicks.linear(min: 0.1, max: 0.3, targetCount: 4).values, [0.1, 0.15, 0.2, 0.25, 0.3])
        // span 300 / 4 = 75 → step 100
        XCTAssertEqual(AxisTicks.linear(min: 0, max: 300, targetCount: 4).values, [0, 100, 200, 300])
        // span 10 / 4 = 2.5 → step 2.5
        XCTAssertEqual(AxisTicks.linear(min: 0, max: 10, targetCount: 4).values, [0, 2.5, 5, 7.5, 10])
    }

    func testDegenerateLinearRangeIsWidened() {
        // 5 ± 0.5 → span 1 / 5 = 0.2 → 4.4...5.6
        let ticks = AxisTicks.linear(min: 5, max: 5, targetCount: 5)
        XCTAssertEqual(ticks.values, [4.4, 4.6, 4.8, 5, 5.2, 5.4, 5.6])
        XCTAssertEqual(AxisTicks.linear(min: 0, max: 0, targetCount: 2).values, [-1, 0, 1])
    }

    func testLog2TicksArePowersOfTwo() {
        let ticks = AxisTicks.log2(min: 20, max: 300)
        XCTAssertEqual(ticks.values, [16, 32, 64, 128, 256, 512])
        XCTAssertEqual(ticks.lower, 16)
        XCTAssertEqual(ticks.upper, 512)
        // 2^0 ... 2^16 is 17 powers; at most 8 ticks → every 3rd power, top widened to 2^18.
        XCTAssertEqual(AxisTicks.log2(min: 1, max: 65536, maxCount: 8).values, [1, 8, 64, 512, 4096, 32768, 262144])
        // A single power of two is widened by one doubling each way.
        XCTAssertEqual(AxisTicks.log2(min: 64, max: 64).values, [32, 64, 128])
    }

    func testLog2FractionPlacesDoublingsEvenly() {
        let ticks = AxisTicks.log2(min: 32, max: 128)
        XCTAssertEqual(ticks.fraction(of: 32), 0)
        XCTAssertEqual(ticks.fraction(of: 64), 0.5)
        XCTAssertEqual(ticks.fraction(of: 128), 1)
        XCTAssertNil(ticks.fraction(of: 0))
        XCTAssertNil(ticks.fraction(of: -4))
        XCTAssertNil(AxisTicks.linear(min: 0, max: 1).fraction(of: .nan))
    }

    func testNumberFormatting() {
        XCTAssertEqual(ReportNumber.significant(123.456), "123.5")
        XCTAssertEqual(ReportNumber.significant(0.000123456), "0.0001235")
        XCTAssertEqual(ReportNumber.significant(-0.0), "0")
        XCTAssertEqual(ReportNumber.significant(99999), "100000")
        XCTAssertEqual(ReportNumber.significant(2.5), "2.5")
        XCTAssertEqual(ReportNumber.significant(.infinity), "—")
        XCTAssertEqual(ReportNumber.tick(0.3), "0.3")
        XCTAssertEqual(ReportNumber.tick(64), "64")
        XCTAssertEqual(ReportNumber.duration(0.0123), "0.0123 s")
        XCTAssertEqual(ReportNumber.duration(12.34), "12.3 s")
        XCTAssertEqual(ReportNumber.duration(245), "4 min 05 s")
        XCTAssertEqual(ReportNumber.duration(7620), "2 h 07 min")
        XCTAssertEqual(ReportNumber.duration(-1), "—")
    }
}
