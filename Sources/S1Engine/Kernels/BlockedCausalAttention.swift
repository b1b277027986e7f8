import COpenBLAS
import Dispatch
import Foundation

/// Causal GQA attention for training, in blocks of query rows through `cblas_sgemm`: scores, probabilities
/// and their gradients for up to `blockRows` queries at once instead of one dot product per (query, key) pair.
/// Same shapes and conventions as `CausalAttention.forward/backward`; the probabilities are recomputed in the
/// backward pass from the saved log-sum-exp (memory O(blockRows·T), not O(T²)).
///
/// Parallelism: (sequence, key/value head) groups run on `EngineEnvironment.workerCount` threads, each calling
/// single-threaded OpenBLAS (these GEMMs are too small to split well, and OpenBLAS ≥ 0.3.7 built with pthreads
/// allows concurrent single-threaded calls). Every group writes disjoint outputs in a fixed order, so the bits
/// do not depend on the worker count. Results are deterministic for a fixed (T, d) but, unlike
/// `CausalAttention.attendRow`, not bitwise equal to one-row decoding; inference paths that must match
/// KV-cache decoding use `CausalAttention`.
public enum BlockedCausalAttention {
    public static let blockRows = 64

    /// Runs `body(b, g)` for every (sequence, key/value head) group, on several threads when configured (each
    /// calling OpenBLAS, which the engine keeps at one thread per call).
    static func forEachGroup(batch B: Int, kvHeads Hk: Int, _ body: (Int, Int) -> Void) {
        let workers = min(EngineEnvironment.workerCount, B * Hk)
        if workers <= 1 {
            for task in 0..<(B * Hk) { body(task / Hk, task % Hk) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: B * Hk) { task in body(task / Hk, task % Hk) }
    }

    /// out (B, T, Hq, d), lse (B, T, Hq) from q (B, T, Hq, d), k, v (B, T, Hk, d), q and k rotated.
    public static func forward(out: UnsafeMutablePointer<Float>, lse: UnsafeMutablePointer<Float>,
                               q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
                               batch B: Int, length T: Int, heads Hq: Int, kvHeads Hk: Int, headDim d: Int) {
        let group = Hq / Hk, scale = 1 / Float(d).squareRoot()
        let qStride = Hq * d, kvStride = Hk * d
        forEachGroup(batch: B, kvHeads: Hk) { b, g in
            let probabilities = UnsafeMutablePointer<Float>.allocate(capacity: blockRows * T)
            defer { probabilities.deallocate() }
            for h in (g * group)..<((g + 1) * group) {
                let keys = k + b * T * kvStride + g * d, values = v + b * T * kvStride + g * d
                for t0 in stride(from: 0, to: T, by: blockRows) {
                    let rows = min(blockRows, T - t0), L = t0 + rows
                    let queries = q + (b * T + t0) * qStride + h * d
                    // P (rows, L) = scale · Q_block (rows, d) · K (L, d)ᵀ
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(L), Int32(d), scale,
                                queries, Int32(qStride), keys, Int32(kvStride), 0, probabilities, Int32(L))
                    for i in 0..<rows {
                        let t = t0 + i, row = probabilities + i * L
                        let m = maximum(row, t + 1)
                        let total = expShiftedInPlace(row, t + 1, shift: m)
                        let inverse = 1 / total
                        for s in 0...t { row[s] *= inverse }
                        for s in (t + 1)..<L { row[s] = 0 }
                        lse[(b * T + t) * Hq + h] = m + Foundation.log(total)
                    }
                    // Y_block (rows, d) = P (rows, L) · V (L, d)
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(d), Int32(L), 1,
                                probabilities, Int32(L), values, Int32(kvStride), 0,
                                out + (b * T + t0) * qStride + h * d, Int32(qStride))
                }
            }
        }
    }

    /// dq (B, T, Hq, d), dk, dv (B, T, Hk, d), overwritten, from dout (B, T, Hq, d) and the forward's out, lse.
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
        forEachGroup(batch: B, kvHeads: Hk) { b, g in
            let probabilities = UnsafeMutablePointer<Float>.allocate(capacity: 2 * blockRows * T)
            defer { probabilities.deallocate() }
            let dScores = probabilities + blockRows * T
            for h in (g * group)..<((g + 1) * group) {
                let base = b * T * kvStride + g * d
                let keys = k + base, values = v + base, dkeys = dk + base, dvalues = dv + base
                for t0 in stride(from: 0, to: T, by: blockRows) {
                    let rows = min(blockRows, T - t0), L = t0 + rows
                    let offset = (b * T + t0) * qStride + h * d
                    let queries = q + offset, dy = dout + offset, y = out + offset
                    // P (rows, L) = exp(scale · Q Kᵀ − lse), causal; dP (rows, L) = dY · Vᵀ
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(L), Int32(d), scale,
                                queries, Int32(qStride), keys, Int32(kvStride), 0, probabilities, Int32(L))
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(L), Int32(d), 1,
                                dy, Int32(qStride), values, Int32(kvStride), 0, dScores, Int32(L))
                    for i in 0..<rows {
                        let t = t0 + i, p = probabilities + i * L, ds = dScores + i * L
                        let rowLSE = lse[(b * T + t) * Hq + h]
                        // D = Σ_s p_s·dp_s = dy·y
                        let dyDotY = dotProduct(dy + i * qStride, y + i * qStride, d)
                        expShiftedInPlace(p, t + 1, shift: rowLSE)
                        for s in 0...t { ds[s] = p[s] * (ds[s] - dyDotY) * scale }
                        for s in (t + 1)..<L {
                            p[s] = 0
                            ds[s] = 0
                        }
                    }
                    // dQ_block (rows, d) = dS · K;  dK (L, d) += dSᵀ · Q_block;  dV (L, d) += Pᵀ · dY
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(d), Int32(L), 1,
                                dScores, Int32(L), keys, Int32(kvStride), 0, dq + offset, Int32(qStride))
                    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(L), Int32(d), Int32(rows), 1,
                                dScores, Int32(L), queries, Int32(qStride), 1, dkeys, Int32(kvStride))
                    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(L), Int32(d), Int32(rows), 1,
                                probabilities, Int32(L), dy, Int32(qStride), 1, dvalues, Int32(kvStride))
                }
            }
        }
    }
}
