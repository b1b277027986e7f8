import Foundation

/// A linear layer `y = x·Wᵀ + b` with PyTorch's weight layout `(out, in)`.
///
/// The batched forward and the input gradient run through `PanelGEMM` on the weight packed into panels once
/// (`pack`, or `WeightPanels` for a whole model): every output element is one fused multiply-add chain in k order,
/// so a row's result does not depend on the other rows, the row count or the thread that computes it. The weight
/// gradient (a reduction over all rows, both operands activations) runs through `PanelGEMM` too, on the
/// activations packed per call: every gradient element is one chain over the rows in row order, split over the
/// threads by output features (never by the reduction), so its bits depend neither on the thread count nor on the
/// CPU (no BLAS library picks kernels by CPU model or problem size here).
///
/// `forwardRowInvariant` is the plain one-row path that the KV-cache reference decoder mirrors.
public enum Linear {
    /// Which product a weight's panels serve.
    public enum PanelDirection: Sendable {
        /// y = x·Wᵀ: panels of Wᵀ (in, out).
        case forward
        /// dx = dy·W: panels of W (out, in).
        case inputGradient
    }

    /// Floats of the panels of an (outFeatures, inFeatures) weight for `direction`.
    public static func panelFloats(inFeatures K: Int, outFeatures M: Int, for direction: PanelDirection) -> Int {
        direction == .forward ? PanelGEMM.panelFloats(depth: K, columns: M) : PanelGEMM.panelFloats(depth: M, columns: K)
    }

    /// Packs weight (M, K) into `panels` (`panelFloats` floats) for `direction`.
    public static func pack(_ panels: UnsafeMutablePointer<Float>, weight: UnsafePointer<Float>,
                            inFeatures K: Int, outFeatures M: Int, for direction: PanelDirection) {
        switch direction {
        case .forward: PanelGEMM.pack(panels, source: weight, kStride: 1, jStride: K, depth: K, columns: M)
        case .inputGradient: PanelGEMM.pack(panels, source: weight, kStride: K, jStride: 1, depth: M, columns: K)
        }
    }

    /// `pack` into a new array (tests, checks, one-off products).
    public static func packed(weight: [Float], inFeatures K: Int, outFeatures M: Int, for direction: PanelDirection) -> [Float] {
        var panels = [Float](repeating: 0, count: panelFloats(inFeatures: K, outFeatures: M, for: direction))
        panels.withUnsafeMutableBufferPointer { pack($0.baseAddress!, weight: weight, inFeatures: K, outFeatures: M, for: direction) }
        return panels
    }

