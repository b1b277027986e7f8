import XCTest
import S1Engine

/// Finite-difference checks of every op's backward on small shapes: L = Σ r ⊙ op(inputs) for fixed random r,
/// the analytic gradient (backward with dout = r) against central differences of L.
final class KernelGradientTests: XCTestCase {
    func randomValues(_ count: Int, key: UInt64, scale: Float = 1) -> [Float] {
        var rng = CounterRNG(key: key)
        return (0..<count).map { _ in Float(rng.nextUnit() * 2 - 1) * scale }
    }

    func weightedSum(_ out: [Float], _ r: [Float]) -> Double {
        zip(out, r).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }

    /// Compares `analytic` with central differences of `loss` around `values`, for every element.
    func assertGradient(_ name: String, values: [Float], analytic: [Float], step: Float = 1e-2,
                        tolerance: Double = 2e-2, loss: ([Float]) -> Double, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(values.count, analytic.count, name, file: file, line: line)
        var numeric = [Float](repeating: 0, count: values.count)
        for i in 0..<values.count {
            var plus = values, minus = values
            plus[i] += step
            minus[i] -= step
            numeric[i] = Float((loss(plus) - loss(minus)) / Double(2 * step))
        }
        let error = EngineFixtures.relativeError(analytic, numeric)
        XCTAssertLessThan(error, tolerance, "\(name): relative error \(error)", file: file, line: line)
        XCTAssertGreaterThan(numeric.map(abs).max() ?? 0, 1e-3, "\(name): degenerate check", file: file, line: line)
    }

    func testLinearBackward() {
        let N = 3, K = 5, M = 4
        let x = randomValues(N * K, key: 1), w = randomValues(M * K, key: 2), b = randomValues(M, key: 3)
        let r = randomValues(N * M, key: 4)
        func run(_ x: [Float], _ w: [Float], _ b: [Float]) -> [Float] {
            var out = [Float](repeating: 0, count: N * M)
            Linear.forward(out: &out, inp: x, panels: Linear.packed(weight: w, inFeatures: K, outFeatures: M, for: .forward),
                           bias: b, rows: N, inFeatures: K, outFeatures: M)
            return out
        }
        var dx = [Float](repeating: 0, count: N * K), dw = [Float](repeating: 0, count: M * K), db = [Float](repeating: 0, count: M)
        Linear.backward(dinp: &dx, accumulate: false, dweight: &dw, dbias: &db, dout: r, inp: x,
                        panels: Linear.packed(weight: w, inFeatures: K, outFeatures: M, for: .inputGradient),
                        rows: N, inFeatures: K, outFeatures: M)
        assertGradient("dinp", values: x, analytic: dx) { weightedSum(run($0, w, b), r) }
        assertGradient("dweight", values: w, analytic: dw) { weightedSum(run(x, $0, b), r) }
        assertGradient("dbias", values: b, analytic: db) { weightedSum(run(x, w, $0), r) }
        // Row invariance: the one-row path equals the batched path here, and each row equals itself alone.
        var rowwise = [Float](repeating: 0, count: N * M)
        Linear.forwardRowInvariant(out: &rowwise, inp: x, weight: w, bias: b, rows: N, inFeatures: K, outFeatures: M)
        var alone = [Float](repeating: 0, count: M)
        Linear.forwardRowInvariant(out: &alone, inp: Array(x[K..<(2 * K)]), weight: w, bias: b, rows: 1, inFeatures: K, outFeatures: M)
        XCTAssertEqual(Array(rowwise[M..<(2 * M)]), alone)
    }

