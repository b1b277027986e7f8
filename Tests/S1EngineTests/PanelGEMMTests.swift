import XCTest
import S1Engine

/// `PanelGEMM` and the panel packing behind `Linear`: exact bits against a scalar fused multiply-add chain, for
/// every tile shape the kernel has (full 6 × 16 tiles, missing rows, missing columns, both), strided rows and every
/// chain start (zero, the output, a residual, a bias row); packing against direct indexing.
final class PanelGEMMTests: XCTestCase {
    func randomValues(_ count: Int, key: UInt64) -> [Float] {
        var rng = CounterRNG(key: key)
        return (0..<count).map { _ in Float(rng.nextUnit() * 2 - 1) }
    }

    /// B (K, N) from `values` as (k, j) → values[k·N + j], packed through the generic strides.
    func panels(_ b: [Float], depth K: Int, columns N: Int) -> [Float] {
        var panels = [Float](repeating: .nan, count: PanelGEMM.panelFloats(depth: K, columns: N))
        panels.withUnsafeMutableBufferPointer {
            PanelGEMM.pack($0.baseAddress!, source: b, kStride: N, jStride: 1, depth: K, columns: N)
        }
        return panels
    }

    func testEveryElementIsOneFusedChainInKOrder() {
        for (rows, K, N) in [(1, 1, 1), (6, 7, 16), (5, 33, 17), (7, 8, 5), (13, 3, 40), (50, 19, 33), (12, 64, 32)] {
            let inputStride = K + 3, outputStride = N + 2, addendStride = N + 5
            let a = randomValues(rows * inputStride, key: UInt64(rows * 1000 + K))
            let b = randomValues(K * N, key: UInt64(N * 1000 + K))
            let initial = randomValues(rows * outputStride, key: 7)
            let addend = randomValues(rows * addendStride, key: 8), bias = randomValues(N, key: 9)
            let packed = panels(b, depth: K, columns: N)
            addend.withUnsafeBufferPointer { addendRows in
                bias.withUnsafeBufferPointer { biasRow in
                    // Each start, with the value element (i, j)'s chain must begin from.
                    let starts: [(String, PanelGEMM.ChainStart, (Int, Int) -> Float)] = [
                        ("zero", .zero, { _, _ in 0 }),
                        ("output", .output, { i, j in initial[i * outputStride + j] }),
                        ("residual", .addend(addendRows.baseAddress!, rowStride: addendStride), { i, j in addend[i * addendStride + j] }),
                        ("bias", .addend(biasRow.baseAddress!, rowStride: 0), { _, j in bias[j] }),
                    ]
                    for (name, start, firstValue) in starts {
                        var c = initial
                        c.withUnsafeMutableBufferPointer { out in
                            packed.withUnsafeBufferPointer { p in
                                PanelGEMM.multiply(out: out.baseAddress!, outputStride: outputStride, inp: a,
                                                   inputStride: inputStride, panels: p.baseAddress!, depth: K, columns: N,
                                                   rows: 0..<rows, start: start)
                            }
                        }
                        for i in 0..<rows {
                            for j in 0..<outputStride {
                                let got = c[i * outputStride + j]
                                guard j < N else {
                                    XCTAssertEqual(got.bitPattern, initial[i * outputStride + j].bitPattern, "padding column written")
                                    continue
                                }
                                var chain = firstValue(i, j)
                                for k in 0..<K { chain = chain.addingProduct(a[i * inputStride + k], b[k * N + j]) }
                                XCTAssertEqual(got.bitPattern, chain.bitPattern,
                                               "(\(rows), \(K), \(N)) start \(name): element (\(i), \(j)) \(got) vs \(chain)")
                            }
                        }
                    }
                }
            }
        }
    }

