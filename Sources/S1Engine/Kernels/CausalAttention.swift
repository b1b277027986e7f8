import Dispatch
import Foundation

/// Grouped-query causal self-attention: query head h reads key/value head h / (Hq/Hk).
///
/// Every query row is computed by `attendRow`, the same function a KV-cache decoder calls for one new token,
/// so the full-sequence forward and incremental decoding give bitwise the same attention output. Rows are
/// parallelised over (sequence, key/value head) groups: each task writes disjoint outputs and reduces in a
/// fixed order, so the result does not depend on thread timing.
public enum CausalAttention {
    /// One query row against `count` cached key/value rows (positions 0..<count).
    /// query (d); keys, values: row s at `keys + s·rowStride` (d); out (d); scores: scratch (count).
    /// Returns the log-sum-exp of the scaled scores (kept for the backward pass).
    @inline(__always)
    public static func attendRow(out: UnsafeMutablePointer<Float>, query: UnsafePointer<Float>,
                                 keys: UnsafePointer<Float>, values: UnsafePointer<Float>, rowStride: Int,
                                 count: Int, headDim d: Int, scale: Float,
                                 scores: UnsafeMutablePointer<Float>) -> Float {
        for s in 0..<count { scores[s] = dotProduct(query, keys + s * rowStride, d) * scale }
        let m = maximum(scores, count)
        let total = expShiftedInPlace(scores, count, shift: m)
        let inverse = 1 / total
        // out = Σ_s p_s·v_s, added in s order per element; 16 dimensions stay in a register across all s.
        var i = 0
        while i + 16 <= d {
            var accumulator = SIMD16<Float>()
            for s in 0..<count { accumulator += load16(values + s * rowStride + i) * (scores[s] * inverse) }
            store16(out + i, accumulator)
            i += 16
        }
        if i < d {
            (out + i).update(repeating: 0, count: d - i)
            for s in 0..<count { addScaled(out + i, values + s * rowStride + i, scores[s] * inverse, d - i) }
        }
        return m + Foundation.log(total)
    }

    /// out (B, T, Hq, d) from q (B, T, Hq, d) (rotated), k, v (B, T, Hk, d) (k rotated); lse (B, T, Hq).
    /// `inputRowStride`, when given, is the distance between consecutive tokens' rows in q, k and v (they may live
    /// inside one fused projection); otherwise each is packed.
    public static func forward(out: UnsafeMutablePointer<Float>, lse: UnsafeMutablePointer<Float>,
                               q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
                               batch B: Int, length T: Int, heads Hq: Int, kvHeads Hk: Int, headDim d: Int,
                               inputRowStride: Int? = nil) {
        let group = Hq / Hk, scale = 1 / Float(d).squareRoot()
        let outStride = Hq * d, qStride = inputRowStride ?? outStride, kvStride = inputRowStride ?? Hk * d
        DispatchQueue.concurrentPerform(iterations: B * Hk) { task in
            let b = task / Hk, g = task % Hk
            let scores = UnsafeMutablePointer<Float>.allocate(capacity: T)
            defer { scores.deallocate() }
            let keys = k + b * T * kvStride + g * d, values = v + b * T * kvStride + g * d
            for h in (g * group)..<((g + 1) * group) {
                for t in 0..<T {
                    let row = (b * T + t)
                    lse[row * Hq + h] = attendRow(out: out + row * outStride + h * d, query: q + row * qStride + h * d,
                                                  keys: keys, values: values, rowStride: kvStride, count: t + 1,
                                                  headDim: d, scale: scale, scores: scores)
                }
            }
        }
    }

    /// Backward of `forward`; dq (B, T, Hq, d), dk, dv (B, T, Hk, d) are overwritten.
    /// The probabilities are recomputed from q, k and the saved lse instead of stored (memory O(T), not O(T²)).
    public static func backward(dq: UnsafeMutablePointer<Float>, dk: UnsafeMutablePointer<Float>,
                                dv: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
                                q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
                                out: UnsafePointer<Float>, lse: UnsafePointer<Float>,
                                batch B: Int, length T: Int, heads Hq: Int, kvHeads Hk: Int, headDim d: Int) {
        let group = Hq / Hk, scale = 1 / Float(d).squareRoot()
        let qStride = Hq * d, kvStride = Hk * d
        dq.update(repeating: 0, count: B * T * qStride)
        dk.update(repeating: 0, count: B * T * kvStride)
        dv.update(repeating: 0, count: B * T * kvStride)
        DispatchQueue.concurrentPerform(iterations: B * Hk) { task in
            let b = task / Hk, g = task % Hk
            let ds = UnsafeMutablePointer<Float>.allocate(capacity: T)
            defer { ds.deallocate() }
            let base = b * T * kvStride + g * d
            let keys = k + base, values = v + base, dkeys = dk + base, dvalues = dv + base
            for h in (g * group)..<((g + 1) * group) {
                for t in 0..<T {
                    let row = b * T + t
                    let qRow = q + row * qStride + h * d, dyRow = dout + row * qStride + h * d
                    let yRow = out + row * qStride + h * d, dqRow = dq + row * qStride + h * d
                    let rowLSE = lse[row * Hq + h]
                    // D = Σ_s p_s·(dy·v_s) = dy·y
                    let dyDotY = dotProduct(dyRow, yRow, d)
                    for s in 0...t {
                        let p = Foundation.exp(dotProduct(qRow, keys + s * kvStride, d) * scale - rowLSE)
                        let dp = dotProduct(dyRow, values + s * kvStride, d)
                        ds[s] = p * (dp - dyDotY) * scale
                        addScaled(dvalues + s * kvStride, dyRow, p, d)
                    }
                    for s in 0...t {
                        addScaled(dqRow, keys + s * kvStride, ds[s], d)
                        addScaled(dkeys + s * kvStride, qRow, ds[s], d)
                    }
                }
            }
        }
    }
}