    func testRMSNormBackward() {
        let N = 3, C = 20
        let x = randomValues(N * C, key: 5, scale: 2), w = randomValues(C, key: 6), r = randomValues(N * C, key: 7)
        func run(_ x: [Float], _ w: [Float]) -> [Float] {
            var out = [Float](repeating: 0, count: N * C)
            RMSNorm.forward(out: &out, rstd: nil, inp: x, weight: w, rows: N, channels: C, eps: 1e-6)
            return out
        }
        var rstd = [Float](repeating: 0, count: N), out = [Float](repeating: 0, count: N * C)
        RMSNorm.forward(out: &out, rstd: &rstd, inp: x, weight: w, rows: N, channels: C, eps: 1e-6)
        var dx = [Float](repeating: 0, count: N * C), dw = [Float](repeating: 0, count: C)
        RMSNorm.backward(dinp: &dx, dweight: &dw, dout: r, inp: x, weight: w, rstd: rstd, rows: N, channels: C)
        assertGradient("dinp", values: x, analytic: dx, step: 1e-3) { weightedSum(run($0, w), r) }
        assertGradient("dweight", values: w, analytic: dw, step: 1e-3) { weightedSum(run(x, $0), r) }
        // Forward against a hand computation: row 0 = x / sqrt(mean x² + eps) · w.
        let meanSquare = x[0..<C].reduce(0) { $0 + Double($1) * Double($1) } / Double(C)
        XCTAssertEqual(Double(out[3]), Double(x[3]) / (meanSquare + 1e-6).squareRoot() * Double(w[3]), accuracy: 1e-5)
    }

    func testRotaryBackwardAndHFConvention() {
        let heads = 3, d = 8
        let rope = RotaryEmbedding(headDim: d, theta: 10_000)
        var cos = [Float](repeating: 0, count: d / 2), sin = [Float](repeating: 0, count: d / 2)
        rope.angles(position: 5, cos: &cos, sin: &sin)
        let x = randomValues(heads * d, key: 8), r = randomValues(heads * d, key: 9)
        func run(_ x: [Float]) -> [Float] {
            var y = x
            RotaryEmbedding.apply(&y, heads: heads, headDim: d, cos: cos, sin: sin)
            return y
        }
        var dx = r
        RotaryEmbedding.applyBackward(&dx, heads: heads, headDim: d, cos: cos, sin: sin)
        assertGradient("drope", values: x, analytic: dx) { weightedSum(run($0), r) }
        // rotate_half: y[i] = x[i]cos − x[i+d/2]sin with θ_i = 10000^(−2i/d); i = 1 at position 5.
        let angle = 5 * Foundation.pow(10_000.0, -2.0 / 8.0)
        let y = run(x)
        XCTAssertEqual(Double(y[1]), Double(x[1]) * Foundation.cos(angle) - Double(x[5]) * Foundation.sin(angle), accuracy: 1e-5)
    }

    func testSwiGLUBackward() {
        let n = 17
        let g = randomValues(n, key: 10, scale: 3), u = randomValues(n, key: 11), r = randomValues(n, key: 12)
        func run(_ g: [Float], _ u: [Float]) -> [Float] {
            var out = [Float](repeating: 0, count: n)
            SwiGLU.forward(out: &out, gate: g, up: u, count: n)
            return out
        }
        var dg = [Float](repeating: 0, count: n), du = [Float](repeating: 0, count: n)
        SwiGLU.backward(dgate: &dg, dup: &du, dout: r, gate: g, up: u, count: n)
        assertGradient("dgate", values: g, analytic: dg, step: 1e-3) { weightedSum(run($0, u), r) }
        assertGradient("dup", values: u, analytic: du, step: 1e-3) { weightedSum(run(g, $0), r) }
    }

    func testEmbeddingBackwardAccumulatesRepeatedTokens() {
        let V = 5, C = 3
        let tokens: [Int32] = [2, 0, 2, 4]
        let table = randomValues(V * C, key: 13), r = randomValues(tokens.count * C, key: 14)
        func run(_ t: [Float]) -> [Float] {
            var out = [Float](repeating: 0, count: tokens.count * C)
            Embedding.forward(out: &out, tokens: tokens, table: t, rows: tokens.count, channels: C)
            return out
        }
        var dt = [Float](repeating: 0, count: V * C)
        Embedding.backward(dtable: &dt, dout: r, tokens: tokens, rows: tokens.count, channels: C)
        assertGradient("dtable", values: table, analytic: dt) { weightedSum(run($0), r) }
    }

