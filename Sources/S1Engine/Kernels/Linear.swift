import COpenBLAS

/// A linear layer `y = x·Wᵀ + b` with PyTorch's weight layout `(out, in)`.
///
/// The batched forward and the input gradient run through `PanelGEMM` on the weight packed into panels once
/// (`pack`, or `WeightPanels` for a whole model): every output element is one fused multiply-add chain in k order,
/// so a row's result does not depend on the other rows, the row count or the thread that computes it. The weight
/// gradient (a reduction over all rows, both operands activations) runs through OpenBLAS `cblas_sgemm`, one
/// single-threaded call per thread, split by output features (never by the reduction).
///
/// `forwardRowInvariant` is the one-row OpenBLAS path that the KV-cache reference decoder mirrors.
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

    /// out (N, M) = inp (N, K) · weight (M, K)ᵀ + bias, each row by an identical one-row OpenBLAS call on the
    /// unpacked weight, so row n's output does not depend on N or on the other rows. The KV-cache reference decoder
    /// (`IncrementalDecodeReferenceTests`) and `Qwen2Model.forward(rowInvariant: true)` use it.
    public static func forwardRowInvariant(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
                                           weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                                           rows N: Int, inFeatures K: Int, outFeatures M: Int) {
        for n in 0..<N {
            let row = out + n * M
            if let bias { row.update(from: bias, count: M) }
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, 1, Int32(M), Int32(K), 1, inp + n * K, Int32(K),
                        weight, Int32(K), bias != nil ? 1 : 0, row, Int32(M))
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
    public static func weightGradient(dweight: UnsafeMutablePointer<Float>, dbias: UnsafeMutablePointer<Float>?,
                                      dout: UnsafePointer<Float>, inp: UnsafePointer<Float>,
                                      rows N: Int, inFeatures K: Int, outFeatures M: Int) {
        guard N > 0 else { return }
        // dweight rows m (output features) are independent sums over all N rows: split by m, not by n.
        RowParallel.forEachChunk(rows: M, minimumRowsPerTask: minimumRowsPerTask) { features in
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(features.count), Int32(K), Int32(N),
                        1, dout + features.lowerBound, Int32(M), inp, Int32(K), 1,
                        dweight + features.lowerBound * K, Int32(K))
            if let dbias {
                // Rows in order; each column's sum has a fixed order.
                for n in 0..<N {
                    let row = dout + n * M
                    for m in features { dbias[m] += row[m] }
                }
            }
        }
    }
}