    func testOnlyTheGivenRowsAreWrittenAndTheirBitsDoNotDependOnTheRange() {
        let rows = 20, K = 24, N = 21
        let a = randomValues(rows * K, key: 11), b = randomValues(K * N, key: 12)
        let packed = panels(b, depth: K, columns: N)
        func product(_ range: Range<Int>) -> [Float] {
            var c = [Float](repeating: -7, count: rows * N)
            c.withUnsafeMutableBufferPointer { out in
                packed.withUnsafeBufferPointer { p in
                    PanelGEMM.multiply(out: out.baseAddress!, outputStride: N, inp: a, inputStride: K,
                                       panels: p.baseAddress!, depth: K, columns: N, rows: range, start: .zero)
                }
            }
            return c
        }
        let whole = product(0..<rows)
        for range in [3..<4, 5..<11, 7..<20, 0..<13] {
            let part = product(range)
            for i in 0..<rows {
                let row = Array(part[(i * N)..<((i + 1) * N)])
                if range.contains(i) {
                    XCTAssertEqual(row.map(\.bitPattern), whole[(i * N)..<((i + 1) * N)].map(\.bitPattern), "row \(i) in \(range)")
                } else {
                    XCTAssertEqual(row, [Float](repeating: -7, count: N), "row \(i) outside \(range) was written")
                }
            }
        }
    }

    func testLinearPanelsHoldTheWeightInBothDirections() {
        let K = 19, M = 37  // weight (M, K): out 37, in 19
        let w = randomValues(M * K, key: 13)
        let forward = Linear.packed(weight: w, inFeatures: K, outFeatures: M, for: .forward)
        let inputGradient = Linear.packed(weight: w, inFeatures: K, outFeatures: M, for: .inputGradient)
        XCTAssertEqual(forward.count, 3 * K * 16)
        XCTAssertEqual(inputGradient.count, 2 * M * 16)
        // forward: B = Wᵀ (K, M); panel p, row k, lane l = W[16p + l, k], zero past M.
        for p in 0..<3 {
            for k in 0..<K {
                for l in 0..<16 {
                    let m = 16 * p + l
                    XCTAssertEqual(forward[(p * K + k) * 16 + l], m < M ? w[m * K + k] : 0, "forward (\(p), \(k), \(l))")
                }
            }
        }
        // input gradient: B = W (M, K); panel p, row m, lane l = W[m, 16p + l], zero past K.
        for p in 0..<2 {
            for m in 0..<M {
                for l in 0..<16 {
                    let k = 16 * p + l
                    XCTAssertEqual(inputGradient[(p * M + m) * 16 + l], k < K ? w[m * K + k] : 0, "dx (\(p), \(m), \(l))")
                }
            }
        }
    }

    func testLinearForwardAndInputGradientAgainstDoubleSums() {
        let N = 9, K = 40, M = 23
        let x = randomValues(N * K, key: 14), w = randomValues(M * K, key: 15), bias = randomValues(M, key: 16)
        let dy = randomValues(N * M, key: 17), residual = randomValues(N * M, key: 18)
        var y = [Float](repeating: 0, count: N * M), dx = [Float](repeating: 0, count: N * K)
        var yPlus = [Float](repeating: 0, count: N * M)
        let forwardPanels = Linear.packed(weight: w, inFeatures: K, outFeatures: M, for: .forward)
        Linear.forward(out: &y, inp: x, panels: forwardPanels, bias: bias, rows: N, inFeatures: K, outFeatures: M)
        Linear.forward(out: &yPlus, inp: x, panels: forwardPanels, bias: bias, residual: residual, rows: N,
                       inFeatures: K, outFeatures: M)
        let panels = Linear.packed(weight: w, inFeatures: K, outFeatures: M, for: .inputGradient)
        dx.withUnsafeMutableBufferPointer { out in
            panels.withUnsafeBufferPointer { p in
                Linear.inputGradient(dinp: out.baseAddress!, accumulate: false, dout: dy, panels: p.baseAddress!,
                                     rows: 0..<N, inFeatures: K, outFeatures: M)
            }
        }
        for n in 0..<N {
            for m in 0..<M {
                let expected = (0..<K).reduce(Double(bias[m])) { $0 + Double(x[n * K + $1]) * Double(w[m * K + $1]) }
                XCTAssertEqual(Double(y[n * M + m]), expected, accuracy: 1e-5, "y (\(n), \(m))")
                XCTAssertEqual(Double(yPlus[n * M + m]), expected + Double(residual[n * M + m]), accuracy: 1e-5,
                               "y + residual (\(n), \(m))")
            }
            for k in 0..<K {
                let expected = (0..<M).reduce(0.0) { $0 + Double(dy[n * M + $1]) * Double(w[$1 * K + k]) }
                XCTAssertEqual(Double(dx[n * K + k]), expected, accuracy: 1e-5, "dx (\(n), \(k))")
            }
        }
    }
}