    func testCausalAttentionBackward() {
        let B = 2, T = 4, Hq = 4, Hk = 2, d = 4
        let q = randomValues(B * T * Hq * d, key: 15), k = randomValues(B * T * Hk * d, key: 16)
        let v = randomValues(B * T * Hk * d, key: 17), r = randomValues(B * T * Hq * d, key: 18)
        func run(_ q: [Float], _ k: [Float], _ v: [Float]) -> ([Float], [Float]) {
            var out = [Float](repeating: 0, count: B * T * Hq * d), lse = [Float](repeating: 0, count: B * T * Hq)
            CausalAttention.forward(out: &out, lse: &lse, q: q, k: k, v: v, batch: B, length: T, heads: Hq, kvHeads: Hk, headDim: d)
            return (out, lse)
        }
        let (out, lse) = run(q, k, v)
        var dq = [Float](repeating: 0, count: q.count), dk = [Float](repeating: 0, count: k.count), dv = [Float](repeating: 0, count: v.count)
        CausalAttention.backward(dq: &dq, dk: &dk, dv: &dv, dout: r, q: q, k: k, v: v, out: out, lse: lse,
                                 batch: B, length: T, heads: Hq, kvHeads: Hk, headDim: d)
        assertGradient("dq", values: q, analytic: dq, step: 1e-3) { weightedSum(run($0, k, v).0, r) }
        assertGradient("dk", values: k, analytic: dk, step: 1e-3) { weightedSum(run(q, $0, v).0, r) }
        assertGradient("dv", values: v, analytic: dv, step: 1e-3) { weightedSum(run(q, k, $0).0, r) }
        // Causality: the first position attends only to itself, so its output is v at position 0.
        for h in 0..<Hq {
            let g = h / (Hq / Hk)
            XCTAssertEqual(Array(out[(h * d)..<(h * d + d)]), Array(v[(g * d)..<(g * d + d)]))
        }
    }

