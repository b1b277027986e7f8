import Dispatch
import Foundation

/// Causal GQA attention for training, in register-blocked Swift kernels: scores, probabilities and their
/// gradients for 6 query rows (or 4 keys) at a time against tiles of 16 keys, only for the tiles that the causal
/// mask leaves visible. Same shapes and conventions as `CausalAttention.forward/backward`.
///
/// Why not GEMM calls (the previous version, through `cblas_sgemm`): with head sizes of 32–128 and blocks of 64
/// query rows, each call is small, OpenBLAS packs both operands for every one, and a 64-row block computes every
/// score left of its last row's diagonal, half again as many as the mask keeps at T = 128. Here a (sequence,
/// key/value head) group packs its keys and values once, into the layout the kernels read in whole vectors, and
/// every score tile the mask hides is skipped. One s1-mini layer (16 × 128 tokens, d = 32), forward + backward
/// alone: 4.1 ms with OpenBLAS, 3.1 ms here.
///
/// Summation order: every output element is one sum in a fixed order (the head dimension in order for scores;
/// keys in order for outputs and dQ; query rows in order, block by block and head by head, for dK and dV), each
/// term added by a fused multiply-add. A fused multiply-add is exactly rounded by IEEE 754, so unlike a compiler's
/// contraction it fixes the bits on every CPU (one without FMA computes the same, slower); the bits depend only on
/// the inputs and (T, d).
///
/// The backward pass needs the probabilities again: given a `saved` store (`savedProbabilityCount` floats, O(T²))
/// the forward writes them there and the backward reads them; without one the backward recomputes them from the
/// saved log-sum-exp (memory O(blockRows·T)). The two give slightly different bits (exp(s − m)/Σ against
/// exp(s − lse)); each is deterministic.
///
/// Parallelism: (sequence, key/value head) groups run on `EngineEnvironment.workerCount` threads. Every group
/// writes disjoint outputs, so the bits do not depend on the worker count. Results are deterministic but, unlike
/// `CausalAttention.attendRow`, not bitwise equal to one-row decoding; inference paths that must match KV-cache
/// decoding use `CausalAttention`.
public enum BlockedCausalAttention {
    /// Query rows per block: the unit of the saved store and of the backward's scratch (O(blockRows·T) floats).
    public static let blockRows = 64
    /// Query rows that share each vector load of the score and weighted-sum kernels: 6 rows of 16 lanes are 12
    /// accumulators, which with one loaded vector pair and a broadcast fill AVX2's 16 registers (4 rows measured
    /// slower: 8 accumulators barely cover the fused multiply-add latency). The bits do not depend on it.
    static let queryMicroRows = 6
    /// Keys that share each vector load in dK and dV. 4 divides the 16-key tile, so the keys of one micro-block
    /// always share their padded width.
    static let keyMicroRows = 4

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
    /// given, receives the probabilities for `backward` (`savedProbabilityCount` floats). `inputRowStride`, when
    /// given, is the distance between consecutive tokens' rows in q, k and v (they may live inside one fused
    /// projection); otherwise each is packed (Hq·d or Hk·d).
    public static func forward(out: UnsafeMutablePointer<Float>, lse: UnsafeMutablePointer<Float>,
                               q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
                               batch B: Int, length T: Int, heads Hq: Int, kvHeads Hk: Int, headDim d: Int,
                               inputRowStride: Int? = nil, saved: UnsafeMutablePointer<Float>? = nil) {
        let shape = Shape(length: T, heads: Hq, kvHeads: Hk, headDim: d, inputRowStride: inputRowStride)
        let perHead = savedProbabilitiesPerHead(length: T)
        forEachGroup(batch: B, kvHeads: Hk) { b, g in
            let keys = k + b * T * shape.kvStride + g * d, values = v + b * T * shape.kvStride + g * d
            let workspace = Workspace(shape, keyTiles: true, valueRows: true, probabilityScratch: saved == nil)
            defer { workspace.deallocate() }
            workspace.packTiles(workspace.keyTiles!, from: keys, rowStride: shape.kvStride)
            let valueRows = workspace.rows(values, rowStride: shape.kvStride, scratch: workspace.valueRows)
            for h in (g * shape.group)..<((g + 1) * shape.group) {
                let queries = q + b * T * shape.qStride + h * d
                let output = out + b * T * shape.outStride + h * d
                let logSumExp = lse + b * T * Hq + h
                var store = saved.map { $0 + (b * Hq + h) * perHead }
                for t0 in stride(from: 0, to: T, by: blockRows) {
                    let rows = min(blockRows, T - t0), width = paddedWidth(t0 + rows)
                    let probabilities = store ?? workspace.probabilityScratch!
                    forwardBlock(shape, workspace, queries: queries, values: valueRows, output: output,
                                 logSumExp: logSumExp, probabilities: probabilities, firstRow: t0, rows: rows, width: width)
                    store = store.map { $0 + rows * width }
                }
            }
        }
    }

