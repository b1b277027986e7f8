import XCTest
import S1Engine

/// The decoder's panel-layout projection: the right values, and a row's bits independent of its batch.
final class PackedLinearTests: XCTestCase {
    private func values(_ count: Int, key: UInt64) -> [Float] {
        var rng = CounterRNG(key: key)
        return (0..<count).map { _ in Float(rng.nextUnit() * 2 - 1) }
    }

    /// 37 outputs (two whole tiles and a partial one), 7 rows (a group of 4 and 3 single rows): every output is
    /// x·wᵀ + b as computed in Double, within fp32 rounding of a 40-term sum.
    func testOutputsMatchADoublePrecisionReference() {
        let N = 7, K = 40, M = 37
        let x = values(N * K, key: 1), w = values(M * K, key: 2), b = values(M, key: 3)
        let packed = PackedLinear(weight: w, bias: b, inFeatures: K, outFeatures: M)
        var out = [Float](repeating: .nan, count: N * M)
        packed.forward(out: &out, inp: x, rows: N)
        for n in 0..<N {
            for m in 0..<M {
                var expected = Double(b[m])
                for k in 0..<K { expected += Double(x[n * K + k]) * Double(w[m * K + k]) }
                XCTAssertEqual(Double(out[n * M + m]), expected, accuracy: 1e-5, "row \(n) output \(m)")
            }
        }
        // Without a bias the outputs are the plain products.
        let unbiased = PackedLinear(weight: w, bias: nil, inFeatures: K, outFeatures: M)
        var plain = [Float](repeating: .nan, count: M)
        unbiased.forward(out: &plain, inp: x, rows: 1)
        XCTAssertEqual(Double(plain[5]), Double(out[5]) - Double(b[5]), accuracy: 1e-5)
    }

    /// Each row computed alone equals the same row inside batches of 7 and of 9 (where it falls in a group of four
    /// or in the remainder), bit for bit.
    func testARowsBitsDoNotDependOnItsBatch() {
        let K = 33, M = 20
        let w = values(M * K, key: 4), b = values(M, key: 5)
        let packed = PackedLinear(weight: w, bias: b, inFeatures: K, outFeatures: M)
        for N in [7, 9] {
            let x = values(N * K, key: UInt64(10 + N))
            var batched = [Float](repeating: 0, count: N * M)
            packed.forward(out: &batched, inp: x, rows: N)
            for n in 0..<N {
                var alone = [Float](repeating: 0, count: M)
                packed.forward(out: &alone, inp: Array(x[(n * K)..<((n + 1) * K)]), rows: 1)
                XCTAssertEqual(alone.map(\.bitPattern), batched[(n * M)..<((n + 1) * M)].map(\.bitPattern), "batch \(N) row \(n)")
            }
        }
    }
}