    /// The blocked training kernel agrees with the row kernel (checked above by finite differences), across a
    /// block boundary (T > blockRows) and partial 4-row and 16-key tiles, for both passes, with the probabilities
    /// saved by the forward and recomputed by the backward. Head sizes 8 and 24 read copies padded to whole
    /// vectors, 32 reads q, k, v in place; the 32 case also takes them from fused [q | k | v] rows and writes the
    /// gradients into fused rows, as the model does.
    func testBlockedAttentionMatchesRowKernel() {
        let B = 2, T = BlockedCausalAttention.blockRows + 6, Hq = 4, Hk = 2
        for (d, fused) in [(8, false), (24, false), (32, false), (32, true)] {
            let qDim = Hq * d, kvDim = Hk * d, qkvDim = qDim + 2 * kvDim
            let q = randomValues(B * T * qDim, key: 21), k = randomValues(B * T * kvDim, key: 22)
            let v = randomValues(B * T * kvDim, key: 23), r = randomValues(B * T * qDim, key: 24)
            var out1 = [Float](repeating: 0, count: q.count), lse1 = [Float](repeating: 0, count: B * T * Hq)
            CausalAttention.forward(out: &out1, lse: &lse1, q: q, k: k, v: v, batch: B, length: T, heads: Hq, kvHeads: Hk, headDim: d)
            var dq1 = [Float](repeating: 0, count: q.count), dk1 = [Float](repeating: 0, count: k.count), dv1 = dk1
            CausalAttention.backward(dq: &dq1, dk: &dk1, dv: &dv1, dout: r, q: q, k: k, v: v, out: out1, lse: lse1,
                                     batch: B, length: T, heads: Hq, kvHeads: Hk, headDim: d)
            // Fused rows (N, qkvDim) = [q | k | v]; gradients come back in the same layout.
            var qkv: [Float] = []
            for n in 0..<(B * T) {
                qkv += q[(n * qDim)..<((n + 1) * qDim)]
                qkv += k[(n * kvDim)..<((n + 1) * kvDim)]
                qkv += v[(n * kvDim)..<((n + 1) * kvDim)]
            }
            let savedCount = BlockedCausalAttention.savedProbabilityCount(batch: B, length: T, heads: Hq)
            for saving in [false, true] {
                let label = "d \(d), fused \(fused), saving \(saving)"
                var saved = [Float](repeating: 0, count: savedCount)
                var out2 = [Float](repeating: 0, count: q.count), lse2 = [Float](repeating: 0, count: B * T * Hq)
                var dq2: [Float], dk2: [Float], dv2: [Float]
                (dq2, dk2, dv2) = saved.withUnsafeMutableBufferPointer { store in
                    let store = saving ? store.baseAddress : nil
                    if !fused {
                        BlockedCausalAttention.forward(out: &out2, lse: &lse2, q: q, k: k, v: v, batch: B, length: T,
                                                       heads: Hq, kvHeads: Hk, headDim: d, saved: store)
                        var dq = [Float](repeating: .nan, count: q.count), dk = [Float](repeating: .nan, count: k.count), dv = dk
                        BlockedCausalAttention.backward(dq: &dq, dk: &dk, dv: &dv, dout: r, q: q, k: k, v: v, out: out2,
                                                        lse: lse2, batch: B, length: T, heads: Hq, kvHeads: Hk, headDim: d,
                                                        saved: store)
                        return (dq, dk, dv)
                    }
                    var gradients = [Float](repeating: .nan, count: qkv.count)
                    qkv.withUnsafeBufferPointer { rows in
                        let q = rows.baseAddress!, k = q + qDim, v = k + kvDim
                        BlockedCausalAttention.forward(out: &out2, lse: &lse2, q: q, k: k, v: v, batch: B, length: T,
                                                       heads: Hq, kvHeads: Hk, headDim: d, inputRowStride: qkvDim, saved: store)
                        gradients.withUnsafeMutableBufferPointer { g in
                            let dq = g.baseAddress!
                            BlockedCausalAttention.backward(dq: dq, dk: dq + qDim, dv: dq + qDim + kvDim, dout: r, q: q, k: k,
                                                            v: v, out: out2, lse: lse2, batch: B, length: T, heads: Hq,
                                                            kvHeads: Hk, headDim: d, inputRowStride: qkvDim,
                                                            gradientRowStride: qkvDim, saved: store)
                        }
                    }
                    var dq: [Float] = [], dk: [Float] = [], dv: [Float] = []
                    for n in 0..<(B * T) {
                        let row = n * qkvDim
                        dq += gradients[row..<(row + qDim)]
                        dk += gradients[(row + qDim)..<(row + qDim + kvDim)]
                        dv += gradients[(row + qDim + kvDim)..<(row + qkvDim)]
                    }
                    return (dq, dk, dv)
                }
                XCTAssertLessThan(EngineFixtures.maxAbsDifference(out1, out2), 1e-5, label)
                XCTAssertLessThan(EngineFixtures.maxAbsDifference(lse1, lse2), 1e-5, label)
                XCTAssertLessThan(EngineFixtures.relativeError(dq2, dq1), 1e-5, label)
                XCTAssertLessThan(EngineFixtures.relativeError(dk2, dk1), 1e-5, label)
                XCTAssertLessThan(EngineFixtures.relativeError(dv2, dv1), 1e-5, label)
                // The store holds every (sequence, head)'s causal probabilities: each row sums to 1.
                if saving { XCTAssertEqual(saved.reduce(0.0) { $0 + Double($1) }, Double(B * Hq * T), accuracy: 1e-3, label) }
            }
        }
    }

    func testCrossEntropyGradientAndIgnoredRows() {
        let N = 3, V = 7
        let logits = randomValues(N * V, key: 19, scale: 3)
        let targets: [Int32] = [4, -1, 0]
        var dlogits = logits
        let total = CrossEntropy.forwardBackward(logits: &dlogits, targets: targets, rows: N, vocabulary: V, gradScale: 1)
        XCTAssertEqual(total, CrossEntropy.loss(logits: logits, targets: targets, rows: N, vocabulary: V), accuracy: 1e-5)
        XCTAssertEqual(Array(dlogits[V..<(2 * V)]), [Float](repeating: 0, count: V))
        assertGradient("dlogits", values: logits, analytic: dlogits, step: 1e-3) {
            CrossEntropy.loss(logits: $0, targets: targets, rows: N, vocabulary: V)
        }
        // Hand value for row 0: logsumexp − logit[target].
        let row = logits[0..<V].map(Double.init)
        let expected = Foundation.log(row.map { Foundation.exp($0) }.reduce(0, +)) - row[4]
        XCTAssertEqual(CrossEntropy.loss(logits: logits, targets: [4], rows: 1, vocabulary: V), expected, accuracy: 1e-5)
    }
}