    /// dq (B, T, Hq, d), dk, dv (B, T, Hk, d), overwritten, from dout (B, T, Hq, d) and the forward's out, lse and,
    /// when the forward had one, its `saved` store. `inputRowStride` as in `forward` (for q, k, v);
    /// `gradientRowStride`, when given, is the row distance of dq, dk and dv, else each is packed.
    public static func backward(dq: UnsafeMutablePointer<Float>, dk: UnsafeMutablePointer<Float>,
                                dv: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
                                q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
                                out: UnsafePointer<Float>, lse: UnsafePointer<Float>,
                                batch B: Int, length T: Int, heads Hq: Int, kvHeads Hk: Int, headDim d: Int,
                                inputRowStride: Int? = nil, gradientRowStride: Int? = nil,
                                saved: UnsafePointer<Float>? = nil) {
        let shape = Shape(length: T, heads: Hq, kvHeads: Hk, headDim: d, inputRowStride: inputRowStride)
        let dqStride = gradientRowStride ?? Hq * d, dkvStride = gradientRowStride ?? Hk * d
        let perHead = savedProbabilitiesPerHead(length: T)
        forEachGroup(batch: B, kvHeads: Hk) { b, g in
            let keys = k + b * T * shape.kvStride + g * d, values = v + b * T * shape.kvStride + g * d
            let workspace = Workspace(shape, keyTiles: saved == nil, valueRows: false, probabilityScratch: saved == nil,
                                      backward: true)
            defer { workspace.deallocate() }
            if let keyTiles = workspace.keyTiles { workspace.packTiles(keyTiles, from: keys, rowStride: shape.kvStride) }
            workspace.packTiles(workspace.valueTiles!, from: values, rowStride: shape.kvStride)
            let keyRows = workspace.rows(keys, rowStride: shape.kvStride, scratch: workspace.keyRows)
            for h in (g * shape.group)..<((g + 1) * shape.group) {
                let offset = b * T * shape.qStride + h * d, outOffset = b * T * shape.outStride + h * d
                let queries = q + offset, dy = dout + outOffset, y = out + outOffset
                let queryRows = workspace.rows(queries, rowStride: shape.qStride, scratch: workspace.queryRows)
                let outputGradientRows = workspace.rows(dy, rowStride: shape.outStride, scratch: workspace.outputGradientRows)
                // D_t = Σ_s p_s·dp_s = dy_t·y_t
                for t in 0..<T {
                    workspace.dyDotY![t] = dotProduct(dy + t * shape.outStride, y + t * shape.outStride, d)
                }
                let logSumExp = lse + b * T * Hq + h
                var stored = saved.map { $0 + (b * Hq + h) * perHead }
                for t0 in stride(from: 0, to: T, by: blockRows) {
                    let rows = min(blockRows, T - t0), width = paddedWidth(t0 + rows)
                    let probabilities: UnsafePointer<Float>
                    if let block = stored {
                        probabilities = block
                        stored = block + rows * width
                    } else {
                        recomputeBlock(shape, workspace, queries: queries, logSumExp: logSumExp,
                                       firstRow: t0, rows: rows, width: width)
                        probabilities = UnsafePointer(workspace.probabilityScratch!)
                    }
                    backwardBlock(shape, workspace, dy: dy, probabilities: probabilities, keys: keyRows, queries: queryRows,
                                  outputGradients: outputGradientRows, dq: dq + b * T * dqStride + h * d, dqStride: dqStride,
                                  firstRow: t0, rows: rows, width: width)
                }
            }
            workspace.unpackRows(workspace.keyGradientRows!, into: dk + b * T * dkvStride + g * d, rowStride: dkvStride)
            workspace.unpackRows(workspace.valueGradientRows!, into: dv + b * T * dkvStride + g * d, rowStride: dkvStride)
        }
    }