    /// out (N, M) = residual + inp (N, K) · weight (M, K)ᵀ + bias (M), the weight as `.forward` panels; the
    /// residual (N, M) and the bias are optional. Rows split over the engine's threads.
    public static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
                               panels: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                               residual: UnsafePointer<Float>? = nil,
                               rows N: Int, inFeatures K: Int, outFeatures M: Int) {
        guard N > 0 else { return }
        RowParallel.forEachChunk(rows: N, minimumRowsPerTask: minimumRowsPerTask) { rows in
            forward(out: out, inp: inp, panels: panels, bias: bias, residual: residual, rows: rows,
                    inFeatures: K, outFeatures: M)
        }
    }

    /// `forward` for the given rows of inp, residual and out only, on the calling thread. The chains start from the
    /// residual or, without one, from the bias (no zeroing, copying or bias pass); with both, the bias is added
    /// after.
    public static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
                               panels: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                               residual: UnsafePointer<Float>? = nil,
                               rows: Range<Int>, inFeatures K: Int, outFeatures M: Int) {
        guard !rows.isEmpty else { return }
        let start: PanelGEMM.ChainStart
        if let residual {
            start = .addend(residual, rowStride: M)
        } else if let bias {
            start = .addend(bias, rowStride: 0)
        } else {
            start = .zero
        }
        PanelGEMM.multiply(out: out, outputStride: M, inp: inp, inputStride: K, panels: panels, depth: K, columns: M,
                           rows: rows, start: start)
        if let bias, residual != nil {
            for n in rows {
                let row = out + n * M
                for m in 0..<M { row[m] += bias[m] }
            }
        }
    }

    /// Rows (or weight-gradient columns) per thread below which a GEMM is not split: smaller pieces cost more in
    /// hand-off than they save.
    static let minimumRowsPerTask = 64

    /// out (N, M) = inp (N, K) · weight (M, K)ᵀ + bias on the unpacked weight, each element one fused multiply-add
    /// chain in k order from its bias (the same chains as `forward`), so row n's output does not depend on N or on
    /// the other rows. The KV-cache reference decoder (`IncrementalDecodeReferenceTests`) and
    /// `Qwen2Model.forward(rowInvariant: true)` use it: a second, independent spelling of the panel kernel's chains.
    public static func forwardRowInvariant(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
                                           weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                                           rows N: Int, inFeatures K: Int, outFeatures M: Int) {
        for n in 0..<N {
            let x = inp + n * K, row = out + n * M
            for m in 0..<M {
                let w = weight + m * K
                var sum = bias?[m] ?? 0
                for k in 0..<K { sum = sum.addingProduct(x[k], w[k]) }
                row[m] = sum
            }
        }
    }

    /// Backward of `forward`: `inputGradient` (the weight as `.inputGradient` panels) and `weightGradient`.
    public static func backward(dinp: UnsafeMutablePointer<Float>?, accumulate: Bool,
                                dweight: UnsafeMutablePointer<Float>, dbias: UnsafeMutablePointer<Float>?,
                                dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, panels: UnsafePointer<Float>,
                                rows N: Int, inFeatures K: Int, outFeatures M: Int) {
        guard N > 0 else { return }
        if let dinp {
            RowParallel.forEachChunk(rows: N, minimumRowsPerTask: minimumRowsPerTask) { rows in
                inputGradient(dinp: dinp, accumulate: accumulate, dout: dout, panels: panels, rows: rows,
                              inFeatures: K, outFeatures: M)
            }
        }
        weightGradient(dweight: dweight, dbias: dbias, dout: dout, inp: inp, rows: N, inFeatures: K, outFeatures: M)
    }

    /// dinp (rows, K) = dout (rows, M) · weight (M, K) for the given rows, the weight as `.inputGradient` panels;
    /// added to dinp when `accumulate`, else overwritten; on the calling thread.
    public static func inputGradient(dinp: UnsafeMutablePointer<Float>, accumulate: Bool, dout: UnsafePointer<Float>,
                                     panels: UnsafePointer<Float>, rows: Range<Int>, inFeatures K: Int, outFeatures M: Int) {
        PanelGEMM.multiply(out: dinp, outputStride: K, inp: dout, inputStride: M, panels: panels, depth: M, columns: K,
                           rows: rows, start: accumulate ? .output : .zero)
    }

    /// dweight (M, K) += dout (N, M)ᵀ · inp (N, K); dbias (M) += Σ_rows dout.
    ///
    /// As a `PanelGEMM` product: A = doutᵀ (M, N), each thread transposing its own output features, times B = inp
    /// (N, K) packed into panels in depth blocks of `weightGradientDepthBlock` rows (a block's panels and A's
    /// slices stay in L1/L2). Each dweight element is one chain from its current value over n = 0…N−1 in order: a
    /// depth block continues the chain where the previous one stored it (`.output`), which is the same arithmetic
    /// as one unbroken chain. dbias sums each column in row order.
    public static func weightGradient(dweight: UnsafeMutablePointer<Float>, dbias: UnsafeMutablePointer<Float>?,
                                      dout: UnsafePointer<Float>, inp: UnsafePointer<Float>,
                                      rows N: Int, inFeatures K: Int, outFeatures M: Int) {
        guard N > 0 else { return }
        let block = weightGradientDepthBlock, blocks = (N + block - 1) / block
        let blockPanelFloats = PanelGEMM.panelFloats(depth: block, columns: K)
        // One reused scratch: a fresh multi-megabyte allocation per call cost its page faults every time.
        weightGradientScratch.lock.lock()
        defer { weightGradientScratch.lock.unlock() }
        let scratch = weightGradientScratch.floats(blocks * blockPanelFloats + M * N)
        let panels = scratch, transposed = scratch + blocks * blockPanelFloats
        // Depth block b holds inp rows b·block ..< min(N, (b+1)·block) as panels (⌈K/16⌉, rows, 16).
        RowParallel.forEachChunk(rows: blocks, minimumRowsPerTask: 1) { range in
            for b in range {
                let first = b * block, depth = min(block, N - first)
                PanelGEMM.pack(panels + b * blockPanelFloats, source: inp + first * K, kStride: K, jStride: 1,
                               depth: depth, columns: K)
            }
        }
        // dweight rows m (output features) are independent sums over all N rows: split by m, not by n.
        RowParallel.forEachChunk(rows: M, minimumRowsPerTask: minimumRowsPerTask) { features in
            transpose(dout, rows: N, columns: M, columnRange: features, into: transposed)
            for b in 0..<blocks {
                let first = b * block, depth = min(block, N - first)
                PanelGEMM.multiply(out: dweight, outputStride: K, inp: transposed + first, inputStride: N,
                                   panels: panels + b * blockPanelFloats, depth: depth, columns: K,
                                   rows: features, start: .output)
            }
            if let dbias {
                // Rows in order; each column's sum has a fixed order.
                for m in features {
                    let column = transposed + m * N
                    var sum = dbias[m]
                    for n in 0..<N { sum += column[n] }
                    dbias[m] = sum
                }
            }
        }
    }

    /// The weight gradient's packed activations and transposed output gradient, kept between calls (every element
    /// is written before it is read, so what a previous call left there never reaches a result).
    private static let weightGradientScratch = Scratch()

    private final class Scratch: @unchecked Sendable {
        let lock = NSLock()
        private var buffer = UnsafeMutablePointer<Float>.allocate(capacity: 1)
        private var capacity = 1

        /// At least `count` floats; call with `lock` held.
        func floats(_ count: Int) -> UnsafeMutablePointer<Float> {
            if count > capacity {
                buffer.deallocate()
                buffer = .allocate(capacity: count)
                capacity = count
            }
            return buffer
        }
    }

    /// Rows of the weight gradient's reduction per packed depth block: 256 rows of a 16-column panel (16 KB) and
    /// 24 rows of doutᵀ (24 KB) fit in L2 beside each other at every s1-mini width.
    static let weightGradientDepthBlock = 256

    /// out row m (m in `columnRange`), length `rows`, = column m of source (rows, columns): a transposition of
    /// those columns, in 8 × 8 blocks so that both sides are read and written a cache line at a time.
    private static func transpose(_ source: UnsafePointer<Float>, rows: Int, columns: Int, columnRange: Range<Int>,
                                  into out: UnsafeMutablePointer<Float>) {
        let tile = 8
        var r0 = 0
        while r0 < rows {
            let r1 = min(rows, r0 + tile)
            var c0 = columnRange.lowerBound
            while c0 < columnRange.upperBound {
                let c1 = min(columnRange.upperBound, c0 + tile)
                for r in r0..<r1 {
                    let from = source + r * columns
                    for c in c0..<c1 { out[c * rows + r] = from[c] }
                }
                c0 = c1
            }
            r0 = r1
        }
    }
}
