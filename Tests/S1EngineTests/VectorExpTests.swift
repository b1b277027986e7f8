import Foundation
import XCTest
import S1Engine

final class VectorExpTests: XCTestCase {
    func testExp16IsWithinTwoAndAHalfUlpOfTheTrueValue() {
        var worst = 0.0
        var x: Float = -87
        while x < 88 {
            var lanes = SIMD16<Float>()
            for j in 0..<16 { lanes[j] = x + Float(j) * 0.0007 }
            let e = exp16(lanes)
            for j in 0..<16 {
                let truth = Foundation.exp(Double(lanes[j]))
                let ulp = Double(Float(truth).ulp)
                worst = max(worst, abs(Double(e[j]) - truth) / ulp)
            }
            x += 0.0173
        }
        XCTAssertLessThan(worst, 2.5, "worst error \(worst) ulp")
        XCTAssertEqual(exp16(SIMD16(repeating: 0))[3], 1)
    }

    func testShiftedExpSumsAndHandlesTails() {
        var values: [Float] = (0..<37).map { Float($0) * 0.1 - 2 }
        let original = values
        let total = expShiftedInPlace(&values, values.count, shift: 0.5)
        for (e, x) in zip(values, original) { XCTAssertEqual(Double(e), Foundation.exp(Double(x) - 0.5), accuracy: 1e-6 * Foundation.exp(Double(x))) }
        XCTAssertEqual(Double(total), original.reduce(0.0) { $0 + Foundation.exp(Double($1) - 0.5) }, accuracy: 1e-5)
    }
}