    /// Score rows are padded to a multiple of 16 columns (one key tile), so the row kernels work in whole vectors.
    @inline(__always)
    static func paddedWidth(_ columns: Int) -> Int { (columns + 15) & ~15 }

    /// Runs `body(b, g)` for every (sequence, key/value head) group, on several threads when configured.
    static func forEachGroup(batch B: Int, kvHeads Hk: Int, _ body: (Int, Int) -> Void) {
        let workers = min(EngineEnvironment.workerCount, B * Hk)
        if workers <= 1 {
            for task in 0..<(B * Hk) { body(task / Hk, task % Hk) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: B * Hk) { task in body(task / Hk, task % Hk) }
    }

    // MARK: - Blocks of query rows

    /// Scores, softmax and outputs for query rows firstRow..<firstRow+rows of one head, micro-block by micro-block.
    /// `probabilities` (rows, width) receives the block's probability rows, zero past each row's causal prefix.
    private static func forwardBlock(_ shape: Shape, _ workspace: Workspace, queries: UnsafePointer<Float>,
                                     values: Rows, output: UnsafeMutablePointer<Float>, logSumExp: UnsafeMutablePointer<Float>,
                                     probabilities: UnsafeMutablePointer<Float>, firstRow t0: Int, rows: Int, width: Int) {
        let d = shape.headDim
        for i0 in stride(from: t0, to: t0 + rows, by: queryMicroRows) {
            let n = min(queryMicroRows, t0 + rows - i0)
            let block = probabilities + (i0 - t0) * width
            scoreTiles(block, width: width, rows: n, left: queries + i0 * shape.qStride, leftStride: shape.qStride,
                       tiles: workspace.keyTiles!, keys: i0 + n, depth: d, scale: shape.scale)
            for r in 0..<n {
                logSumExp[(i0 + r) * shape.heads] = softmaxCausalRow(block + r * width, valid: i0 + r + 1, width: width)
            }
            // Y (n, d) = P (n, i0+n) · V (i0+n, d)
            weightedRowSums(into: output + i0 * shape.outStride, stride: shape.outStride, columns: d,
                            weights: block, weightStride: width, rows: n, vectors: values.base,
                            vectorStride: values.stride, count: i0 + n)
        }
    }

    /// The backward's probabilities for a block, recomputed into the workspace's scratch: p = exp(s − lse).
    private static func recomputeBlock(_ shape: Shape, _ workspace: Workspace, queries: UnsafePointer<Float>,
                                       logSumExp: UnsafePointer<Float>, firstRow t0: Int, rows: Int, width: Int) {
        let probabilities = workspace.probabilityScratch!
        for i0 in stride(from: t0, to: t0 + rows, by: queryMicroRows) {
            let n = min(queryMicroRows, t0 + rows - i0)
            let block = probabilities + (i0 - t0) * width
            scoreTiles(block, width: width, rows: n, left: queries + i0 * shape.qStride, leftStride: shape.qStride,
                       tiles: workspace.keyTiles!, keys: i0 + n, depth: shape.headDim, scale: shape.scale)
            for r in 0..<n {
                let row = block + r * width, valid = i0 + r + 1
                expShiftedInPlace(row, valid, shift: logSumExp[(i0 + r) * shape.heads], padded: true)
                (row + paddedWidth(valid)).update(repeating: 0, count: width - paddedWidth(valid))
            }
        }
    }

    /// One block's share of the gradients: dS (rows, width) = P ⊙ (dY·Vᵀ − D)·scale, then dQ for its rows and
    /// its terms of dK, dV (added to the workspace's padded accumulators).
    private static func backwardBlock(_ shape: Shape, _ workspace: Workspace, dy: UnsafePointer<Float>,
                                      probabilities: UnsafePointer<Float>, keys: Rows, queries: Rows,
                                      outputGradients: Rows, dq: UnsafeMutablePointer<Float>,
                                      dqStride: Int, firstRow t0: Int, rows: Int, width: Int) {
        let d = shape.headDim, dp = workspace.paddedDim, dScores = workspace.scoreGradients!
        for i0 in stride(from: t0, to: t0 + rows, by: queryMicroRows) {
            let n = min(queryMicroRows, t0 + rows - i0), keyCount = i0 + n
            let block = dScores + (i0 - t0) * width
            // dP (n, keys) = dY · Vᵀ, then dS in place; both only over the tiles the mask leaves visible, which
            // is every column that the kernels below read for these rows.
            scoreTiles(block, width: width, rows: n, left: dy + i0 * shape.outStride, leftStride: shape.outStride,
                       tiles: workspace.valueTiles!, keys: keyCount, depth: d, scale: 1)
            for r in 0..<n {
                softmaxGradientRow(probabilities: probabilities + (i0 - t0 + r) * width, dScores: block + r * width,
                                   width: paddedWidth(keyCount), dyDotY: workspace.dyDotY![i0 + r], scale: shape.scale)
            }
            // dQ (n, d) = dS (n, keys) · K (keys, d)
            weightedRowSums(into: dq + i0 * dqStride, stride: dqStride, columns: d, weights: block, weightStride: width,
                            rows: n, vectors: keys.base, vectorStride: keys.stride, count: keyCount)
        }
        // dK (keys, d) += dSᵀ · Q and dV += Pᵀ · dY over this block's rows; key j only meets rows i ≥ j.
        for j0 in stride(from: 0, to: t0 + rows, by: keyMicroRows) {
            let from = max(t0, j0)
            transposedRowSums(into: workspace.keyGradientRows! + j0 * dp, weights: dScores + (from - t0) * width + j0,
                              weightStride: width, vectors: queries.base + from * queries.stride,
                              vectorStride: queries.stride, paddedDim: dp, count: t0 + rows - from)
            transposedRowSums(into: workspace.valueGradientRows! + j0 * dp,
                              weights: probabilities + (from - t0) * width + j0, weightStride: width,
                              vectors: outputGradients.base + from * outputGradients.stride,
                              vectorStride: outputGradients.stride, paddedDim: dp, count: t0 + rows - from)
        }
    }

    // MARK: - Register-blocked kernels

    /// out row r, tile j (16 keys) = scale · Σ_c left_r[c] · tiles[j][c] for the `rows` (≤ 6) left rows and every
    /// tile holding one of the first `keys` keys.
    @inline(__always)
    private static func scoreTiles(_ out: UnsafeMutablePointer<Float>, width: Int, rows: Int,
                                   left: UnsafePointer<Float>, leftStride: Int, tiles: UnsafePointer<Float>,
                                   keys: Int, depth: Int, scale: Float) {
        let scalars = SixRows(left, rowStride: leftStride, rows: rows)
        for tile in 0..<((keys + 15) / 16) {
            let sums = scalars.sums(vectors: tiles + tile * depth * 16, vectorStride: 16, count: depth)
            sums.store(rows: rows, to: out + tile * 16, rowStride: width) { store16($0, $1 * scale) }
        }
    }

    /// out row r (first `columns` entries) = Σ_{j < count} weights_r[j] · vectors[j] for `rows` (≤ 6) weight rows;
    /// vectors are rows of `vectorStride` floats padded to whole vectors.
    @inline(__always)
    private static func weightedRowSums(into out: UnsafeMutablePointer<Float>, stride: Int, columns: Int,
                                        weights: UnsafePointer<Float>, weightStride: Int, rows: Int,
                                        vectors: UnsafePointer<Float>, vectorStride: Int, count: Int) {
        let scalars = SixRows(weights, rowStride: weightStride, rows: rows)
        for c in Swift.stride(from: 0, to: columns, by: 16) {
            let sums = scalars.sums(vectors: vectors + c, vectorStride: vectorStride, count: count)
            let lanes = min(16, columns - c)
            sums.store(rows: rows, to: out + c, rowStride: stride) { storePrefix($0, $1, lanes) }
        }
    }

    /// The 6-row kernel both of the above are: up to 6 rows of scalars against one stream of 16-float vectors,
    /// sum_r = Σ_i row_r[i] · vector_i, 12 accumulators with a loaded vector pair and a broadcast. Rows past the
    /// real ones repeat the last (computed, never stored), so short micro-blocks read only real rows.
    struct SixRows {
        let r0, r1, r2, r3, r4, r5: UnsafePointer<Float>

        @inline(__always)
        init(_ first: UnsafePointer<Float>, rowStride: Int, rows: Int) {
            r0 = first
            r1 = first + min(1, rows - 1) * rowStride
            r2 = first + min(2, rows - 1) * rowStride
            r3 = first + min(3, rows - 1) * rowStride
            r4 = first + min(4, rows - 1) * rowStride
            r5 = first + min(5, rows - 1) * rowStride
        }

        /// Each row's sum over i < count of row[i] · vector_i, vector_i at `vectors + i·vectorStride`, in i order
        /// with fused multiply-adds.
        @inline(__always)
        func sums(vectors: UnsafePointer<Float>, vectorStride: Int, count: Int) -> Sums {
            var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>()
            var a3 = SIMD16<Float>(), a4 = SIMD16<Float>(), a5 = SIMD16<Float>()
            var vector = vectors
            for i in 0..<count {
                let x = load16(vector)
                a0 = a0.addingProduct(x, r0[i])
                a1 = a1.addingProduct(x, r1[i])
                a2 = a2.addingProduct(x, r2[i])
                a3 = a3.addingProduct(x, r3[i])
                a4 = a4.addingProduct(x, r4[i])
                a5 = a5.addingProduct(x, r5[i])
                vector += vectorStride
            }
            return Sums(a0: a0, a1: a1, a2: a2, a3: a3, a4: a4, a5: a5)
        }
    }

    /// The six sums of `SixRows.sums`.
    struct Sums {
        let a0, a1, a2, a3, a4, a5: SIMD16<Float>

        /// `store(row r's address, sum r)` for the first `rows` rows, `rowStride` floats apart from `out`.
        @inline(__always)
        func store(rows: Int, to out: UnsafeMutablePointer<Float>, rowStride: Int,
                   _ store: (UnsafeMutablePointer<Float>, SIMD16<Float>) -> Void) {
            store(out, a0)
            if rows > 1 { store(out + rowStride, a1) }
            if rows > 2 { store(out + 2 * rowStride, a2) }
            if rows > 3 { store(out + 3 * rowStride, a3) }
            if rows > 4 { store(out + 4 * rowStride, a4) }
            if rows > 5 { store(out + 5 * rowStride, a5) }
        }
    }

    /// out row u (4 padded rows) += Σ_{i < count} weights[i][u] · vectors[i]: four consecutive columns of a
    /// weight matrix (rows `weightStride` apart) against padded vectors (dK = dSᵀ·Q, dV = Pᵀ·dY).
    @inline(__always)
    private static func transposedRowSums(into out: UnsafeMutablePointer<Float>, weights: UnsafePointer<Float>,
                                          weightStride: Int, vectors: UnsafePointer<Float>, vectorStride: Int,
                                          paddedDim: Int, count: Int) {
        for c in stride(from: 0, to: paddedDim, by: 16) {
            var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>(), a3 = SIMD16<Float>()
            var vector = vectors + c, w = weights
            for _ in 0..<count {
                let x = load16(vector)
                a0 = a0.addingProduct(x, w[0])
                a1 = a1.addingProduct(x, w[1])
                a2 = a2.addingProduct(x, w[2])
                a3 = a3.addingProduct(x, w[3])
                vector += vectorStride
                w += weightStride
            }
            store16(out + c, load16(out + c) + a0)
            store16(out + paddedDim + c, load16(out + paddedDim + c) + a1)
            store16(out + 2 * paddedDim + c, load16(out + 2 * paddedDim + c) + a2)
            store16(out + 3 * paddedDim + c, load16(out + 3 * paddedDim + c) + a3)
        }
    }

    /// Copies `count` floats in whole vectors, then one by one (a head's row is too short for `memmove`'s call).
    @inline(__always)
    static func copyFloats(_ target: UnsafeMutablePointer<Float>, _ source: UnsafePointer<Float>, _ count: Int) {
        var i = 0
        while i + 16 <= count {
            store16(target + i, load16(source + i))
            i += 16
        }
        while i < count {
            target[i] = source[i]
            i += 1
        }
    }

    /// Stores the first `lanes` (1…16) lanes of `value` at `p`.
    @inline(__always)
    private static func storePrefix(_ p: UnsafeMutablePointer<Float>, _ value: SIMD16<Float>, _ lanes: Int) {
        if lanes == 16 {
            store16(p, value)
        } else {
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 16) { buffer in
                store16(buffer.baseAddress!, value)
                p.update(from: buffer.baseAddress!, count: lanes)
            }
        }
    }