/// `Linear.weightGradient` through `PanelGEMM`: every dweight element is the scalar fused multiply-add chain from
/// its old value over the rows in order, and every dbias element the row-order sum, whatever the depth blocks,
/// the row and column remainders and the thread count.
final class WeightGradientTests: XCTestCase {
    func testWeightGradientIsOneChainOverTheRowsInOrder() {
        // Rows across several 256-row depth blocks (and a partial one); features and inputs with tile remainders.
        for (N, K, M) in [(1, 1, 1), (7, 16, 6), (255, 17, 13), (257, 21, 37), (600, 40, 7)] {
            var rng = CounterRNG(key: UInt64(N * 7919 + K * 31 + M))
            func values(_ n: Int) -> [Float] { (0..<n).map { _ in Float(rng.nextUnit() * 2 - 1) } }
            let dout = values(N * M), inp = values(N * K), initialWeight = values(M * K), initialBias = values(M)
            var expectedWeight = initialWeight, expectedBias = initialBias
            for m in 0..<M {
                for k in 0..<K {
                    var chain = initialWeight[m * K + k]
                    for n in 0..<N { chain = chain.addingProduct(dout[n * M + m], inp[n * K + k]) }
                    expectedWeight[m * K + k] = chain
                }
                var sum = initialBias[m]
                for n in 0..<N { sum += dout[n * M + m] }
                expectedBias[m] = sum
            }
            for threads in [1, 2, 3] {
                EngineEnvironment.configure(threads: threads)
                var dweight = initialWeight, dbias = initialBias
                Linear.weightGradient(dweight: &dweight, dbias: &dbias, dout: dout, inp: inp, rows: N, inFeatures: K, outFeatures: M)
                XCTAssertEqual(dweight.map(\.bitPattern), expectedWeight.map(\.bitPattern), "(\(N), \(K), \(M)) at \(threads) threads")
                XCTAssertEqual(dbias.map(\.bitPattern), expectedBias.map(\.bitPattern), "bias (\(N), \(K), \(M)) at \(threads) threads")
            }
            EngineEnvironment.configure(threads: 1)
        }
    }

    /// The same product in Double: the chains are a sum, not merely a reproducible number.
    func testWeightGradientAgreesWithDoubleSums() {
        let N = 300, K = 24, M = 20
        var rng = CounterRNG(key: 77)
        let dout = (0..<(N * M)).map { _ in Float(rng.nextUnit() * 2 - 1) }
        let inp = (0..<(N * K)).map { _ in Float(rng.nextUnit() * 2 - 1) }
        var dweight = [Float](repeating: 0, count: M * K)
        Linear.weightGradient(dweight: &dweight, dbias: nil, dout: dout, inp: inp, rows: N, inFeatures: K, outFeatures: M)
        for m in 0..<M {
            for k in 0..<K {
                var exact = 0.0
                for n in 0..<N { exact += Double(dout[n * M + m]) * Double(inp[n * K + k]) }
                XCTAssertEqual(Double(dweight[m * K + k]), exact, accuracy: 1e-4, "(\(m), \(k))")
            }
        }
    }
}
