import COpenBLAS
import Dispatch
import Foundation

/// Causal GQA attention for training, in blocks of query rows through `cblas_sgemm`: scores, probabilities
/// and their gradients for up to `blockRows` queries at once instead of one dot product per (query, key) pair.
/// Same shapes and conventions as `CausalAttention.forward/backward`. The backward pass needs the probabilities
/// again: given a `saved` store (`savedProbabilityCount` floats, O(T²)) the forward writes them there and the
/// backward reads them; without one the backward recomputes them from the saved log-sum-exp (one more GEMM and
/// an exponential per score, memory O(blockRows·T)). The two give slightly different bits (exp(s − m)/Σ against
/// exp(s − lse)); each is deterministic.
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

    /// Floats of the probability store for (B, T, Hq): every (sequence, query head) keeps each block of rows at its
    /// padded width.
    public static func savedProbabilityCount(batch B: Int, length T: Int, heads Hq: Int) -> Int {
        B * Hq * savedProbabilitiesPerHead(length: T)
    }

    static func savedProbabilitiesPerHead(length T: Int) -> Int {
        stride(from: 0, to: T, by: blockRows).reduce(0) { total, t0 in
            let rows = min(blockRows, T - t0)
            return total + rows * paddedWidth(t0 + rows)
        }
    }

    /// out (B, T, Hq, d), lse (B, T, Hq) from q (B, T, Hq, d), k, v (B, T, Hk, d), q and k rotated. `saved`, when
    /// given, receives the probabilities for `backward` (`savedProbabilityCount` floats).
    public static func forward(out: UnsafeMutablePointer<Float>, lse: UnsafeMutablePointer<Float>,
                               q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
                               batch B: Int, length T: Int, heads Hq: Int, kvHeads Hk: Int, headDim d: Int,
                               saved: UnsafeMutablePointer<Float>? = nil) {
        let group = Hq / Hk, scale = 1 / Float(d).squareRoot()
        let qStride = Hq * d, kvStride = Hk * d
        let width = paddedWidth(T), perHead = savedProbabilitiesPerHead(length: T)
        forEachGroup(batch: B, kvHeads: Hk) { b, g in
            let scratch = saved == nil ? UnsafeMutablePointer<Float>.allocate(capacity: blockRows * width) : nil
            defer { scratch?.deallocate() }
            for h in (g * group)..<((g + 1) * group) {
                let keys = k + b * T * kvStride + g * d, values = v + b * T * kvStride + g * d
                var probabilities = scratch ?? saved! + (b * Hq + h) * perHead
                for t0 in stride(from: 0, to: T, by: blockRows) {
                    let rows = min(blockRows, T - t0), L = t0 + rows, rowWidth = paddedWidth(L)
                    let queries = q + (b * T + t0) * qStride + h * d
                    // P (rows, L) = scale · Q_block (rows, d) · K (L, d)ᵀ, rows padded to rowWidth
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(L), Int32(d), scale,
                                queries, Int32(qStride), keys, Int32(kvStride), 0, probabilities, Int32(rowWidth))
                    for i in 0..<rows {
                        let t = t0 + i
                        lse[(b * T + t) * Hq + h] = softmaxCausalRow(probabilities + i * rowWidth, valid: t + 1,
                                                                     width: rowWidth)
                    }
                    // Y_block (rows, d) = P (rows, L) · V (L, d)
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(d), Int32(L), 1,
                                probabilities, Int32(rowWidth), values, Int32(kvStride), 0,
                                out + (b * T + t0) * qStride + h * d, Int32(qStride))
                    if scratch == nil { probabilities += rows * rowWidth }
                }
            }
        }
    }

    /// dq (B, T, Hq, d), dk, dv (B, T, Hk, d), overwritten, from dout (B, T, Hq, d) and the forward's out, lse and,
    /// when the forward had one, its `saved` store.
    public static func backward(dq: UnsafeMutablePointer<Float>, dk: UnsafeMutablePointer<Float>,
                                dv: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
                                q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
                                out: UnsafePointer<Float>, lse: UnsafePointer<Float>,
                                batch B: Int, length T: Int, heads Hq: Int, kvHeads Hk: Int, headDim d: Int,
                                saved: UnsafePointer<Float>? = nil) {
        let group = Hq / Hk, scale = 1 / Float(d).squareRoot()
        let qStride = Hq * d, kvStride = Hk * d
        // dq is written once per element by the dQ GEMM (β = 0); dk, dv accumulate over query blocks and heads.
        dk.update(repeating: 0, count: B * T * kvStride)
        dv.update(repeating: 0, count: B * T * kvStride)
        let width = paddedWidth(T), perHead = savedProbabilitiesPerHead(length: T)
        forEachGroup(batch: B, kvHeads: Hk) { b, g in
            let scratchCount = (saved == nil ? 2 : 1) * blockRows * width
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: scratchCount)
            // Zeroed: dS past column L is never read by the GEMMs, but the row kernel multiplies it by p = 0.
            scratch.initialize(repeating: 0, count: scratchCount)
            defer { scratch.deallocate() }
            let dScores = scratch
            for h in (g * group)..<((g + 1) * group) {
                let base = b * T * kvStride + g * d
                let keys = k + base, values = v + base, dkeys = dk + base, dvalues = dv + base
                var stored = saved.map { $0 + (b * Hq + h) * perHead }
                for t0 in stride(from: 0, to: T, by: blockRows) {
                    let rows = min(blockRows, T - t0), L = t0 + rows, rowWidth = paddedWidth(L)
                    let offset = (b * T + t0) * qStride + h * d
                    let queries = q + offset, dy = dout + offset, y = out + offset
                    // dP (rows, L) = dY · Vᵀ
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(L), Int32(d), 1,
                                dy, Int32(qStride), values, Int32(kvStride), 0, dScores, Int32(rowWidth))
                    let probabilities: UnsafePointer<Float>
                    if let block = stored {
                        probabilities = block
                        stored = block + rows * rowWidth
                    } else {
                        // P (rows, L) = exp(scale · Q Kᵀ − lse), causal, recomputed
                        let recomputed = scratch + blockRows * width
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(L), Int32(d), scale,
                                    queries, Int32(qStride), keys, Int32(kvStride), 0, recomputed, Int32(rowWidth))
                        for i in 0..<rows {
                            recomputeProbabilityRow(recomputed + i * rowWidth, valid: t0 + i + 1, width: rowWidth,
                                                    logSumExp: lse[(b * T + t0 + i) * Hq + h])
                        }
                        probabilities = UnsafePointer(recomputed)
                    }
                    for i in 0..<rows {
                        // D = Σ_s p_s·dp_s = dy·y
                        let dyDotY = dotProduct(dy + i * qStride, y + i * qStride, d)
                        softmaxGradientRow(probabilities: probabilities + i * rowWidth, dScores: dScores + i * rowWidth,
                                           width: rowWidth, dyDotY: dyDotY, scale: scale)
                    }
                    // dQ_block (rows, d) = dS · K;  dK (L, d) += dSᵀ · Q_block;  dV (L, d) += Pᵀ · dY
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(d), Int32(L), 1,
                                dScores, Int32(rowWidth), keys, Int32(kvStride), 0, dq + offset, Int32(qStride))
                    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(L), Int32(d), Int32(rows), 1,
                                dScores, Int32(rowWidth), queries, Int32(qStride), 1, dkeys, Int32(kvStride))
                    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(L), Int32(d), Int32(rows), 1,
                                probabilities, Int32(rowWidth), dy, Int32(qStride), 1, dvalues, Int32(kvStride))
                }
            }
        }
    }

    /// Score rows are padded to a multiple of 16 columns, so the row kernels below work in whole vectors.
    @inline(__always)
    static func paddedWidth(_ columns: Int) -> Int { (columns + 15) & ~15 }

    /// Softmax of one score row over its first `valid` entries (the causal prefix), in place; entries from
    /// `valid` to `width` become 0. Returns the log-sum-exp. The same `maximum` and `expShiftedInPlace` as the row
    /// kernel's reductions, on the prefix only, so the padding never enters a result.
    @inline(__always)
    static func softmaxCausalRow(_ row: UnsafeMutablePointer<Float>, valid n: Int, width: Int) -> Float {
        let m = maximum(row, n)
        let sum = expShiftedInPlace(row, n, shift: m), inverse = 1 / sum
        var i = 0
        while i + 16 <= n {
            store16(row + i, load16(row + i) * inverse)
            i += 16
        }
        while i < n {
            row[i] *= inverse
            i += 1
        }
        (row + n).update(repeating: 0, count: width - n)
        return m + Foundation.log(sum)
    }

    /// p = exp(score − lse) over the causal prefix of a row of scaled scores, in place, 0 after it up to `width`.
    @inline(__always)
    static func recomputeProbabilityRow(_ p: UnsafeMutablePointer<Float>, valid n: Int, width: Int, logSumExp: Float) {
        expShiftedInPlace(p, n, shift: logSumExp)
        (p + n).update(repeating: 0, count: width - n)
    }

    /// dS = p·(dP − D)·scale over a row, in place of dP; p is 0 past the causal prefix, so dS is too.
    @inline(__always)
    static func softmaxGradientRow(probabilities p: UnsafePointer<Float>, dScores ds: UnsafeMutablePointer<Float>,
                                   width: Int, dyDotY: Float, scale: Float) {
        var i = 0
        while i < width {
            store16(ds + i, load16(p + i) * (load16(ds + i) - dyDotY) * scale)
            i += 16
        }
    }
}