    // MARK: - Rows

    /// Softmax of one score row over its first `valid` entries (the causal prefix), in place; entries from
    /// `valid` to `width` become 0. Returns the log-sum-exp. The row is read up to `valid` rounded up to 16, which
    /// the score kernel has written.
    @inline(__always)
    static func softmaxCausalRow(_ row: UnsafeMutablePointer<Float>, valid n: Int, width: Int) -> Float {
        let m = maximum(row, n)
        let sum = expShiftedInPlace(row, n, shift: m, padded: true), inverse = 1 / sum
        let end = paddedWidth(n)
        var i = 0
        while i < end {
            store16(row + i, load16(row + i) * inverse)
            i += 16
        }
        (row + end).update(repeating: 0, count: width - end)
        return m + Foundation.log(sum)
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

extension BlockedCausalAttention {
    /// Token rows of one head, `stride` floats apart, readable in whole vectors up to d rounded up to 16.
    struct Rows {
        let base: UnsafePointer<Float>
        let stride: Int
    }

    /// Strides and constants of one call.
    struct Shape {
        let length: Int, heads: Int, headDim: Int
        let group: Int, scale: Float
        /// Row distances of q, of k and v (the inputs), and of out, dout (always packed: Hq·d).
        let qStride: Int, kvStride: Int, outStride: Int

        init(length: Int, heads: Int, kvHeads: Int, headDim: Int, inputRowStride: Int?) {
            self.length = length
            self.heads = heads
            self.headDim = headDim
            group = heads / kvHeads
            scale = 1 / Float(headDim).squareRoot()
            qStride = inputRowStride ?? heads * headDim
            kvStride = inputRowStride ?? kvHeads * headDim
            outStride = heads * headDim
        }
    }

    /// One group's packed operands and scratch, in one allocation (O(T·d + blockRows·T) floats).
    ///   tiles (⌈T/16⌉, d, 16): tile j, row c holds feature c of keys 16j…16j+15 (zero past T), the layout the
    ///     score kernel reads one vector per feature from;
    ///   rows (T', dp): one token per row, features padded with zeros to dp = d rounded up to 16, the layout the
    ///     weighted-sum kernels read one vector per token from (T' = T rounded up to 16, for dK/dV's 4-key blocks).
    final class Workspace {
        let paddedDim: Int
        let keyTiles: UnsafeMutablePointer<Float>?
        let valueTiles: UnsafeMutablePointer<Float>?
        let keyRows: UnsafeMutablePointer<Float>?
        let valueRows: UnsafeMutablePointer<Float>?
        let queryRows: UnsafeMutablePointer<Float>?
        let outputGradientRows: UnsafeMutablePointer<Float>?
        let keyGradientRows: UnsafeMutablePointer<Float>?
        let valueGradientRows: UnsafeMutablePointer<Float>?
        let probabilityScratch: UnsafeMutablePointer<Float>?
        let scoreGradients: UnsafeMutablePointer<Float>?
        let dyDotY: UnsafeMutablePointer<Float>?
        private let storage: UnsafeMutablePointer<Float>
        private let length: Int, headDim: Int

        init(_ shape: Shape, keyTiles wantKeyTiles: Bool, valueRows wantValueRows: Bool, probabilityScratch wantScratch: Bool,
             backward: Bool = false) {
            length = shape.length
            headDim = shape.headDim
            let T = shape.length, d = shape.headDim, dp = paddedWidth(d), paddedT = paddedWidth(T)
            paddedDim = dp
            let tileCount = paddedT * d, rowCount = paddedT * dp, blockCount = blockRows * paddedT
            // Copies of q, k, v, dy rows only when d is not a multiple of 16 (see `rows`). Zeroed where a zero is
            // read: the copies' padding lanes and the dK, dV accumulators (the tiles' keys past T are zeroed by
            // `packTiles`). Probabilities and dS are written before they are read, so that scratch is not.
            let copyCount = d % 16 == 0 ? 0 : rowCount
            let parts: [(count: Int, zeroed: Bool)] = [
                (wantKeyTiles ? tileCount : 0, false), (backward ? tileCount : 0, false),
                (backward ? copyCount : 0, true), (wantValueRows ? copyCount : 0, true),
                (backward ? copyCount : 0, true), (backward ? copyCount : 0, true),
                (backward ? rowCount : 0, true), (backward ? rowCount : 0, true),
                (wantScratch ? blockCount : 0, false), (backward ? blockCount : 0, false), (backward ? T : 0, false),
            ]
            storage = .allocate(capacity: max(1, parts.reduce(0) { $0 + $1.count }))
            var cursor = storage
            var pointers: [UnsafeMutablePointer<Float>?] = []
            for part in parts {
                pointers.append(part.count > 0 ? cursor : nil)
                if part.zeroed { cursor.initialize(repeating: 0, count: part.count) }
                cursor += part.count
            }
            keyTiles = pointers[0]
            valueTiles = pointers[1]
            keyRows = pointers[2]
            valueRows = pointers[3]
            queryRows = pointers[4]
            outputGradientRows = pointers[5]
            keyGradientRows = pointers[6]
            valueGradientRows = pointers[7]
            probabilityScratch = pointers[8]
            scoreGradients = pointers[9]
            dyDotY = pointers[10]
        }

        func deallocate() { storage.deallocate() }

        /// Packs T token rows of d features (rows `rowStride` apart) into the tile layout.
        func packTiles(_ tiles: UnsafeMutablePointer<Float>, from source: UnsafePointer<Float>, rowStride: Int) {
            let fullTiles = length / 16
            (tiles + fullTiles * headDim * 16).initialize(repeating: 0, count: (paddedWidth(length) - fullTiles * 16) * headDim)
            for t in 0..<length {
                let row = source + t * rowStride, panel = tiles + (t / 16) * headDim * 16 + t % 16
                for c in 0..<headDim { panel[c * 16] = row[c] }
            }
        }

        /// T token rows of d features as rows the weighted-sum kernels can read in whole vectors: the source
        /// itself when d is a multiple of 16, else a copy into `scratch` padded with zeros.
        func rows(_ source: UnsafePointer<Float>, rowStride: Int, scratch: UnsafeMutablePointer<Float>?) -> Rows {
            guard let scratch else { return Rows(base: source, stride: rowStride) }
            for t in 0..<length { copyFloats(scratch + t * paddedDim, source + t * rowStride, headDim) }
            return Rows(base: UnsafePointer(scratch), stride: paddedDim)
        }

        /// Writes the first d features of T padded rows to rows `rowStride` apart.
        func unpackRows(_ rows: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>, rowStride: Int) {
            for t in 0..<length { copyFloats(target + t * rowStride, rows + t * paddedDim, headDim) }
        }
    }
}
